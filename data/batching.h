// Token-budgeted, length-grouped batching (torch-free: it plans batches of pair indices).
//
// Contract of PlanBatches:
//   - every index 0..n-1 appears in exactly one batch;
//   - a batch's padded target size, count x (longest target + 1), stays within batch_tokens,
//     except a single pair longer than the budget, which forms a batch of its own;
//   - sentences are grouped by length: the pairs are shuffled, cut into windows of about
//     `window_batches` batches, each window sorted by (target, source) length and cut into
//     batches; the batch order is then shuffled;
//   - the plan depends only on the lengths, the options and `seed`, so every replica and every
//     restart computes the same plan (own Fisher-Yates over SplitMix64: std::shuffle is not
//     specified across standard libraries).
#ifndef TANDEM_DATA_BATCHING_H_
#define TANDEM_DATA_BATCHING_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tandem {

struct BatchingOptions {
  uint32_t batch_tokens = 4096;
  uint32_t window_batches = 64;
};

std::vector<std::vector<uint32_t>> PlanBatches(const std::vector<uint32_t>& source_lengths,
                                               const std::vector<uint32_t>& target_lengths,
                                               const BatchingOptions& options, uint64_t seed);

// A seed for (job seed, epoch, shard): SplitMix64 of the three, so neighbouring epochs and
// shards get unrelated streams.
uint64_t MixSeed(uint64_t seed, uint64_t epoch, uint64_t shard);

// Deterministic pseudo-random numbers (SplitMix64), the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n), n >= 1.
  uint64_t Below(uint64_t n);

 private:
  uint64_t state_;
};

template <typename T>
void DeterministicShuffle(std::vector<T>& v, SplitMix64& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.Below(i));
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace tandem

#endif  // TANDEM_DATA_BATCHING_H_
