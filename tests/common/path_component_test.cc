#include <string>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOk;
using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CheckPathComponentTest, AcceptsIdsAndChecksums) {
  for (const char* name : {"j1", "job-20261204-0001", "a", "A.b_c-d", "step-0000042.ckpt",
                           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}) {
    EXPECT_THAT(CheckPathComponent("job id", name), IsOk()) << name;
  }
  EXPECT_THAT(CheckPathComponent("id", std::string(128, 'x')), IsOk());
}

TEST(CheckPathComponentTest, RefusesWhatCouldLeaveItsDirectory) {
  for (const std::string name :
       {std::string(), std::string("."), std::string(".."), std::string("../etc"),
        std::string("a/b"), std::string("/abs"), std::string(".hidden"), std::string("-rf"),
        std::string("a b"), std::string("a\\b"), std::string("nul\0byte", 8), std::string("ñandú"),
        std::string(129, 'x'), std::string("a\nb")}) {
    EXPECT_THAT(CheckPathComponent("job id", name),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("job id '")))
        << name;
  }
}

TEST(CheckPathComponentTest, MessageIsBoundedAndEscaped) {
  const absl::Status s = CheckPathComponent("artifact name", std::string(10000, '/') + "\n");
  EXPECT_LT(s.message().size(), 300u);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("artifact name")));
  EXPECT_THAT(std::string(CheckPathComponent("x", "a\nb").message()), HasSubstr("a\\nb"));
}

TEST(CheckSha256HexTest, OnlyLowerCaseHexDigestsOfSixtyFourDigits) {
  const std::string digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_THAT(CheckSha256Hex("shard checksum", digest), IsOk());
  for (const std::string bad :
       {std::string(), digest.substr(1), digest + "0", std::string(64, 'g'),
        std::string("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
        std::string("../../../../etc/passwd") + std::string(42, 'a'),
        digest.substr(0, 63) + std::string("\0", 1)}) {
    EXPECT_THAT(CheckSha256Hex("shard checksum", bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shard checksum '")))
        << bad;
  }
  EXPECT_LT(CheckSha256Hex("x", std::string(100000, 'a')).message().size(), 300u);
}

}  // namespace
}  // namespace tandem
