#include "model/bleu.h"

#include <cmath>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/utf8.h"

namespace tandem {
namespace metrics_internal {

bool IsPythonSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::vector<absl::string_view> SplitPythonWhitespace(absl::string_view text) {
  std::vector<absl::string_view> fields;
  size_t start = 0;
  bool in_field = false;
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    size_t len;
    const bool space = DecodeUtf8At(text, pos, &cp, &len) && IsPythonSpace(cp);
    if (space) {
      if (in_field) fields.push_back(text.substr(start, pos - start));
      in_field = false;
    } else if (!in_field) {
      in_field = true;
      start = pos;
    }
    pos += len;
  }
  if (in_field) fields.push_back(text.substr(start));
  return fields;
}

absl::string_view RStripPythonWhitespace(absl::string_view text) {
  size_t end = 0;  // one past the last non-space code point
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    size_t len;
    const bool space = DecodeUtf8At(text, pos, &cp, &len) && IsPythonSpace(cp);
    pos += len;
    if (!space) end = pos;
  }
  return text.substr(0, end);
}

}  // namespace metrics_internal

namespace {

using metrics_internal::RStripPythonWhitespace;
using metrics_internal::SplitPythonWhitespace;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The first regex of sacreBLEU's TokenizerRegexp: r'([\{-\~\[-\` -\&\(-\+\:-\@\/])'.
bool IsSplitSymbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// Python re.sub for a two-character pattern `first`,`second` with replacement built by
// `emit`: scan left to right, non-overlapping. Working on UTF-8 bytes gives the same result
// as on code points because every pattern's characters that can be non-ASCII ([^0-9]) are
// never followed, inside one match, by a byte that could start the next match.
template <typename First, typename Second, typename Emit>
std::string SubPairs(const std::string& s, First first, Second second, Emit emit) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      emit(s[i], s[i + 1], &out);
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

std::string TokenizeRegexp(const std::string& line) {
  std::string s;
  s.reserve(line.size() * 2);
  for (char c : line) {
    if (IsSplitSymbol(c)) {
      s.push_back(' ');
      s.push_back(c);
      s.push_back(' ');
    } else {
      s.push_back(c);
    }
  }
  auto is_period_comma = [](char c) { return c == '.' || c == ','; };
  auto not_digit = [](char c) { return !IsDigit(c); };
  // r'([^0-9])([\.,])' -> r'\1 \2 '
  s = SubPairs(s, not_digit, is_period_comma, [](char a, char b, std::string* out) {
    out->push_back(a);
    out->push_back(' ');
    out->push_back(b);
    out->push_back(' ');
  });
  // r'([\.,])([^0-9])' -> r' \1 \2'
  s = SubPairs(s, is_period_comma, not_digit, [](char a, char b, std::string* out) {
    out->push_back(' ');
    out->push_back(a);
    out->push_back(' ');
    out->push_back(b);
  });
  // r'([0-9])(-)' -> r'\1 \2 '
  s = SubPairs(
      s, IsDigit, [](char c) { return c == '-'; },
      [](char a, char b, std::string* out) {
        out->push_back(a);
        out->push_back(' ');
        out->push_back(b);
        out->push_back(' ');
      });
  return absl::StrJoin(SplitPythonWhitespace(s), " ");
}

// Counts of all n-grams of orders 1..max_order; the key is the n-gram's tokens joined by
// single spaces (tokens never contain whitespace, so keys of different n-grams differ).
using NgramCounts = std::vector<std::unordered_map<std::string, int64_t>>;

NgramCounts ExtractNgrams(const std::vector<absl::string_view>& tokens, int max_order) {
  NgramCounts counts(max_order);
  for (int n = 1; n <= max_order; ++n) {
    if (tokens.size() < static_cast<size_t>(n)) break;
    for (size_t i = 0; i + n <= tokens.size(); ++i) {
      std::string key(tokens[i]);
      for (int k = 1; k < n; ++k) absl::StrAppend(&key, " ", tokens[i + k]);
      ++counts[n - 1][key];
    }
  }
  return counts;
}

int64_t ClosestRefLength(int64_t hyp_len, const std::vector<int64_t>& ref_lens) {
  int64_t closest_diff = -1, closest_len = -1;
  for (int64_t ref_len : ref_lens) {
    const int64_t diff = std::llabs(hyp_len - ref_len);
    if (closest_diff == -1 || diff < closest_diff) {
      closest_diff = diff;
      closest_len = ref_len;
    } else if (diff == closest_diff && ref_len < closest_len) {
      closest_len = ref_len;
    }
  }
  return closest_len;
}

// sacreBLEU's my_log: log floored at -9999999999 for 0.
double MyLog(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }


}  // namespace

absl::Status CheckScoreStreams(const std::vector<std::string>& hypotheses,
                          const std::vector<std::vector<std::string>>& references) {
  if (references.empty()) return absl::InvalidArgumentError("no reference stream given");
  for (size_t k = 0; k < references.size(); ++k) {
    if (references[k].size() != hypotheses.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference stream ", k + 1, " has ", references[k].size(),
                       " segments but there are ", hypotheses.size(), " hypotheses"));
    }
  }
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    if (!IsValidUtf8(hypotheses[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("hypothesis segment ", i + 1, " is not valid UTF-8"));
    }
    for (size_t k = 0; k < references.size(); ++k) {
      if (!IsValidUtf8(references[k][i])) {
        return absl::InvalidArgumentError(
            absl::StrCat("reference stream ", k + 1, " segment ", i + 1, " is not valid UTF-8"));
      }
    }
  }
  return absl::OkStatus();
}

void BleuStats::Add(const BleuStats& other) {
  sys_len += other.sys_len;
  ref_len += other.ref_len;
  if (matches.size() < other.matches.size()) matches.resize(other.matches.size(), 0);
  if (totals.size() < other.totals.size()) totals.resize(other.totals.size(), 0);
  for (size_t i = 0; i < other.matches.size(); ++i) matches[i] += other.matches[i];
  for (size_t i = 0; i < other.totals.size(); ++i) totals[i] += other.totals[i];
}

std::string Tokenize13a(absl::string_view raw) {
  std::string line(raw);
  line = absl::StrReplaceAll(line, {{"<skipped>", ""}});
  line = absl::StrReplaceAll(line, {{"-\n", ""}});
  line = absl::StrReplaceAll(line, {{"\n", " "}});
  if (line.find('&') != std::string::npos) {
    // One replacement at a time, in sacreBLEU's order ("&amp;quot;" becomes "&quot;").
    line = absl::StrReplaceAll(line, {{"&quot;", "\""}});
    line = absl::StrReplaceAll(line, {{"&amp;", "&"}});
    line = absl::StrReplaceAll(line, {{"&lt;", "<"}});
    line = absl::StrReplaceAll(line, {{"&gt;", ">"}});
  }
  return TokenizeRegexp(absl::StrCat(" ", line, " "));
}

BleuStats SegmentBleuStats(absl::string_view hypothesis,
                           const std::vector<absl::string_view>& references,
                           const BleuOptions& options) {
  const int max_order = options.max_ngram_order;
  BleuStats stats(max_order);

  // Merged reference counts: per n-gram, the maximum count over the references.
  NgramCounts ref_counts(max_order);
  std::vector<int64_t> ref_lens;
  for (absl::string_view ref : references) {
    const std::string tokenized = Tokenize13a(RStripPythonWhitespace(ref));
    const std::vector<absl::string_view> tokens = SplitPythonWhitespace(tokenized);
    ref_lens.push_back(static_cast<int64_t>(tokens.size()));
    NgramCounts counts = ExtractNgrams(tokens, max_order);
    for (int n = 0; n < max_order; ++n) {
      for (auto& [ngram, count] : counts[n]) {
        int64_t& merged = ref_counts[n][ngram];
        if (count > merged) merged = count;
      }
    }
  }

  const std::string tokenized = Tokenize13a(RStripPythonWhitespace(hypothesis));
  const std::vector<absl::string_view> tokens = SplitPythonWhitespace(tokenized);
  stats.sys_len = static_cast<int64_t>(tokens.size());
  stats.ref_len = ClosestRefLength(stats.sys_len, ref_lens);
  const NgramCounts hyp_counts = ExtractNgrams(tokens, max_order);
  for (int n = 0; n < max_order; ++n) {
    for (const auto& [ngram, count] : hyp_counts[n]) {
      stats.totals[n] += count;
      auto it = ref_counts[n].find(ngram);
      if (it != ref_counts[n].end()) stats.matches[n] += std::min(count, it->second);
    }
  }
  return stats;
}

BleuScore BleuFromStats(const BleuStats& stats, int num_refs) {
  const int max_order = static_cast<int>(stats.totals.size());
  BleuScore score;
  score.counts = stats.matches;
  score.totals = stats.totals;
  score.sys_len = stats.sys_len;
  score.ref_len = stats.ref_len;
  score.num_refs = num_refs;
  score.precisions.assign(max_order, 0.0);

  if (stats.sys_len < stats.ref_len) {
    score.bp = stats.sys_len > 0
                   ? std::exp(1.0 - static_cast<double>(stats.ref_len) / stats.sys_len)
                   : 0.0;
  } else {
    score.bp = 1.0;
  }

  bool any_match = false;
  for (int64_t m : stats.matches) any_match = any_match || m != 0;
  if (!any_match) return score;  // sacreBLEU's early stop (#141): 0 with zero precisions

  double smooth_mteval = 1.0;
  for (int n = 1; n <= max_order; ++n) {
    const int64_t total = stats.totals[n - 1];
    const int64_t correct = stats.matches[n - 1];
    if (total == 0) break;
    if (correct == 0) {
      smooth_mteval *= 2;
      score.precisions[n - 1] = 100.0 / (smooth_mteval * static_cast<double>(total));
    } else {
      score.precisions[n - 1] = 100.0 * static_cast<double>(correct) / static_cast<double>(total);
    }
  }
  double log_sum = 0.0;
  for (int n = 0; n < max_order; ++n) log_sum += MyLog(score.precisions[n]);
  score.score = score.bp * std::exp(log_sum / max_order);
  return score;
}

std::string BleuScore::Signature() const {
  return absl::StrCat("nrefs:", num_refs, "|case:mixed|eff:no|tok:13a|smooth:exp|version:tandem");
}

std::string BleuScore::Format() const {
  std::vector<std::string> precs;
  for (double p : precisions) precs.push_back(absl::StrFormat("%.1f", p));
  return absl::StrFormat("BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)", score,
                         absl::StrJoin(precs, "/"), bp, ratio(), sys_len, ref_len);
}

absl::StatusOr<BleuScore> CorpusBleu(const std::vector<std::string>& hypotheses,
                                     const std::vector<std::vector<std::string>>& references,
                                     const BleuOptions& options) {
  if (options.max_ngram_order < 1 || options.max_ngram_order > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_ngram_order must be 1..9, got ", options.max_ngram_order));
  }
  if (absl::Status s = CheckScoreStreams(hypotheses, references); !s.ok()) return s;
  BleuStats total(options.max_ngram_order);
  std::vector<absl::string_view> refs(references.size());
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    for (size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    total.Add(SegmentBleuStats(hypotheses[i], refs, options));
  }
  return BleuFromStats(total, static_cast<int>(references.size()));
}

std::string LengthBucket::Label() const {
  if (max_words < 0) return absl::StrCat(min_words, "+");
  return absl::StrCat(min_words, "-", max_words);
}

absl::StatusOr<std::vector<LengthBucket>> BucketsFromUpperBounds(const std::vector<int>& bounds) {
  std::vector<LengthBucket> buckets;
  int next_min = 1;
  for (int bound : bounds) {
    if (bound < next_min) {
      return absl::InvalidArgumentError(
          absl::StrCat("bucket upper bounds must be positive and strictly increasing; got ", bound,
                       " after ", next_min - 1));
    }
    buckets.push_back({next_min, bound});
    next_min = bound + 1;
  }
  buckets.push_back({next_min, -1});
  return buckets;
}

std::vector<LengthBucket> DefaultLengthBuckets() {
  return {{1, 10}, {11, 20}, {21, 30}, {31, 40}, {41, -1}};
}

int64_t CountSourceWords(absl::string_view text) {
  return static_cast<int64_t>(SplitPythonWhitespace(text).size());
}

absl::StatusOr<std::vector<BucketBleu>> BleuBySourceLength(
    const std::vector<std::string>& sources, const std::vector<std::string>& hypotheses,
    const std::vector<std::vector<std::string>>& references,
    const std::vector<LengthBucket>& buckets, const BleuOptions& options) {
  if (buckets.empty()) return absl::InvalidArgumentError("no length buckets given");
  for (size_t b = 0; b < buckets.size(); ++b) {
    const LengthBucket& bucket = buckets[b];
    const bool last = b + 1 == buckets.size();
    if ((bucket.max_words >= 0 && bucket.max_words < bucket.min_words) ||
        (!last && bucket.max_words < 0) ||
        (!last && buckets[b + 1].min_words != bucket.max_words + 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("length buckets must be contiguous and increasing; bucket ", b + 1, " is ",
                       bucket.Label()));
    }
  }
  if (sources.size() != hypotheses.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "there are ", sources.size(), " source segments but ", hypotheses.size(), " hypotheses"));
  }
  if (options.max_ngram_order < 1 || options.max_ngram_order > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_ngram_order must be 1..9, got ", options.max_ngram_order));
  }
  if (absl::Status s = CheckScoreStreams(hypotheses, references); !s.ok()) return s;

  std::vector<BleuStats> stats(buckets.size(), BleuStats(options.max_ngram_order));
  std::vector<int64_t> segments(buckets.size(), 0);
  std::vector<absl::string_view> refs(references.size());
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const int64_t words = CountSourceWords(sources[i]);
    size_t b = 0;
    while (b + 1 < buckets.size() && buckets[b].max_words >= 0 && words > buckets[b].max_words) {
      ++b;
    }
    for (size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    stats[b].Add(SegmentBleuStats(hypotheses[i], refs, options));
    ++segments[b];
  }
  std::vector<BucketBleu> result;
  for (size_t b = 0; b < buckets.size(); ++b) {
    result.push_back(
        {buckets[b], segments[b], BleuFromStats(stats[b], static_cast<int>(references.size()))});
  }
  return result;
}

}  // namespace tandem
