#include "common/files.h"

#include <sys/stat.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FilesTest, AtomicWriteAndRead) {
  testing::TempDir dir;
  const std::string p = dir.Join("a/b/c.txt");
  ASSERT_OK(MakeDirs(dir.Join("a/b")));
  ASSERT_OK(WriteFileAtomic(p, "hello"));
  EXPECT_THAT(ReadFile(p), IsOkAndHolds("hello"));
  ASSERT_OK(WriteFileAtomic(p, ""));
  EXPECT_THAT(ReadFile(p), IsOkAndHolds(""));
  EXPECT_FALSE(PathExists(p + ".tmp." + std::to_string(::getpid())));
}

// Threads writing the same path at once (two fetches of one artifact) all succeed, and the
// file ends whole: one of the writes, not a mix, and no temporary file is left.
TEST(FilesTest, ConcurrentAtomicWritesOfOnePathAllSucceed) {
  testing::TempDir dir;
  const std::string path = dir.Join("artifact");
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(8);
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      const std::string contents(100000, static_cast<char>('a' + t));
      for (int i = 0; i < 20 && results[t].ok(); ++i) results[t] = WriteFileAtomic(path, contents);
    });
  }
  for (auto& th : threads) th.join();
  for (const absl::Status& s : results) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(const std::string got, ReadFile(path));
  ASSERT_EQ(got.size(), 100000u);
  EXPECT_EQ(got, std::string(got.size(), got[0]));
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    (void)e;
  }
  EXPECT_EQ(files, 1u) << "a temporary file was left";
}

TEST(FilesTest, ReadErrors) {
  testing::TempDir dir;
  EXPECT_THAT(ReadFile(dir.Join("missing")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir.Join("missing"))));
  EXPECT_THAT(ReadFile(dir.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not a regular file")));
  testing::WriteText(dir.Join("big"), std::string(100, 'x'));
  EXPECT_THAT(ReadFile(dir.Join("big"), 10),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is 100 bytes, more than the limit of 10")));
}

TEST(FilesTest, Sha256KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  testing::TempDir dir;
  testing::WriteText(dir.Join("f"), "abc");
  EXPECT_THAT(Sha256OfFile(dir.Join("f")), IsOkAndHolds(Sha256Hex("abc")));
}

TEST(FilesTest, MakeDirsRefusesAFile) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("f"), "x");
  EXPECT_THAT(MakeDirs(dir.Join("f")), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                HasSubstr("exists and is not a directory")));
  EXPECT_OK(MakeDirs(dir.Join("x/y/z")));
  EXPECT_OK(MakeDirs(dir.Join("x/y/z")));  // idempotent
  EXPECT_TRUE(PathExists(dir.Join("x/y/z")));
}

}  // namespace
}  // namespace tandem
