// Sharding arithmetic: a prepared corpus of N lines is cut into contiguous line ranges.
// Contract: every line belongs to exactly one shard; shard sizes differ by at most one;
// shards are in line order. Shards are assigned to ranks round-robin (shard i -> rank
// i mod world_size), so a change of world size moves whole shards, never splits them.
#ifndef TANDEM_DATA_SHARDING_H_
#define TANDEM_DATA_SHARDING_H_

#include <cstdint>
#include <vector>

namespace tandem {

struct LineRange {
  uint64_t first = 0;  // 0-based first line
  uint64_t count = 0;
  bool operator==(const LineRange& o) const { return first == o.first && count == o.count; }
};

// Cuts `num_lines` into `num_shards` ranges (num_shards >= 1). When num_lines < num_shards
// the trailing shards are empty; callers choose num_shards with ShardCountFor to avoid that.
std::vector<LineRange> ShardRanges(uint64_t num_lines, uint32_t num_shards);

// The number of shards for a corpus: enough that every worker up to `max_workers` gets at
// least one and larger corpora get more (one per ~`lines_per_shard` lines, up to 256), but
// never more shards than lines, and at least one.
uint32_t ShardCountFor(uint64_t num_lines, uint32_t max_workers, uint64_t lines_per_shard = 4096);

// Shard indices for `rank` in a world of `world_size` (round-robin).
std::vector<uint32_t> ShardsForRank(uint32_t num_shards, uint32_t rank, uint32_t world_size);

}  // namespace tandem

#endif  // TANDEM_DATA_SHARDING_H_
