#include "common/checkpoint_files.h"

#include <string>
#include <vector>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

std::vector<int64_t> Steps(const std::string& dir) {
  std::vector<int64_t> steps;
  for (const CheckpointFile& f : ListCheckpoints(dir)) steps.push_back(f.step);
  return steps;
}

TEST(CheckpointFilesTest, NamesAreZeroPaddedAndParseBack) {
  EXPECT_EQ(CheckpointFileName(0), "step-0000000.ckpt");
  EXPECT_EQ(CheckpointFileName(42), "step-0000042.ckpt");
  EXPECT_EQ(CheckpointFileName(12345678), "step-12345678.ckpt");
  for (int64_t step : {int64_t{0}, int64_t{1}, int64_t{9'999'999}, int64_t{10'000'000},
                       int64_t{123'456'789'012}}) {
    EXPECT_THAT(ParseCheckpointFileName(CheckpointFileName(step)), Optional(step));
  }
  EXPECT_THAT(ParseCheckpointFileName("step-42.ckpt"), Optional(42));
}

TEST(CheckpointFilesTest, OtherNamesAreNotCheckpoints) {
  for (const char* name : {"", "step-.ckpt", "step--1.ckpt", "step-+1.ckpt", "step-1a.ckpt",
                           "step-1.ckpt.tmp", "step-1.ckp", "x/step-1.ckpt", "model.ckpt",
                           "Step-1.ckpt", "step-99999999999999999999.ckpt", " step-1.ckpt"}) {
    EXPECT_EQ(ParseCheckpointFileName(name), std::nullopt) << "'" << name << "'";
  }
}

TEST(CheckpointFilesTest, ListedByStepNumberNotByText) {
  testing::TempDir dir;
  // As text, "step-10000000" sorts before "step-9999999": the number decides.
  for (int64_t step : {int64_t{9'999'999}, int64_t{10'000'000}, int64_t{5}, int64_t{700}}) {
    testing::WriteText(dir.Join(CheckpointFileName(step)), "x");
  }
  testing::WriteText(dir.Join("step-0000003.ckpt.tmp.123"), "partial");
  testing::WriteText(dir.Join("notes.txt"), "");
  ASSERT_OK(MakeDirs(dir.Join("step-0000001.ckpt")));  // a directory is not a checkpoint
  EXPECT_THAT(Steps(dir.path()), ElementsAre(5, 700, 9'999'999, 10'000'000));
  ASSERT_TRUE(NewestCheckpoint(dir.path()).has_value());
  EXPECT_EQ(NewestCheckpoint(dir.path())->step, 10'000'000);
  EXPECT_EQ(NewestCheckpoint(dir.path())->path, dir.Join("step-10000000.ckpt"));
}

TEST(CheckpointFilesTest, EmptyAndMissingDirectories) {
  testing::TempDir dir;
  EXPECT_TRUE(ListCheckpoints(dir.path()).empty());
  EXPECT_EQ(NewestCheckpoint(dir.path()), std::nullopt);
  EXPECT_TRUE(ListCheckpoints(dir.Join("missing")).empty());
  EXPECT_OK(RotateCheckpoints(dir.Join("missing"), 2));
}

TEST(CheckpointFilesTest, RotationKeepsTheNewestByStep) {
  testing::TempDir dir;
  for (int64_t step : {int64_t{100}, int64_t{9'999'999}, int64_t{10'000'000}, int64_t{200}}) {
    testing::WriteText(dir.Join(CheckpointFileName(step)), "x");
  }
  testing::WriteText(dir.Join("keep-me.txt"), "");
  ASSERT_OK(RotateCheckpoints(dir.path(), 5));
  EXPECT_THAT(Steps(dir.path()), ElementsAre(100, 200, 9'999'999, 10'000'000));
  ASSERT_OK(RotateCheckpoints(dir.path(), 2));
  EXPECT_THAT(Steps(dir.path()), ElementsAre(9'999'999, 10'000'000));
  ASSERT_OK(RotateCheckpoints(dir.path(), 1));
  EXPECT_THAT(Steps(dir.path()), ElementsAre(10'000'000));
  EXPECT_TRUE(PathExists(dir.Join("keep-me.txt")));
  ASSERT_OK(RotateCheckpoints(dir.path(), 0));
  EXPECT_TRUE(ListCheckpoints(dir.path()).empty());
  EXPECT_TRUE(PathExists(dir.Join("keep-me.txt")));
}

TEST(CheckpointFilesTest, PaddedAndUnpaddedNamesOfOneStep) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("step-7.ckpt"), "short");
  testing::WriteText(dir.Join("step-0000007.ckpt"), "padded");
  testing::WriteText(dir.Join("step-6.ckpt"), "older");
  ASSERT_TRUE(NewestCheckpoint(dir.path()).has_value());
  EXPECT_EQ(NewestCheckpoint(dir.path())->path, dir.Join("step-0000007.ckpt"));
  ASSERT_OK(RotateCheckpoints(dir.path(), 1));
  EXPECT_FALSE(PathExists(dir.Join("step-7.ckpt")));
  EXPECT_TRUE(PathExists(dir.Join("step-0000007.ckpt")));
}

}  // namespace
}  // namespace tandem
