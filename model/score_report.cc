#include "model/score_report.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "common/status.h"
#include "common/utf8.h"

namespace tandem {
namespace {

using metrics_internal::RStripPythonWhitespace;

struct NamedLines {
  std::string path;
  std::vector<std::string> lines;
};

absl::StatusOr<NamedLines> ReadLines(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::string contents, ReadFile(path));
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> lines, SplitScoreLines(contents, path));
  return NamedLines{path, std::move(lines)};
}

absl::Status CheckSameCount(const NamedLines& a, const NamedLines& b) {
  if (a.lines.size() == b.lines.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("line counts differ: ", a.path, " has ",
                                                 a.lines.size(), " lines but ", b.path, " has ",
                                                 b.lines.size(), " lines"));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitScoreLines(const std::string& contents,
                                                         const std::string& path) {
  std::vector<std::string> lines;
  size_t start = 0;
  int64_t line_no = 0;
  while (start < contents.size()) {
    size_t end = contents.find('\n', start);
    if (end == std::string::npos) end = contents.size();
    ++line_no;
    absl::string_view line(contents.data() + start, end - start);
    if (const size_t bad = FindInvalidUtf8(line); bad != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s:%d: invalid UTF-8 (byte 0x%02x at column %d)", path, line_no,
                          static_cast<unsigned char>(line[bad]), bad + 1));
    }
    lines.emplace_back(RStripPythonWhitespace(line));
    start = end + 1;
  }
  return lines;
}

absl::StatusOr<ScoreReport> ScoreFiles(const std::vector<std::string>& ref_paths,
                                       const std::string& hyp_path, const std::string& src_path,
                                       const std::vector<LengthBucket>& buckets) {
  if (ref_paths.empty()) return absl::InvalidArgumentError("no reference file given");
  TANDEM_ASSIGN_OR_RETURN(NamedLines hyp, ReadLines(hyp_path));
  std::vector<std::vector<std::string>> refs;
  for (const std::string& path : ref_paths) {
    TANDEM_ASSIGN_OR_RETURN(NamedLines ref, ReadLines(path));
    TANDEM_RETURN_IF_ERROR(CheckSameCount(ref, hyp));
    refs.push_back(std::move(ref.lines));
  }

  ScoreReport report;
  report.ref_paths = ref_paths;
  report.hyp_path = hyp_path;
  report.src_path = src_path;
  report.segments = static_cast<int64_t>(hyp.lines.size());
  TANDEM_ASSIGN_OR_RETURN(report.bleu, CorpusBleu(hyp.lines, refs));
  TANDEM_ASSIGN_OR_RETURN(report.chrf, CorpusChrf(hyp.lines, refs));
  if (!src_path.empty()) {
    TANDEM_ASSIGN_OR_RETURN(NamedLines src, ReadLines(src_path));
    TANDEM_RETURN_IF_ERROR(CheckSameCount(src, hyp));
    TANDEM_ASSIGN_OR_RETURN(report.buckets,
                            BleuBySourceLength(src.lines, hyp.lines, refs, buckets));
  }
  return report;
}

std::string FormatScoreReport(const ScoreReport& r) {
  const std::string chrf_name = r.chrf.Name();
  const size_t w = std::max<size_t>(4, chrf_name.size());
  std::string out;
  std::vector<std::string> precs;
  for (double p : r.bleu.precisions) precs.push_back(absl::StrFormat("%.1f", p));
  absl::StrAppendFormat(&out,
                        "%-*s = %6.2f  %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)\n", w,
                        "BLEU", r.bleu.score, absl::StrJoin(precs, "/"), r.bleu.bp, r.bleu.ratio(),
                        r.bleu.sys_len, r.bleu.ref_len);
  absl::StrAppendFormat(&out, "%-*s = %6.2f\n", w, chrf_name, r.chrf.score);
  absl::StrAppendFormat(&out, "\n%-*s  %s\n", w + 10, "segments", absl::StrCat(r.segments));
  absl::StrAppendFormat(&out, "%-*s  %s\n", w + 10, "hypothesis", r.hyp_path);
  absl::StrAppendFormat(&out, "%-*s  %s\n", w + 10,
                        r.ref_paths.size() == 1 ? "reference" : "references",
                        absl::StrJoin(r.ref_paths, ", "));
  absl::StrAppendFormat(&out, "%-*s  %s\n", w + 10, "BLEU signature", r.bleu.Signature());
  absl::StrAppendFormat(&out, "%-*s  %s\n", w + 10, chrf_name + " signature", r.chrf.Signature());
  if (!r.buckets.empty()) {
    absl::StrAppendFormat(&out, "\nBLEU by source length (words in %s)\n", r.src_path);
    absl::StrAppendFormat(&out, "%-8s  %8s  %6s  %8s  %8s  %5s\n", "words", "segments", "BLEU",
                          "hyp_len", "ref_len", "BP");
    for (const BucketBleu& b : r.buckets) {
      if (b.segments == 0) {
        absl::StrAppendFormat(&out, "%-8s  %8d  %6s  %8s  %8s  %5s\n", b.bucket.Label(), 0, "-",
                              "-", "-", "-");
        continue;
      }
      absl::StrAppendFormat(&out, "%-8s  %8d  %6.2f  %8d  %8d  %5.3f\n", b.bucket.Label(),
                            b.segments, b.bleu.score, b.bleu.sys_len, b.bleu.ref_len, b.bleu.bp);
    }
  }
  return out;
}

}  // namespace tandem
