#include "data/corpus.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status.h"
#include "common/utf8.h"

namespace tandem {
namespace {

// Line reader with file-and-line error messages.
class LineReader {
 public:
  explicit LineReader(std::string path) : path_(std::move(path)) {}

  absl::Status Open() {
    in_.open(path_, std::ios::binary);
    if (!in_) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot open corpus file ", path_, ": ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

  // Reads the next line into `line` (without LF). Returns false at end of file. The length is
  // checked while reading: of a line longer than kMaxLineBytes only kMaxLineBytes + 1 bytes
  // are kept (CheckLine refuses it; length() has its full length), so a file without line
  // breaks never makes memory grow.
  bool Next(std::string& line) {
    line.clear();
    length_ = 0;
    std::streambuf* buf = in_.rdbuf();
    int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) return false;
    ++line_no_;
    while (c != std::char_traits<char>::eof() && c != '\n') {
      if (line.size() <= kMaxLineBytes) line.push_back(static_cast<char>(c));
      ++length_;
      c = buf->sbumpc();
    }
    return true;
  }

  // Counts the lines left (used to report both counts of misaligned files).
  uint64_t CountRest() {
    std::streambuf* buf = in_.rdbuf();
    uint64_t n = 0;
    bool partial = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
      partial = c != '\n';
      n += c == '\n';
    }
    return n + (partial ? 1 : 0);
  }

  uint64_t line_no() const { return line_no_; }
  uint64_t length() const { return length_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t line_no_ = 0;
  uint64_t length_ = 0;  // of the last line read, in bytes
};

// Validates one raw line: length, UTF-8, and strips a trailing CR.
absl::Status CheckLine(const LineReader& r, std::string& line, bool& had_cr) {
  if (r.length() > kMaxLineBytes) {
    return absl::InvalidArgumentError(absl::StrCat(r.path(), ":", r.line_no(), ": line is ",
                                                   r.length(), " bytes, more than the limit of ",
                                                   kMaxLineBytes));
  }
  had_cr = !line.empty() && line.back() == '\r';
  if (had_cr) line.pop_back();
  const size_t bad = FindInvalidUtf8(line);
  if (bad != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(r.path(), ":", r.line_no(),
                                                   ": invalid UTF-8 at byte ", bad + 1));
  }
  return absl::OkStatus();
}

// Applies the drop rules to a pair; returns true if the pair is kept.
bool KeepPair(std::string& src, std::string& tgt, uint32_t max_words, CorpusCounts& counts) {
  absl::StripAsciiWhitespace(&src);
  absl::StripAsciiWhitespace(&tgt);
  if (src.empty() || tgt.empty()) {
    ++counts.dropped_empty;
    return false;
  }
  if (CountWords(src) > max_words || CountWords(tgt) > max_words) {
    ++counts.dropped_too_long;
    return false;
  }
  return true;
}

}  // namespace

size_t CountWords(absl::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c));
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

absl::StatusOr<CorpusCounts> ReadCorpus(
    const CorpusFiles& files, uint32_t max_words,
    const std::function<absl::Status(absl::string_view, absl::string_view)>& emit) {
  CorpusCounts counts;
  const bool tsv = !files.tsv.empty();
  if (tsv == (!files.source.empty() || !files.target.empty())) {
    return absl::InvalidArgumentError(
        "corpus: give either train_source and train_target, or train_tsv");
  }
  if (!tsv && (files.source.empty() || files.target.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("corpus: train_source and train_target must both be set (got '",
                     files.source, "' and '", files.target, "')"));
  }
  if (tsv) {
    LineReader r(files.tsv);
    TANDEM_RETURN_IF_ERROR(r.Open());
    std::string line;
    while (r.Next(line)) {
      bool cr = false;
      TANDEM_RETURN_IF_ERROR(CheckLine(r, line, cr));
      ++counts.input_pairs;
      if (cr) ++counts.crlf_stripped;
      const size_t tab = line.find('\t');
      if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos) {
        if (absl::StripAsciiWhitespace(line).empty()) {
          ++counts.dropped_empty;
          continue;
        }
        return absl::InvalidArgumentError(absl::StrCat(
            r.path(), ":", r.line_no(), ": expected exactly one TAB between source and target"));
      }
      std::string src = line.substr(0, tab);
      std::string tgt = line.substr(tab + 1);
      if (!KeepPair(src, tgt, max_words, counts)) continue;
      ++counts.kept_pairs;
      TANDEM_RETURN_IF_ERROR(emit(src, tgt));
    }
  } else {
    LineReader rs(files.source), rt(files.target);
    TANDEM_RETURN_IF_ERROR(rs.Open());
    TANDEM_RETURN_IF_ERROR(rt.Open());
    std::string src, tgt;
    while (true) {
      const bool has_src = rs.Next(src);
      const bool has_tgt = rt.Next(tgt);
      if (!has_src || !has_tgt) {
        if (has_src || has_tgt) {
          const uint64_t src_lines = rs.line_no() + rs.CountRest();
          const uint64_t tgt_lines = rt.line_no() + rt.CountRest();
          return absl::InvalidArgumentError(
              absl::StrCat("corpus files are not line-aligned: ", rs.path(), " has ", src_lines,
                           " lines but ", rt.path(), " has ", tgt_lines, " lines"));
        }
        break;
      }
      bool cr_s = false, cr_t = false;
      TANDEM_RETURN_IF_ERROR(CheckLine(rs, src, cr_s));
      TANDEM_RETURN_IF_ERROR(CheckLine(rt, tgt, cr_t));
      ++counts.input_pairs;
      if (cr_s || cr_t) ++counts.crlf_stripped;
      if (src.find('\t') != std::string::npos || tgt.find('\t') != std::string::npos) {
        ++counts.tabs_replaced;
        absl::StrReplaceAll({{"\t", " "}}, &src);
        absl::StrReplaceAll({{"\t", " "}}, &tgt);
      }
      if (!KeepPair(src, tgt, max_words, counts)) continue;
      ++counts.kept_pairs;
      TANDEM_RETURN_IF_ERROR(emit(src, tgt));
    }
  }
  if (counts.kept_pairs == 0) {
    const std::string what = tsv ? files.tsv : absl::StrCat(files.source, " / ", files.target);
    return absl::InvalidArgumentError(
        absl::StrCat("corpus ", what, " has no usable sentence pair (", counts.input_pairs,
                     " lines read, ", counts.dropped_empty, " empty, ", counts.dropped_too_long,
                     " too long)"));
  }
  return counts;
}

absl::StatusOr<CorpusCounts> PrepareCorpusTsv(const CorpusFiles& files, uint32_t max_words,
                                              const std::string& out_tsv) {
  const std::string tmp = out_tsv + ".partial";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat("cannot create ", tmp));
  absl::StatusOr<CorpusCounts> counts =
      ReadCorpus(files, max_words, [&out](absl::string_view s, absl::string_view t) {
        out << s << '\t' << t << '\n';
        return out ? absl::OkStatus() : absl::InternalError("write failed");
      });
  out.close();
  if (!counts.ok() || !out) {
    std::remove(tmp.c_str());
    if (!counts.ok()) return counts.status();
    return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), out_tsv.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", out_tsv));
  }
  return counts;
}

}  // namespace tandem
