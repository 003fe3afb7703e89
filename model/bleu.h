// Corpus BLEU as sacreBLEU computes it with its defaults (sacreBLEU 2.x `corpus_bleu`):
// tokenizer 13a, n-gram orders 1..4, smoothing 'exp', effective order off, no lowercasing,
// brevity penalty against the closest reference length (ties go to the shorter reference),
// one or more references per segment. Also BLEU per source-length bucket.
//
// Strings are UTF-8. Whitespace means what Python's str.split() splits on (ASCII blanks,
// U+001C..U+001F, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F,
// U+3000), because sacreBLEU splits with str.split(). Torch-free.
#ifndef TANDEM_MODEL_BLEU_H_
#define TANDEM_MODEL_BLEU_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

struct BleuOptions {
  // Highest n-gram order (sacreBLEU's max_ngram_order); 1..9.
  int max_ngram_order = 4;
};

// Sufficient statistics of BLEU, summed over segments.
struct BleuStats {
  int64_t sys_len = 0;           // hypothesis tokens
  int64_t ref_len = 0;           // closest-reference tokens
  std::vector<int64_t> matches;  // clipped n-gram matches, index n-1 for order n
  std::vector<int64_t> totals;   // hypothesis n-grams, index n-1 for order n

  BleuStats() : BleuStats(4) {}
  explicit BleuStats(int max_order) : matches(max_order, 0), totals(max_order, 0) {}
  void Add(const BleuStats& other);
};

struct BleuScore {
  double score = 0.0;              // 0..100
  std::vector<int64_t> counts;     // matches per order (sacreBLEU's `counts`)
  std::vector<int64_t> totals;     // hypothesis n-grams per order
  std::vector<double> precisions;  // percent, smoothed as sacreBLEU does ('exp')
  double bp = 0.0;                 // brevity penalty
  int64_t sys_len = 0;
  int64_t ref_len = 0;
  int num_refs = 1;

  double ratio() const { return ref_len > 0 ? static_cast<double>(sys_len) / ref_len : 0.0; }
  // sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:tandem"
  // (the version field names this implementation, not a sacreBLEU release).
  std::string Signature() const;
  // sacreBLEU's score line: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944
  // hyp_len = 17 ref_len = 18)".
  std::string Format() const;
};

// sacreBLEU's Tokenizer13a (mteval-v13a): drops "<skipped>", joins "-\n", turns "\n" into a
// space, unescapes &quot; &amp; &lt; &gt; (in that order), splits punctuation and symbols,
// splits '.' and ',' unless between digits, splits '-' after a digit; returns the tokens
// joined by single spaces. `line` must be valid UTF-8.
std::string Tokenize13a(absl::string_view line);

// Statistics of one segment: `hypothesis` and `references` are raw (untokenized) text; they
// are right-stripped and 13a-tokenized here, as sacreBLEU does.
BleuStats SegmentBleuStats(absl::string_view hypothesis,
                           const std::vector<absl::string_view>& references,
                           const BleuOptions& options = {});

// The score from summed statistics, exactly as sacreBLEU's BLEU.compute_bleu with
// smooth_method='exp' and effective_order=False.
BleuScore BleuFromStats(const BleuStats& stats, int num_refs = 1);

// Corpus BLEU. `references[k][i]` is the k-th reference of segment i (one vector per
// reference file, line-aligned with `hypotheses`). InvalidArgument when there is no
// reference stream, the streams differ in length from the hypotheses, or a segment is not
// valid UTF-8. An empty corpus scores 0 with zero counts (sacreBLEU raises instead).
absl::StatusOr<BleuScore> CorpusBleu(const std::vector<std::string>& hypotheses,
                                     const std::vector<std::vector<std::string>>& references,
                                     const BleuOptions& options = {});

// A source-length bucket: segments whose source has min_words..max_words words
// (max_words < 0: no upper limit).
struct LengthBucket {
  int min_words = 0;
  int max_words = -1;
  std::string Label() const;  // "1-10", "41+"
};

// Buckets from increasing upper bounds: {10, 20, 30, 40} gives 1-10, 11-20, 21-30, 31-40,
// 41+. Segments with an empty source (0 words) fall into the first bucket.
absl::StatusOr<std::vector<LengthBucket>> BucketsFromUpperBounds(const std::vector<int>& bounds);
// 1-10, 11-20, 21-30, 31-40, 41+.
std::vector<LengthBucket> DefaultLengthBuckets();

struct BucketBleu {
  LengthBucket bucket;
  int64_t segments = 0;
  BleuScore bleu;  // zero counts when the bucket is empty
};

// Checks a hypothesis stream against reference streams (BLEU and chrF share it): at least one
// reference stream, each as long as the hypotheses, every segment valid UTF-8.
absl::Status CheckScoreStreams(const std::vector<std::string>& hypotheses,
                               const std::vector<std::vector<std::string>>& references);

// Number of words of `text`: its Python str.split() fields.
int64_t CountSourceWords(absl::string_view text);

// Corpus BLEU per source-length bucket. `sources[i]` is the source of segment i; word counts
// come from whitespace splitting of the raw source. `buckets` must be contiguous and
// increasing (as BucketsFromUpperBounds makes them); a segment shorter than the first
// bucket's minimum counts in the first bucket.
absl::StatusOr<std::vector<BucketBleu>> BleuBySourceLength(
    const std::vector<std::string>& sources, const std::vector<std::string>& hypotheses,
    const std::vector<std::vector<std::string>>& references,
    const std::vector<LengthBucket>& buckets = DefaultLengthBuckets(),
    const BleuOptions& options = {});

namespace metrics_internal {

// Python's str.isspace() for one code point.
bool IsPythonSpace(char32_t c);
// Python str.split() without arguments.
std::vector<absl::string_view> SplitPythonWhitespace(absl::string_view text);
// Python str.rstrip() without arguments.
absl::string_view RStripPythonWhitespace(absl::string_view text);

}  // namespace metrics_internal
}  // namespace tandem

#endif  // TANDEM_MODEL_BLEU_H_
