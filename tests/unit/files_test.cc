#include "common/files.h"

#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;

TEST(FilesTest, AtomicWriteAndRead) {
  testing::TempDir dir;
  const std::string p = dir.Join("a/b/c.txt");
  ASSERT_TRUE(MakeDirs(dir.Join("a/b")).ok());
  ASSERT_TRUE(WriteFileAtomic(p, "hello").ok());
  EXPECT_EQ(*ReadFile(p), "hello");
  ASSERT_TRUE(WriteFileAtomic(p, "").ok());
  EXPECT_EQ(*ReadFile(p), "");
  EXPECT_FALSE(PathExists(p + ".tmp." + std::to_string(::getpid())));
}

TEST(FilesTest, ReadErrors) {
  testing::TempDir dir;
  EXPECT_EQ(ReadFile(dir.Join("missing")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(dir.path()).status().code(), absl::StatusCode::kFailedPrecondition);
  testing::WriteText(dir.Join("big"), std::string(100, 'x'));
  auto big = ReadFile(dir.Join("big"), 10);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(big.status().message(), HasSubstr("100 bytes"));
}

TEST(FilesTest, Sha256KnownAnswers) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  testing::TempDir dir;
  testing::WriteText(dir.Join("f"), "abc");
  EXPECT_EQ(*Sha256OfFile(dir.Join("f")), Sha256Hex("abc"));
}

TEST(FilesTest, MakeDirsRefusesAFile) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("f"), "x");
  EXPECT_FALSE(MakeDirs(dir.Join("f")).ok());
  EXPECT_TRUE(MakeDirs(dir.Join("x/y/z")).ok());
  EXPECT_TRUE(MakeDirs(dir.Join("x/y/z")).ok());  // idempotent
}

}  // namespace
}  // namespace tandem
