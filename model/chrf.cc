#include "model/chrf.h"

#include <algorithm>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/utf8.h"
#include "model/bleu.h"

namespace tandem {
namespace {

using metrics_internal::IsPythonSpace;

using CharNgrams = std::vector<std::unordered_map<std::u32string, int64_t>>;

CharNgrams ExtractCharNgrams(absl::string_view text, const ChrfOptions& options) {
  std::u32string decoded;
  DecodeUtf8(text, &decoded);
  std::u32string chars;
  if (options.whitespace) {
    chars = std::move(decoded);
  } else {
    // ''.join(line.split()): every whitespace code point removed.
    for (char32_t c : decoded) {
      if (!IsPythonSpace(c)) chars.push_back(c);
    }
  }
  CharNgrams ngrams(options.char_order);
  for (int n = 1; n <= options.char_order; ++n) {
    if (chars.size() < static_cast<size_t>(n)) break;
    for (size_t i = 0; i + n <= chars.size(); ++i) ++ngrams[n - 1][chars.substr(i, n)];
  }
  return ngrams;
}

ChrfStats MatchStats(const CharNgrams& hyp, const CharNgrams& ref) {
  const int order = static_cast<int>(hyp.size());
  ChrfStats stats(order);
  for (int n = 0; n < order; ++n) {
    int64_t hyp_count = 0, match_count = 0, ref_count = 0;
    for (const auto& [ngram, count] : hyp[n]) {
      hyp_count += count;
      auto it = ref[n].find(ngram);
      if (it != ref[n].end()) match_count += std::min(count, it->second);
    }
    for (const auto& [ngram, count] : ref[n]) ref_count += count;
    // sacreBLEU: "Don't count hits if no reference exists for that n-gram".
    stats.hyp[n] = ref[n].empty() ? 0 : hyp_count;
    stats.ref[n] = ref_count;
    stats.match[n] = match_count;
  }
  return stats;
}


}  // namespace

void ChrfStats::Add(const ChrfStats& other) {
  const size_t order = std::max(hyp.size(), other.hyp.size());
  hyp.resize(order, 0);
  ref.resize(order, 0);
  match.resize(order, 0);
  for (size_t i = 0; i < other.hyp.size(); ++i) {
    hyp[i] += other.hyp[i];
    ref[i] += other.ref[i];
    match[i] += other.match[i];
  }
}

double ChrfFromStats(const ChrfStats& stats, int beta) {
  const double factor = static_cast<double>(beta) * beta;
  double avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (size_t i = 0; i < stats.hyp.size(); ++i) {
    if (stats.hyp[i] > 0 && stats.ref[i] > 0) {
      avg_prec += static_cast<double>(stats.match[i]) / static_cast<double>(stats.hyp[i]);
      avg_rec += static_cast<double>(stats.match[i]) / static_cast<double>(stats.ref[i]);
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  double score = (1 + factor) * avg_prec * avg_rec;
  score /= (factor * avg_prec) + avg_rec;
  return 100 * score;
}

ChrfStats SegmentChrfStats(absl::string_view hypothesis,
                           const std::vector<absl::string_view>& references,
                           const ChrfOptions& options) {
  const CharNgrams hyp = ExtractCharNgrams(hypothesis, options);
  ChrfStats best(options.char_order);
  double best_f = -1.0;
  for (absl::string_view reference : references) {
    ChrfStats stats = MatchStats(hyp, ExtractCharNgrams(reference, options));
    const double f = ChrfFromStats(stats, options.beta);
    if (f > best_f) {
      best_f = f;
      best = std::move(stats);
    }
  }
  return best;
}

absl::StatusOr<ChrfScore> CorpusChrf(const std::vector<std::string>& hypotheses,
                                     const std::vector<std::vector<std::string>>& references,
                                     const ChrfOptions& options) {
  if (options.char_order < 1 || options.char_order > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("char_order must be 1..16, got ", options.char_order));
  }
  if (options.beta < 0) {
    return absl::InvalidArgumentError(absl::StrCat("beta must be >= 0, got ", options.beta));
  }
  if (absl::Status s = CheckScoreStreams(hypotheses, references); !s.ok()) return s;
  ChrfScore result;
  result.char_order = options.char_order;
  result.beta = options.beta;
  result.whitespace = options.whitespace;
  result.num_refs = static_cast<int>(references.size());
  result.stats = ChrfStats(options.char_order);
  std::vector<absl::string_view> refs(references.size());
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    for (size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    result.stats.Add(SegmentChrfStats(hypotheses[i], refs, options));
  }
  result.score = ChrfFromStats(result.stats, options.beta);
  return result;
}

std::string ChrfScore::Name() const { return absl::StrCat("chrF", beta); }

std::string ChrfScore::Signature() const {
  return absl::StrCat("nrefs:", num_refs, "|case:mixed|eff:yes|nc:", char_order,
                      "|nw:0|space:", whitespace ? "yes" : "no", "|version:tandem");
}

std::string ChrfScore::Format() const { return absl::StrFormat("%s = %.2f", Name(), score); }

}  // namespace tandem
