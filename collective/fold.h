// Folding the ranks beyond the largest power of two into it, for recursive doubling and
// halving-doubling on any world size (fold.cc explains the scheme and its bounds). Internal to
// the algorithms.
#ifndef TANDEM_COLLECTIVE_FOLD_H_
#define TANDEM_COLLECTIVE_FOLD_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/transport.h"

namespace tandem::collective {

// The steps of the fold's segments (their segment number is the index within the block):
// above any step of the algorithms themselves (at most 2 log2 n).
inline constexpr uint32_t kFoldInStep = 1u << 16;  // extra rank -> core rank
inline constexpr uint32_t kFoldOutStep = kFoldInStep + 1;  // core rank -> extra rank

// The number of core ranks of a world of n >= 1: the largest power of two <= n. Ranks
// [0, p) are core ranks, [p, n) extra ranks.
int FoldedCore(int n);

// The whole operation of an extra rank: sends block b of `data` to core rank b, then receives
// every block's sum into `data`.
absl::Status ExtraRankAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                float* data, size_t count);

// Core rank b: opens the streams to the extra ranks (no-op when there are none).
void ConnectExtraRanks(Transport& t);
// Core rank b: adds every extra rank's block b into data's block b, in rank order.
absl::Status AbsorbExtraRanks(Transport& t, const OpContext& op, const Pacing& pacing,
                              float* data, size_t count);
// Core rank b: queues data's block b (the final sum) to every extra rank under `slot`.
void HandBackToExtraRanks(Transport& t, const OpContext& op, const Pacing& pacing,
                          const float* data, size_t count, size_t slot);

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_FOLD_H_
