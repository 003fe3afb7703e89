// Corpus BLEU as sacreBLEU computes it (13a, order 4, 'exp' smoothing, closest ref length).
// Expected values are worked out by hand in the comments; the README example of sacreBLEU
// gives a published figure (48.530827, sacreBLEU's own test_bleu.py).
#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/bleu.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

BleuScore Bleu(const std::vector<std::string>& hyps,
               const std::vector<std::vector<std::string>>& refs) {
  absl::StatusOr<BleuScore> score = CorpusBleu(hyps, refs);
  EXPECT_OK(score);
  return score.ok() ? *score : BleuScore{};
}

TEST(Tokenize13aTest, SplitsPunctuationAndSymbols) {
  EXPECT_EQ(Tokenize13a("Hello, world!"), "Hello , world !");
  EXPECT_EQ(Tokenize13a("(a)[b]{c} 50% @u a/b #1"), "( a ) [ b ] { c } 50 % @ u a / b # 1");
  // Apostrophes and hyphens inside words stay; a hyphen after a digit is split.
  EXPECT_EQ(Tokenize13a("don't x-ray 12-3"), "don't x-ray 12 - 3");
}

TEST(Tokenize13aTest, NumbersKeepInnerCommasAndPeriods) {
  // '.' and ',' split unless both neighbours are digits: "1,000.50" stays whole, the final
  // period is split; ".5" loses its period, "5." too.
  EXPECT_EQ(Tokenize13a("It costs $1,000.50."), "It costs $ 1,000.50 .");
  EXPECT_EQ(Tokenize13a("U.S. 3.14 .5 5. a,b 1,5"), "U . S . 3.14 . 5 5 . a , b 1,5");
}

TEST(Tokenize13aTest, UnescapesEntitiesAndSkipsTags) {
  EXPECT_EQ(Tokenize13a("AT&amp;T &quot;Hi&quot; &lt;b&gt;"), "AT & T \" Hi \" < b >");
  // Replacements run one after another, so "&amp;quot;" becomes "&quot;", then '&' and ';'
  // are split as symbols.
  EXPECT_EQ(Tokenize13a("&amp;quot;"), "& quot ;");
  EXPECT_EQ(Tokenize13a("a <skipped> b"), "a b");
  EXPECT_EQ(Tokenize13a("hy-\nphen and\nnewline"), "hyphen and newline");
}

TEST(Tokenize13aTest, UnicodeWordsAndSpaces) {
  EXPECT_EQ(Tokenize13a("caf\xC3\xA9. ni\xC3\xB1o,"), "caf\xC3\xA9 . ni\xC3\xB1o ,");
  // U+00A0 and U+3000 are whitespace for Python's str.split().
  EXPECT_EQ(Tokenize13a("a\xC2\xA0"
                        "b\xE3\x80\x80"
                        "c"),
            "a b c");
}

TEST(BleuTest, PerfectMatchIs100) {
  BleuScore s = Bleu({"The cat sat on the mat.", "A second, longer sentence here."},
                     {{"The cat sat on the mat.", "A second, longer sentence here."}});
  EXPECT_DOUBLE_EQ(s.score, 100.0);
  EXPECT_DOUBLE_EQ(s.bp, 1.0);
  EXPECT_EQ(s.counts, s.totals);
}

TEST(BleuTest, NoOverlapIsZero) {
  BleuScore s = Bleu({"a b c d"}, {{"e f g h"}});
  EXPECT_EQ(s.score, 0.0);
  EXPECT_THAT(s.counts, ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(s.totals, ElementsAre(4, 3, 2, 1));
  EXPECT_THAT(s.precisions, ElementsAre(0, 0, 0, 0));  // sacreBLEU's early stop
}

TEST(BleuTest, EmptyHypothesisIsZero) {
  BleuScore s = Bleu({"", ""}, {{"the cat", "a dog barks"}});
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.sys_len, 0);
  EXPECT_EQ(s.ref_len, 5);
  EXPECT_EQ(s.bp, 0.0);
}

TEST(BleuTest, EmptyCorpusIsZero) {
  BleuScore s = Bleu({}, {{}});
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.sys_len, 0);
  EXPECT_EQ(s.ref_len, 0);
  EXPECT_THAT(s.totals, ElementsAre(0, 0, 0, 0));
}

TEST(BleuTest, ShortCaseWorkedByHand) {
  // hyp: the cat sat on the mat     ref: the cat is on the mat       (6 tokens each)
  // 1-grams hyp: the x2, cat, sat, on, mat = 6; clipped matches the 2, cat, on, mat = 5
  // 2-grams hyp: the cat, cat sat, sat on, on the, the mat = 5;
  //   in ref: the cat, on the, the mat = 3
  // 3-grams hyp: the cat sat, cat sat on, sat on the, on the mat = 4; in ref: on the mat = 1
  // 4-grams hyp: the cat sat on, cat sat on the, sat on the mat = 3; in ref: none = 0
  // precisions: 5/6, 3/5, 1/4, and 'exp' smoothing for the zero: 1/(2*3) = 1/6
  // bp = 1 (6 = 6); BLEU = (5/6 * 3/5 * 1/4 * 1/6)^(1/4) = (1/48)^(1/4) = 0.3799178...
  BleuScore s = Bleu({"the cat sat on the mat"}, {{"the cat is on the mat"}});
  EXPECT_THAT(s.counts, ElementsAre(5, 3, 1, 0));
  EXPECT_THAT(s.totals, ElementsAre(6, 5, 4, 3));
  EXPECT_NEAR(s.precisions[0], 100.0 * 5 / 6, 1e-12);
  EXPECT_NEAR(s.precisions[1], 60.0, 1e-12);
  EXPECT_NEAR(s.precisions[2], 25.0, 1e-12);
  EXPECT_NEAR(s.precisions[3], 100.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(s.bp, 1.0);
  EXPECT_NEAR(s.score, 100.0 * std::pow(1.0 / 48, 0.25), 1e-9);
  EXPECT_NEAR(s.score, 37.99178428257963, 1e-9);
  EXPECT_EQ(s.Format(),
            "BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)");
}

TEST(BleuTest, ExpSmoothingDoublesForEachZeroOrder) {
  // hyp "a b x c d" vs ref "a b y c d": 1-grams 4/5, 2-grams (a b, c d) 2/4,
  // 3-grams 0/3 -> 1/(2*3), 4-grams 0/2 -> 1/(4*2).
  // BLEU = (4/5 * 1/2 * 1/6 * 1/8)^(1/4) = (1/120)^(1/4)
  BleuScore s = Bleu({"a b x c d"}, {{"a b y c d"}});
  EXPECT_THAT(s.counts, ElementsAre(4, 2, 0, 0));
  EXPECT_NEAR(s.precisions[2], 100.0 / 6, 1e-12);
  EXPECT_NEAR(s.precisions[3], 100.0 / 8, 1e-12);
  EXPECT_NEAR(s.score, 100.0 * std::pow(1.0 / 120, 0.25), 1e-9);
}

TEST(BleuTest, NoFourGramsScoresZero) {
  // Three-token hypotheses have no 4-grams: sacreBLEU stops at the empty order, leaving its
  // precision 0, and log(0) is floored at -9999999999, so the score is 0.
  BleuScore s = Bleu({"the cat sat"}, {{"the cat sat"}});
  EXPECT_THAT(s.totals, ElementsAre(3, 2, 1, 0));
  EXPECT_EQ(s.score, 0.0);
}

TEST(BleuTest, BrevityPenalty) {
  // hyp "the cat sat on" (4) vs ref "the cat sat on the mat" (6): all precisions 100%,
  // bp = exp(1 - 6/4) = exp(-0.5) = 0.6065306597
  BleuScore s = Bleu({"the cat sat on"}, {{"the cat sat on the mat"}});
  EXPECT_NEAR(s.bp, std::exp(-0.5), 1e-12);
  EXPECT_NEAR(s.score, 100.0 * std::exp(-0.5), 1e-9);
  EXPECT_NEAR(s.ratio(), 4.0 / 6, 1e-12);
  // A longer hypothesis gets no penalty.
  BleuScore longer = Bleu({"the cat sat on the mat today"}, {{"the cat sat on the mat"}});
  EXPECT_DOUBLE_EQ(longer.bp, 1.0);
}

TEST(BleuTest, TwoReferencesUseClosestLength) {
  // hyp has 5 tokens; refs have 8 and 4 tokens: 4 is closer (|5-4| = 1 < 3).
  BleuScore s = Bleu({"a b c d e"}, {{"a b c d e f g h"}, {"a b c d"}});
  EXPECT_EQ(s.ref_len, 4);
  EXPECT_DOUBLE_EQ(s.score, 100.0);  // every n-gram is in the first reference
  EXPECT_EQ(s.num_refs, 2);
  EXPECT_EQ(s.Signature(), "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:tandem");
  // A tie (4 and 6 tokens around 5) goes to the shorter reference.
  BleuScore tie = Bleu({"a b c d e"}, {{"a b c d e f"}, {"a b c d"}});
  EXPECT_EQ(tie.ref_len, 4);
  BleuScore tie2 = Bleu({"a b c d e"}, {{"a b c d"}, {"a b c d e f"}});
  EXPECT_EQ(tie2.ref_len, 4);
}

TEST(BleuTest, MultipleReferencesClipToMaxCount) {
  // "the" x4 in the hypothesis; refs hold it once and twice: clipped to max(1, 2) = 2.
  BleuScore s = Bleu({"the the the the"}, {{"the cat"}, {"the the dog"}});
  EXPECT_EQ(s.counts[0], 2);
  EXPECT_EQ(s.totals[0], 4);
  EXPECT_EQ(s.counts[1], 1);  // "the the" appears in ref 2 once
}

TEST(BleuTest, SacreBleuReadmeExample) {
  // sacreBLEU's test_bleu.py: corpus_bleu(_hyps, _refs) == 48.530827 with default settings.
  std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                   "The man had just bitten him."};
  std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  BleuScore s = Bleu(hyps, refs);
  EXPECT_NEAR(s.score, 48.530827, 1e-6);
  EXPECT_EQ(s.Format(),
            "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 "
            "ref_len = 18)");
}

TEST(BleuTest, TrailingWhitespaceIsStripped) {
  BleuScore s = Bleu({"the cat sat on the mat  \t"}, {{"the cat sat on the mat\r"}});
  EXPECT_DOUBLE_EQ(s.score, 100.0);
}

TEST(BleuTest, ErrorsOnMismatchedStreamsAndBadUtf8) {
  EXPECT_THAT(CorpusBleu({"a", "b"}, {{"a"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reference stream 1 has 1 segments but there are 2 hypotheses")));
  EXPECT_THAT(CorpusBleu({"a"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no reference stream given")));
  EXPECT_THAT(CorpusBleu({"ok", "bad \xFF"}, {{"ok", "ok"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("hypothesis segment 2 is not valid UTF-8")));
}

TEST(BleuBucketsTest, DefaultBucketsAndLabels) {
  std::vector<std::string> labels;
  for (const LengthBucket& b : DefaultLengthBuckets()) labels.push_back(b.Label());
  EXPECT_THAT(labels, ElementsAre("1-10", "11-20", "21-30", "31-40", "41+"));
  absl::StatusOr<std::vector<LengthBucket>> custom = BucketsFromUpperBounds({5, 15});
  ASSERT_OK(custom);
  labels.clear();
  for (const LengthBucket& b : *custom) labels.push_back(b.Label());
  EXPECT_THAT(labels, ElementsAre("1-5", "6-15", "16+"));
  EXPECT_THAT(BucketsFromUpperBounds({10, 10}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("strictly increasing; got 10 after 10")));
  EXPECT_THAT(BucketsFromUpperBounds({0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be positive and strictly increasing; got 0 after 0")));
}

TEST(BleuBucketsTest, SplitsBySourceWordCount) {
  auto words = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "w ";
    return s;
  };
  // Sources of 3, 12, 45 and 10 words: buckets 1-10 (2 segments), 11-20 (1), 41+ (1).
  std::vector<std::string> src = {words(3), words(12), words(45), words(10)};
  std::vector<std::string> hyp = {"the cat sat on the mat", "a b c d", "x y z w v",
                                  "one two three four"};
  std::vector<std::vector<std::string>> ref = {
      {"the cat sat on the mat", "e f g h", "x y z w v", "one two three four"}};
  absl::StatusOr<std::vector<BucketBleu>> buckets = BleuBySourceLength(src, hyp, ref);
  ASSERT_OK(buckets);
  ASSERT_EQ(buckets->size(), 5u);
  EXPECT_EQ((*buckets)[0].segments, 2);
  EXPECT_DOUBLE_EQ((*buckets)[0].bleu.score, 100.0);
  EXPECT_EQ((*buckets)[1].segments, 1);
  EXPECT_EQ((*buckets)[1].bleu.score, 0.0);  // "a b c d" vs "e f g h"
  EXPECT_EQ((*buckets)[2].segments, 0);
  EXPECT_EQ((*buckets)[2].bleu.sys_len, 0);
  EXPECT_EQ((*buckets)[3].segments, 0);
  EXPECT_EQ((*buckets)[4].segments, 1);
  EXPECT_DOUBLE_EQ((*buckets)[4].bleu.score, 100.0);
  // The buckets' statistics add up to the corpus statistics.
  BleuScore corpus = Bleu(hyp, ref);
  int64_t sys = 0;
  for (const BucketBleu& b : *buckets) sys += b.bleu.sys_len;
  EXPECT_EQ(sys, corpus.sys_len);
}

TEST(BleuBucketsTest, EmptySourceGoesToFirstBucketAndErrors) {
  absl::StatusOr<std::vector<BucketBleu>> buckets =
      BleuBySourceLength({""}, {"a b c d"}, {{"a b c d"}});
  ASSERT_OK(buckets);
  EXPECT_EQ((*buckets)[0].segments, 1);
  EXPECT_THAT(BleuBySourceLength({"a", "b"}, {"a"}, {{"a"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("there are 2 source segments but 1 hypotheses")));
  EXPECT_THAT(BleuBySourceLength({"a"}, {"a"}, {{"a"}}, {{1, 5}, {7, -1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be contiguous and increasing; bucket 1 is 1-5")));
}

}  // namespace
}  // namespace tandem
