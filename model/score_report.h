// Scores a translation file against one or more reference files: corpus BLEU, chrF and,
// given the source file, BLEU per source-length bucket. Behind `tandem score`.
#ifndef TANDEM_MODEL_SCORE_REPORT_H_
#define TANDEM_MODEL_SCORE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/bleu.h"
#include "model/chrf.h"

namespace tandem {

struct ScoreReport {
  std::vector<std::string> ref_paths;
  std::string hyp_path;
  std::string src_path;  // empty when no source was given
  int64_t segments = 0;
  BleuScore bleu;
  ChrfScore chrf;
  std::vector<BucketBleu> buckets;  // empty when no source was given
};

// Splits file contents into lines as sacreBLEU's command line reads them: lines end at
// "\n" (a final "\n" ends the last line rather than starting an empty one) and each line is
// right-stripped of whitespace (which also drops a "\r"). InvalidArgument naming
// `path:line` and the byte column when a line is not valid UTF-8.
absl::StatusOr<std::vector<std::string>> SplitScoreLines(const std::string& contents,
                                                         const std::string& path);

// Reads the files and scores them. Errors (messages name the files): a file that cannot be
// read, no reference path, invalid UTF-8 (file and line), line counts that differ (both
// files and both counts). `src_path` may be empty; then no buckets are computed.
absl::StatusOr<ScoreReport> ScoreFiles(
    const std::vector<std::string>& ref_paths, const std::string& hyp_path,
    const std::string& src_path, const std::vector<LengthBucket>& buckets = DefaultLengthBuckets());

// A table for people: BLEU line, chrF line, signatures, and the bucket table if any
// (`tandem score --json` writes the report as tandem.v1.ScoreOutput).
std::string FormatScoreReport(const ScoreReport& report);

}  // namespace tandem

#endif  // TANDEM_MODEL_SCORE_REPORT_H_
