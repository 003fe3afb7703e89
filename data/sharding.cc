#include "data/sharding.h"

#include <algorithm>

namespace tandem {

std::vector<LineRange> ShardRanges(uint64_t num_lines, uint32_t num_shards) {
  std::vector<LineRange> out;
  if (num_shards == 0) return out;
  out.reserve(num_shards);
  const uint64_t base = num_lines / num_shards;
  const uint64_t extra = num_lines % num_shards;  // the first `extra` shards get one more
  uint64_t first = 0;
  for (uint32_t i = 0; i < num_shards; ++i) {
    const uint64_t count = base + (i < extra ? 1 : 0);
    out.push_back({first, count});
    first += count;
  }
  return out;
}

uint32_t ShardCountFor(uint64_t num_lines, uint32_t max_workers, uint64_t lines_per_shard) {
  if (num_lines == 0) return 1;
  if (lines_per_shard == 0) lines_per_shard = 1;
  uint64_t n = (num_lines + lines_per_shard - 1) / lines_per_shard;
  n = std::min<uint64_t>(n, 256);
  n = std::max<uint64_t>(n, std::max<uint32_t>(max_workers, 1));
  n = std::min<uint64_t>(n, num_lines);
  return static_cast<uint32_t>(std::max<uint64_t>(n, 1));
}

std::vector<uint32_t> ShardsForRank(uint32_t num_shards, uint32_t rank, uint32_t world_size) {
  std::vector<uint32_t> out;
  if (world_size == 0) return out;
  for (uint32_t i = rank; i < num_shards; i += world_size) out.push_back(i);
  return out;
}

}  // namespace tandem
