// chrF (Popović 2015) as sacreBLEU 2.x computes it with its defaults: character n-grams of
// orders 1..6, no word n-grams, beta 2, whitespace removed before extracting n-grams,
// statistics summed over the corpus, then precision and recall averaged over the orders that
// have both hypothesis and reference n-grams ("effective order", sacreBLEU's default
// eps_smoothing=False), and the F-beta score of those averages. With several references,
// each segment uses the reference whose own chrF is highest (the first on ties).
// Characters are Unicode code points of the UTF-8 input. Torch-free.
#ifndef TANDEM_MODEL_CHRF_H_
#define TANDEM_MODEL_CHRF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

struct ChrfOptions {
  int char_order = 6;       // 1..16
  int beta = 2;             // weight of recall; sacreBLEU takes an int
  bool whitespace = false;  // true: keep whitespace inside character n-grams
};

// Per order n (index n-1): hypothesis n-grams, reference n-grams, matched n-grams, exactly
// sacreBLEU's [hyp, ref, match] triplets (hyp is counted as 0 for an order where the
// reference has no n-grams).
struct ChrfStats {
  std::vector<int64_t> hyp;
  std::vector<int64_t> ref;
  std::vector<int64_t> match;

  ChrfStats() : ChrfStats(6) {}
  explicit ChrfStats(int order) : hyp(order, 0), ref(order, 0), match(order, 0) {}
  void Add(const ChrfStats& other);
};

struct ChrfScore {
  double score = 0.0;  // 0..100
  int char_order = 6;
  int beta = 2;
  bool whitespace = false;
  int num_refs = 1;
  ChrfStats stats;

  std::string Name() const;  // "chrF2"
  // "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:tandem"
  std::string Signature() const;
  std::string Format() const;  // "chrF2 = 59.73"
};

// The F-score (0..100) of summed statistics, as sacreBLEU's CHRF._compute_f_score with
// eps_smoothing=False.
double ChrfFromStats(const ChrfStats& stats, int beta);

// Statistics of one segment against its best reference (see above).
ChrfStats SegmentChrfStats(absl::string_view hypothesis,
                           const std::vector<absl::string_view>& references,
                           const ChrfOptions& options = {});

// Corpus chrF. `references[k][i]` is the k-th reference of segment i. InvalidArgument when
// there is no reference stream, stream lengths differ, or a segment is not valid UTF-8. An
// empty corpus scores 0.
absl::StatusOr<ChrfScore> CorpusChrf(const std::vector<std::string>& hypotheses,
                                     const std::vector<std::vector<std::string>>& references,
                                     const ChrfOptions& options = {});

}  // namespace tandem

#endif  // TANDEM_MODEL_CHRF_H_
