#include "data/batching.h"

#include <algorithm>

namespace tandem {

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::Below(uint64_t n) {
  // Rejection sampling keeps the distribution exactly uniform.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return x % n;
}

uint64_t MixSeed(uint64_t seed, uint64_t epoch, uint64_t shard) {
  SplitMix64 a(seed);
  SplitMix64 b(a.Next() ^ epoch);
  SplitMix64 c(b.Next() ^ (shard * 0xD1B54A32D192ED03ull));
  return c.Next();
}

std::vector<std::vector<uint32_t>> PlanBatches(const std::vector<uint32_t>& source_lengths,
                                               const std::vector<uint32_t>& target_lengths,
                                               const BatchingOptions& options, uint64_t seed) {
  const size_t n = std::min(source_lengths.size(), target_lengths.size());
  std::vector<std::vector<uint32_t>> batches;
  if (n == 0) return batches;
  const uint64_t budget = std::max<uint32_t>(options.batch_tokens, 1);
  SplitMix64 rng(seed);
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  DeterministicShuffle(order, rng);

  // Window size in pairs: about window_batches batches of average-length targets.
  uint64_t total_target = 0;
  for (size_t i = 0; i < n; ++i) total_target += target_lengths[i] + 1;
  const uint64_t mean = std::max<uint64_t>(1, total_target / n);
  const size_t window =
      static_cast<size_t>(std::max<uint64_t>(1, budget / mean * std::max<uint32_t>(1, options.window_batches)));

  for (size_t start = 0; start < n; start += window) {
    const size_t end = std::min(n, start + window);
    std::stable_sort(order.begin() + static_cast<long>(start), order.begin() + static_cast<long>(end),
                     [&](uint32_t a, uint32_t b) {
                       if (target_lengths[a] != target_lengths[b]) {
                         return target_lengths[a] < target_lengths[b];
                       }
                       return source_lengths[a] < source_lengths[b];
                     });
    std::vector<uint32_t> current;
    uint64_t longest = 0;
    for (size_t k = start; k < end; ++k) {
      const uint32_t idx = order[k];
      const uint64_t len = target_lengths[idx] + 1;  // + EOS
      const uint64_t longer = std::max(longest, len);
      if (!current.empty() && longer * (current.size() + 1) > budget) {
        batches.push_back(std::move(current));
        current.clear();
        longest = 0;
      }
      current.push_back(idx);
      longest = std::max(longest, len);
    }
    if (!current.empty()) batches.push_back(std::move(current));
  }
  DeterministicShuffle(batches, rng);
  return batches;
}

}  // namespace tandem
