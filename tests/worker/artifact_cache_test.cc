#include "worker/artifact_cache.h"

#include <string>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using testing::StatusIs;

TEST(ArtifactCacheTest, StoresByChecksumAndDropsCorruptEntries) {
  testing::TempDir dir;
  ArtifactCache cache(dir.Join("cache"));
  ASSERT_OK(cache.Init());
  const std::string data = "shard contents\n";
  const std::string sha = Sha256Hex(data);
  EXPECT_FALSE(cache.Has(sha));
  EXPECT_THAT(cache.Put(Sha256Hex("other"), data), StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK(cache.Put(sha, data));
  EXPECT_TRUE(cache.Has(sha));
  EXPECT_EQ(testing::ReadText(cache.PathFor(sha)), data);
  testing::WriteText(cache.PathFor(sha), "tampered");
  EXPECT_FALSE(cache.Has(sha));
  EXPECT_FALSE(PathExists(cache.PathFor(sha)));
}

// A checksum from the network that is not a digest never names a file: a hostile
// coordinator cannot make the worker check (and so delete) a file outside its cache.
TEST(ArtifactCacheTest, NonDigestsTouchNothing) {
  testing::TempDir dir;
  ArtifactCache cache(dir.Join("cache"));
  ASSERT_OK(cache.Init());
  testing::WriteText(dir.Join("victim"), "precious");
  EXPECT_FALSE(cache.Has("../victim"));
  EXPECT_FALSE(cache.Has(""));
  EXPECT_FALSE(cache.Has(std::string(64, 'A')));
  EXPECT_EQ(testing::ReadText(dir.Join("victim")), "precious");
}

}  // namespace
}  // namespace tandem
