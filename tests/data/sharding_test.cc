#include "data/sharding.h"

#include <vector>

#include "gtest/gtest.h"

namespace tandem {
namespace {

TEST(ShardingTest, CoverageAndDisjointnessOverManySizes) {
  for (uint64_t lines : {0ull, 1ull, 2ull, 3ull, 7ull, 10ull, 97ull, 1000ull, 4097ull}) {
    for (uint32_t shards = 1; shards <= 17; ++shards) {
      const auto ranges = ShardRanges(lines, shards);
      ASSERT_EQ(ranges.size(), shards);
      std::vector<int> seen(lines, 0);
      uint64_t next = 0, min = UINT64_MAX, max = 0;
      for (const auto& r : ranges) {
        EXPECT_EQ(r.first, next) << "ranges must be contiguous and in order";
        for (uint64_t l = r.first; l < r.first + r.count; ++l) ++seen[l];
        next = r.first + r.count;
        min = std::min(min, r.count);
        max = std::max(max, r.count);
      }
      EXPECT_EQ(next, lines);
      for (uint64_t l = 0; l < lines; ++l) ASSERT_EQ(seen[l], 1) << "line " << l;
      EXPECT_LE(max - min, 1u) << lines << " lines in " << shards << " shards";
    }
  }
}

TEST(ShardingTest, ZeroShardsGivesNothing) { EXPECT_TRUE(ShardRanges(10, 0).empty()); }

TEST(ShardingTest, ShardCount) {
  EXPECT_EQ(ShardCountFor(0, 4), 1u);
  EXPECT_EQ(ShardCountFor(1, 4), 1u);          // never more shards than lines
  EXPECT_EQ(ShardCountFor(3, 8), 3u);
  EXPECT_EQ(ShardCountFor(100, 4), 4u);        // at least one per worker
  EXPECT_EQ(ShardCountFor(10000, 1, 4096), 3u);  // one per 4096 lines, rounded up
  EXPECT_EQ(ShardCountFor(100000000, 1), 256u);  // capped
}

TEST(ShardingTest, RoundRobinAssignmentCoversEveryShardOnce) {
  for (uint32_t shards : {1u, 2u, 5u, 8u, 13u}) {
    for (uint32_t world = 1; world <= 9; ++world) {
      std::vector<int> owner(shards, 0);
      for (uint32_t rank = 0; rank < world; ++rank) {
        for (uint32_t s : ShardsForRank(shards, rank, world)) ++owner[s];
      }
      for (uint32_t s = 0; s < shards; ++s) EXPECT_EQ(owner[s], 1);
    }
  }
  EXPECT_EQ(ShardsForRank(5, 1, 2), (std::vector<uint32_t>{1, 3}));
  EXPECT_TRUE(ShardsForRank(5, 0, 0).empty());
}

}  // namespace
}  // namespace tandem
