// ScoreFiles / FormatScoreReport over files in a temporary directory.
#include <cstdlib>
#include <string>
#include <vector>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/score_report.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ScoreReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string base = tmp != nullptr ? tmp : "/tmp";
    dir_ = base + "/metrics_score_report_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    EXPECT_OK(WriteFileAtomic(path, contents));
    return path;
  }
  std::string dir_;
};

TEST(SplitScoreLinesTest, PythonLineSemantics) {
  auto lines = SplitScoreLines("a \nb\r\n\nc", "f");
  ASSERT_OK(lines);
  EXPECT_THAT(*lines, ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(SplitScoreLines("x\n", "f"), IsOkAndHolds(ElementsAre("x")));
  EXPECT_THAT(SplitScoreLines("", "f"), IsOkAndHolds(::testing::IsEmpty()));
}

TEST(SplitScoreLinesTest, InvalidUtf8NamesFileAndLine) {
  EXPECT_THAT(SplitScoreLines("fine\nab\xFF"
                              "c\n",
                              "hyp.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("hyp.txt:2: invalid UTF-8 (byte 0xff at column 3)")));
}

TEST_F(ScoreReportTest, ScoresFilesWithBuckets) {
  const std::string ref = Write("ref.txt", "the cat sat on the mat\na b c d\n");
  const std::string hyp = Write("hyp.txt", "the cat sat on the mat\ne f g h\n");
  const std::string src =
      Write("src.txt", "el gato\n" + std::string(60, 'w') + " x y z w v u t s r q p\n");
  absl::StatusOr<ScoreReport> report = ScoreFiles({ref}, hyp, src);
  ASSERT_OK(report);
  EXPECT_EQ(report->segments, 2);
  EXPECT_EQ(report->bleu.sys_len, 10);
  ASSERT_EQ(report->buckets.size(), 5u);
  EXPECT_EQ(report->buckets[0].segments, 1);  // 2 words
  EXPECT_EQ(report->buckets[1].segments, 1);  // 12 words
  EXPECT_DOUBLE_EQ(report->buckets[0].bleu.score, 100.0);

  const std::string table = FormatScoreReport(*report);
  EXPECT_THAT(table, HasSubstr("BLEU  = "));
  EXPECT_THAT(table, HasSubstr("chrF2 = "));
  EXPECT_THAT(table, HasSubstr("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:tandem"));
  EXPECT_THAT(table, HasSubstr("1-10"));
  EXPECT_THAT(table, HasSubstr("41+"));
}

TEST_F(ScoreReportTest, NoSourceMeansNoBuckets) {
  const std::string ref = Write("ref.txt", "a b c d\n");
  const std::string hyp = Write("hyp.txt", "a b c d\n");
  absl::StatusOr<ScoreReport> report = ScoreFiles({ref}, hyp, "");
  ASSERT_OK(report);
  EXPECT_TRUE(report->buckets.empty());
  EXPECT_DOUBLE_EQ(report->bleu.score, 100.0);
}

TEST_F(ScoreReportTest, TwoReferenceFiles) {
  const std::string r1 = Write("r1.txt", "a b c d e f g h\n");
  const std::string r2 = Write("r2.txt", "a b c d\n");
  const std::string hyp = Write("hyp.txt", "a b c d e\n");
  absl::StatusOr<ScoreReport> report = ScoreFiles({r1, r2}, hyp, "");
  ASSERT_OK(report);
  EXPECT_EQ(report->bleu.ref_len, 4);
  EXPECT_EQ(report->bleu.num_refs, 2);
}

TEST_F(ScoreReportTest, MismatchedLineCountsNameBothFiles) {
  const std::string ref = Write("ref.txt", "one\ntwo\nthree\n");
  const std::string hyp = Write("hyp.txt", "one\ntwo\n");
  EXPECT_THAT(ScoreFiles({ref}, hyp, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line counts differ"), HasSubstr(ref + " has 3 lines"),
                             HasSubstr(hyp + " has 2 lines"))));

  const std::string src = Write("src.txt", "uno\n");
  const std::string hyp3 = Write("hyp3.txt", "one\ntwo\nthree\n");
  EXPECT_THAT(ScoreFiles({ref}, hyp3, src),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(src + " has 1 lines"), HasSubstr(hyp3 + " has 3 lines"))));
}

TEST_F(ScoreReportTest, OtherErrors) {
  const std::string hyp = Write("hyp.txt", "one\n");
  EXPECT_THAT(ScoreFiles({}, hyp, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no reference file given")));
  EXPECT_THAT(ScoreFiles({dir_ + "/nope.txt"}, hyp, ""),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_ + "/nope.txt")));
  const std::string bad = Write("bad.txt", "\xC0\xAF\n");  // overlong '/'
  EXPECT_THAT(ScoreFiles({bad}, hyp, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad + ":1: invalid UTF-8")));
}

}  // namespace
}  // namespace tandem
