// Corpus reading and validation. A corpus is two line-aligned UTF-8 files (the Moses
// convention, e.g. train.en / train.es) or one TSV file ("source<TAB>target" a line).
//
// Rules (DESIGN.md section 6), applied line by line:
//   rejected (the whole job, with file and line named): a missing or unreadable file,
//     source and target with different line counts (both counts named), invalid UTF-8,
//     a line longer than kMaxLineBytes, a TSV line without exactly one TAB, a corpus with
//     no usable pair left.
//   dropped and counted: pairs with an empty side (after trimming spaces), pairs with more
//     than max_words words on either side.
//   normalised and counted: a trailing CR (CRLF files) is removed; a TAB inside a sentence
//     of the Moses pair becomes a space.
#ifndef TANDEM_DATA_CORPUS_H_
#define TANDEM_DATA_CORPUS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

inline constexpr uint64_t kMaxLineBytes = 64 * 1024;

struct CorpusFiles {
  std::string source;  // Moses pair ...
  std::string target;
  std::string tsv;     // ... or one TSV (exactly one of the two forms is set)
};

struct CorpusCounts {
  uint64_t input_pairs = 0;
  uint64_t kept_pairs = 0;
  uint64_t dropped_empty = 0;
  uint64_t dropped_too_long = 0;
  uint64_t crlf_stripped = 0;
  uint64_t tabs_replaced = 0;
};

// Reads the corpus, applies the rules above and calls `emit(source, target)` for every kept
// pair, in order. Returns the counts, or the first error (nothing is emitted after it; the
// caller discards what it wrote). `max_words` >= 1.
absl::StatusOr<CorpusCounts> ReadCorpus(
    const CorpusFiles& files, uint32_t max_words,
    const std::function<absl::Status(absl::string_view, absl::string_view)>& emit);

// Reads the corpus and writes the kept pairs to `out_tsv` as "source<TAB>target\n" (a
// temporary file renamed into place only on success, so a failed run leaves nothing).
absl::StatusOr<CorpusCounts> PrepareCorpusTsv(const CorpusFiles& files, uint32_t max_words,
                                              const std::string& out_tsv);

// Counts whitespace-separated words.
size_t CountWords(absl::string_view text);

}  // namespace tandem

#endif  // TANDEM_DATA_CORPUS_H_
