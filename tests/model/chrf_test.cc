// chrF as sacreBLEU 2.x computes it by default (char order 6, beta 2, whitespace removed,
// effective-order averaging). Small cases are worked out by hand in the comments.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/chrf.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ChrfScore Chrf(const std::vector<std::string>& hyps,
               const std::vector<std::vector<std::string>>& refs, ChrfOptions options = {}) {
  absl::StatusOr<ChrfScore> score = CorpusChrf(hyps, refs, options);
  EXPECT_OK(score);
  return score.ok() ? *score : ChrfScore{};
}

TEST(ChrfTest, PerfectIs100) {
  ChrfScore s = Chrf({"Niemand hat die Absicht, eine Mauer zu errichten"},
                     {{"Niemand hat die Absicht, eine Mauer zu errichten"}});
  EXPECT_NEAR(s.score, 100.0, 1e-9);
  EXPECT_EQ(s.Name(), "chrF2");
  EXPECT_EQ(s.Signature(), "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:tandem");
}

TEST(ChrfTest, DisjointIsZero) {
  EXPECT_EQ(Chrf({"abcdefg"}, {{"hijklmnop"}}).score, 0.0);
  EXPECT_EQ(Chrf({""}, {{"reference"}}).score, 0.0);
  EXPECT_EQ(Chrf({}, {{}}).score, 0.0);  // empty corpus
}

TEST(ChrfTest, WhitespaceIsRemoved) {
  // "a b c" and "abc" are the same character sequence once whitespace is removed.
  EXPECT_NEAR(Chrf({"a b c"}, {{"abc"}}).score, 100.0, 1e-9);
}

TEST(ChrfTest, SmallCaseWorkedByHand) {
  // hyp "abc", ref "abd":
  //   1-grams: hyp a b c, ref a b d, matches 2 -> P = 2/3, R = 2/3
  //   2-grams: hyp ab bc, ref ab bd, matches 1 -> P = 1/2, R = 1/2
  //   3-grams: hyp abc, ref abd, matches 0   -> P = 0,   R = 0
  //   4..6-grams: none on either side -> not counted (effective order 3)
  // avg P = avg R = (2/3 + 1/2 + 0) / 3 = 7/18; F2 of equal P and R is 7/18 = 38.888...%
  ChrfScore s = Chrf({"abc"}, {{"abd"}});
  EXPECT_THAT(s.stats.hyp, ElementsAre(3, 2, 1, 0, 0, 0));
  EXPECT_THAT(s.stats.ref, ElementsAre(3, 2, 1, 0, 0, 0));
  EXPECT_THAT(s.stats.match, ElementsAre(2, 1, 0, 0, 0, 0));
  EXPECT_NEAR(s.score, 100.0 * 7 / 18, 1e-9);
}

TEST(ChrfTest, RecallWeightedByBeta) {
  // hyp "ab", ref "abcd":
  //   1-grams: hyp 2, ref 4, match 2 -> P = 1, R = 1/2
  //   2-grams: hyp 1 (ab), ref 3, match 1 -> P = 1, R = 1/3
  //   3-grams: hyp 0, ref 2; 4-grams: hyp 0, ref 1 -> no hypothesis n-grams, not counted
  // avg P = 1, avg R = (1/2 + 1/3) / 2 = 5/12
  // F2 = (1 + 4) * P * R / (4 * P + R) = (25/12) / (53/12) = 25/53 = 47.1698...%
  ChrfScore s = Chrf({"ab"}, {{"abcd"}});
  EXPECT_NEAR(s.score, 100.0 * 25 / 53, 1e-9);
  // With beta 1 it is the plain F1: 2 * 5/12 / (17/12) = 10/17.
  ChrfOptions beta1;
  beta1.beta = 1;
  EXPECT_NEAR(Chrf({"ab"}, {{"abcd"}}, beta1).score, 100.0 * 10 / 17, 1e-9);
}

TEST(ChrfTest, CorpusStatisticsAreSummedBeforeTheScore) {
  // "aa" vs "ab": 1-grams P = R = 1/2; 2-grams 0/1, 0/1; others empty -> 25 (sacreBLEU's
  // test_chrf.py gives 25.0 for this case with eps_smoothing off).
  EXPECT_NEAR(Chrf({"aa"}, {{"ab"}}).score, 25.0, 1e-9);
  // {"a", "b"} vs {"a", "c"}: summed 1-grams 2 hyp, 2 ref, 1 match -> P = R = 1/2 -> 50
  // (test_chrf.py: 50.0). Averaging the two segment scores (100 and 0) would also give 50,
  // so add a third segment where the two differ:
  EXPECT_NEAR(Chrf({"a", "b"}, {{"a", "c"}}).score, 50.0, 1e-9);
  // {"abc", "x"} vs {"abc", "y"}: summed 1-grams 4/4 with 3 matches, 2-grams 2/2 with 2,
  // 3-grams 1/1 with 1: P = R = (3/4 + 1 + 1) / 3 = 11/12.
  EXPECT_NEAR(Chrf({"abc", "x"}, {{"abc", "y"}}).score, 100.0 * 11 / 12, 1e-9);
}

TEST(ChrfTest, MultipleReferencesPickBestPerSegment) {
  ChrfScore s = Chrf({"abc"}, {{"xyz"}, {"abc"}});
  EXPECT_NEAR(s.score, 100.0, 1e-9);
  EXPECT_EQ(s.num_refs, 2);
  // The sacreBLEU README example (two references) scores chrF2 = 59.73.
  std::vector<std::string> hyps = {"The dog bit the man.", "It wasn't surprising.",
                                   "The man had just bitten him."};
  std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  EXPECT_EQ(Chrf(hyps, refs).Format(), "chrF2 = 59.73");
}

TEST(ChrfTest, CountsUnicodeCodePoints) {
  // "é" is one character: "café" vs "cafe" share c a f, ca af, caf.
  // 1: 3/4, 2: 2/3, 3: 1/2, 4: 0/1 -> avg (3/4 + 2/3 + 1/2 + 0) / 4 = 23/48
  EXPECT_NEAR(Chrf({"caf\xC3\xA9"}, {{"cafe"}}).score, 100.0 * 23 / 48, 1e-9);
}

TEST(ChrfTest, Errors) {
  EXPECT_THAT(CorpusChrf({"a"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no reference stream given")));
  EXPECT_THAT(CorpusChrf({"a", "b"}, {{"a"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reference stream 1 has 1 segments but there are 2 hypotheses")));
  EXPECT_THAT(CorpusChrf({"\xC3"}, {{"a"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("hypothesis segment 1 is not valid UTF-8")));
  ChrfOptions bad_order;
  bad_order.char_order = 0;
  EXPECT_THAT(CorpusChrf({"a"}, {{"a"}}, bad_order),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("char_order must be 1..16")));
}

}  // namespace
}  // namespace tandem
