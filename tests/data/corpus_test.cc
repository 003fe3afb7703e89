#include "data/corpus.h"

#include <sys/resource.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteText;

struct Collected {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::function<absl::Status(absl::string_view, absl::string_view)> Emit() {
    return [this](absl::string_view s, absl::string_view t) {
      pairs.emplace_back(std::string(s), std::string(t));
      return absl::OkStatus();
    };
  }
};

class CorpusTest : public ::testing::Test {
 protected:
  CorpusFiles Pair(const std::string& src, const std::string& tgt) {
    WriteText(dir_.Join("a.en"), src);
    WriteText(dir_.Join("a.es"), tgt);
    return {dir_.Join("a.en"), dir_.Join("a.es"), ""};
  }
  TempDir dir_;
};

TEST_F(CorpusTest, ReadsAlignedPairs) {
  Collected c;
  auto counts = ReadCorpus(Pair("one\ntwo words\n", "uno\ndos palabras\n"), 100, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->input_pairs, 2u);
  EXPECT_EQ(counts->kept_pairs, 2u);
  ASSERT_EQ(c.pairs.size(), 2u);
  EXPECT_EQ(c.pairs[1].first, "two words");
  EXPECT_EQ(c.pairs[1].second, "dos palabras");
}

TEST_F(CorpusTest, LastLineWithoutNewlineCounts) {
  Collected c;
  auto counts = ReadCorpus(Pair("a\nb", "x\ny"), 100, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->kept_pairs, 2u);
  ASSERT_EQ(c.pairs.size(), 2u);
  EXPECT_EQ(c.pairs[1].first, "b");
  EXPECT_EQ(c.pairs[1].second, "y");
}

TEST_F(CorpusTest, MissingFileNamesThePath) {
  Collected c;
  auto counts = ReadCorpus({dir_.Join("nope.en"), dir_.Join("nope.es"), ""}, 100, c.Emit());
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("cannot open corpus file " + dir_.Join("nope.en"))));
}

TEST_F(CorpusTest, MisalignedFilesNameBothCounts) {
  Collected c;
  auto counts = ReadCorpus(Pair("a\nb\nc\nd\n", "x\ny\n"), 100, c.Emit());
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("not line-aligned"), HasSubstr("a.en has 4 lines"),
                                     HasSubstr("a.es has 2 lines"))));
  // The other way round too.
  auto counts2 = ReadCorpus(Pair("a\n", "x\ny\nz\n"), 100, c.Emit());
  EXPECT_THAT(counts2,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("a.en has 1 lines but"), HasSubstr("a.es has 3 lines"))));
}

TEST_F(CorpusTest, InvalidUtf8NamesFileAndLine) {
  Collected c;
  auto counts = ReadCorpus(Pair("fine\nalso fine\n", "bien\nmal \xC3\x28\n"), 100, c.Emit());
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("a.es:2: invalid UTF-8 at byte 5")));
}

TEST_F(CorpusTest, EmptyCorpusIsRejected) {
  Collected c;
  auto counts = ReadCorpus(Pair("", ""), 100, c.Emit());
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("no usable sentence pair (0 lines read")));
  // Only empty lines: also nothing usable.
  auto blank = ReadCorpus(Pair("\n  \n", "x\n\n"), 100, c.Emit());
  EXPECT_THAT(blank, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("no usable sentence pair (2 lines read, 2 empty")));
}

TEST_F(CorpusTest, DropsEmptyAndOverlongAndCounts) {
  Collected c;
  auto counts = ReadCorpus(Pair("ok\n\nfour words are here\n  \nshort\n",
                                "bien\nvacío\ncuatro palabras aquí están\nx\n \n"),
                           3, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->input_pairs, 5u);
  EXPECT_EQ(counts->kept_pairs, 1u);
  EXPECT_EQ(counts->dropped_empty, 3u);
  EXPECT_EQ(counts->dropped_too_long, 1u);
  ASSERT_EQ(c.pairs.size(), 1u);
  EXPECT_EQ(c.pairs[0].first, "ok");
}

TEST_F(CorpusTest, CrlfIsStrippedAndCounted) {
  Collected c;
  auto counts = ReadCorpus(Pair("one\r\ntwo\r\n", "uno\r\ndos\n"), 100, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->crlf_stripped, 2u);
  ASSERT_EQ(c.pairs.size(), 2u);
  EXPECT_EQ(c.pairs[0].first, "one");
  EXPECT_EQ(c.pairs[0].second, "uno");
}

TEST_F(CorpusTest, TabsInsideSentencesBecomeSpaces) {
  Collected c;
  auto counts = ReadCorpus(Pair("a\tb\n", "x\n"), 100, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->tabs_replaced, 1u);
  ASSERT_EQ(c.pairs.size(), 1u);
  EXPECT_EQ(c.pairs[0].first, "a b");
}

TEST_F(CorpusTest, OverlongLineIsRejectedWithItsLine) {
  Collected c;
  std::string huge(kMaxLineBytes + 1, 'x');
  auto counts = ReadCorpus(Pair("a\n" + huge + "\n", "b\nc\n"), 100, c.Emit());
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("a.en:2: line is " + std::to_string(kMaxLineBytes + 1) +
                                         " bytes, more than the limit")));
}

// The length is checked while reading: a file with no line break at all (here 96 MiB) is
// refused without being held in memory.
TEST_F(CorpusTest, AHugeLineIsRefusedBeforeMemoryGrows) {
  {
    std::ofstream out(dir_.Join("huge.en"), std::ios::binary);
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 96; ++i) out << block;
  }
  WriteText(dir_.Join("huge.es"), "b\n");
  struct rusage before, after;
  ::getrusage(RUSAGE_SELF, &before);
  Collected c;
  auto counts = ReadCorpus({dir_.Join("huge.en"), dir_.Join("huge.es"), ""}, 100, c.Emit());
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_THAT(counts, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("huge.en:1: line is " + std::to_string(96 << 20))));
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 8 * 1024) << "KiB";
}

TEST_F(CorpusTest, LinesAreCountedWithOrWithoutAFinalNewline) {
  Collected c;
  EXPECT_THAT(ReadCorpus(Pair("a\nb\nc", "x\n"), 100, c.Emit()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has 3 lines but")));
  EXPECT_THAT(ReadCorpus(Pair("a\n", "x\ny\n\n"), 100, c.Emit()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has 3 lines")));
  auto ok = ReadCorpus(Pair("a\nb", "x\ny"), 100, c.Emit());
  ASSERT_OK(ok);
  EXPECT_EQ(ok->kept_pairs, 2u);
}

TEST_F(CorpusTest, TsvCorpus) {
  WriteText(dir_.Join("c.tsv"), "hello\thola\n\nbye\tadiós\r\n");
  Collected c;
  auto counts = ReadCorpus({"", "", dir_.Join("c.tsv")}, 100, c.Emit());
  ASSERT_OK(counts);
  EXPECT_EQ(counts->kept_pairs, 2u);
  EXPECT_EQ(counts->dropped_empty, 1u);
  EXPECT_EQ(c.pairs[1].second, "adiós");
  WriteText(dir_.Join("bad.tsv"), "hello\thola\nno tab here\n");
  auto bad = ReadCorpus({"", "", dir_.Join("bad.tsv")}, 100, c.Emit());
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("bad.tsv:2: expected exactly one TAB")));
}

TEST_F(CorpusTest, EitherPairOrTsv) {
  Collected c;
  const auto either =
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("give either train_source and train_target, or train_tsv"));
  EXPECT_THAT(ReadCorpus({"a", "b", "c"}, 100, c.Emit()), either);
  EXPECT_THAT(ReadCorpus({"", "", ""}, 100, c.Emit()), either);
  EXPECT_THAT(ReadCorpus({"a", "", ""}, 100, c.Emit()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("train_source and train_target must both be set")));
  EXPECT_TRUE(c.pairs.empty());
}

TEST_F(CorpusTest, PrepareWritesTsvOnlyOnSuccess) {
  const std::string out = dir_.Join("out.tsv");
  auto ok = PrepareCorpusTsv(Pair("a b\nc\n", "x y\nz\n"), 100, out);
  ASSERT_OK(ok);
  EXPECT_EQ(testing::ReadText(out), "a b\tx y\nc\tz\n");
  const std::string out2 = dir_.Join("out2.tsv");
  auto bad = PrepareCorpusTsv(Pair("a\nb\n", "x\n"), 100, out2);
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not line-aligned")));
  EXPECT_FALSE(PathExists(out2));
  EXPECT_FALSE(PathExists(out2 + ".partial"));
}

TEST(CountWordsTest, Cases) {
  EXPECT_EQ(CountWords(""), 0u);
  EXPECT_EQ(CountWords("   "), 0u);
  EXPECT_EQ(CountWords("one"), 1u);
  EXPECT_EQ(CountWords("  two  words "), 2u);
  EXPECT_EQ(CountWords("a\tb\nc"), 3u);
}

}  // namespace
}  // namespace tandem
