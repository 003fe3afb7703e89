// Worlds that are not a power of two, for recursive doubling and halving-doubling: the n ranks
// are p = FoldedCore(n) core ranks (the largest power of two <= n) and n - p extra ranks,
// folded in block by block. The buffer is cut into p blocks (Partition(count, p, b)); every
// extra rank sends block b to core rank b, which adds it into its own contribution (recursive
// doubling: before the first step) or into the block it owns (halving-doubling: once its
// reduce-scatter is done) and, once its block holds the final sum, hands that block back to
// every extra rank. An extra rank thus sends and receives one buffer, spread over the p core
// ranks, and idles in between (on a shared machine its CPU goes to the others); the total
// bytes sent equal the ring's, 2(n - 1) buffers, in O(log p) message latencies instead of
// 2(n - 1).
//
// Identical bits: a block handed back is the bits its core rank keeps (in bf16 mode the
// callers round it first), copied, never added.
//
// Early pieces: an extra rank sends all its blocks at once, with nothing to pace them against,
// so a core rank's mailbox may hold (n - p) blocks, (n - p) / p < 1 of the buffer, until it
// takes them (halving-doubling takes them after its reduce-scatter). A mailbox
// (CollectiveServerOptions::max_buffered_bytes, 1 GiB by default) that holds the largest
// all-reduce (gradient buckets are 4 MiB by default) holds them.
#include "collective/fold.h"

#include "absl/status/status.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

int FoldedCore(int n) {
  int p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

namespace {

Range Block(size_t count, int p, int b) { return Partition(count, size_t(p), size_t(b)); }

// Sends block `b` of `data` to `peer` as segments of `step` (payloads counted in `slot`).
void SendBlock(Transport& t, const OpContext& op, const Pacing& pacing, const float* data,
               size_t count, int p, int b, int peer, uint32_t step, size_t slot) {
  Range block = Block(count, p, b);
  const size_t segments = SegmentCount(block.size(), pacing.segment_elems);
  for (size_t j = 0; j < segments; ++j) {
    Range s = Partition(block.size(), segments, j);
    t.Send(op, peer, step, uint32_t(j), data + block.begin + s.begin, s.size(), slot,
           j + 1 < segments);
  }
}

// Takes block `b` from `peer` (segments of `step`) into data, adding when `add`.
absl::Status ReceiveBlock(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                          size_t count, int p, int b, int peer, uint32_t step, bool add) {
  Range block = Block(count, p, b);
  const size_t segments = SegmentCount(block.size(), pacing.segment_elems);
  for (size_t j = 0; j < segments; ++j) {
    Range s = Partition(block.size(), segments, j);
    TANDEM_RETURN_IF_ERROR(
        t.Receive(op, peer, step, uint32_t(j), data + block.begin + s.begin, s.size(), add));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExtraRankAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                float* data, size_t count) {
  const int p = FoldedCore(t.world_size());
  for (int b = 0; b < p; ++b) t.Connect(b);
  t.ReserveSlots(size_t(p));  // slot b: block b's sends
  for (int b = 0; b < p; ++b) SendBlock(t, op, pacing, data, count, p, b, b, kFoldInStep, b);
  for (int b = 0; b < p; ++b) {
    // Block b came back only after core rank b took ours, so this wait is the contract, not
    // a delay: the transport must be done reading the block before it is overwritten.
    TANDEM_RETURN_IF_ERROR(t.WaitReleased(op, size_t(b), "sending a block to its core rank"));
    TANDEM_RETURN_IF_ERROR(
        ReceiveBlock(t, op, pacing, data, count, p, b, b, kFoldOutStep, /*add=*/false));
  }
  return t.WaitAllReleased(op, "flushing blocks");
}

void ConnectExtraRanks(Transport& t) {
  const int n = t.world_size(), p = FoldedCore(n);
  for (int e = p; e < n; ++e) t.Connect(e);
}

absl::Status AbsorbExtraRanks(Transport& t, const OpContext& op, const Pacing& pacing,
                              float* data, size_t count) {
  const int n = t.world_size(), p = FoldedCore(n), b = t.rank();
  for (int e = p; e < n; ++e) {  // in rank order: the same sum on every run
    TANDEM_RETURN_IF_ERROR(
        ReceiveBlock(t, op, pacing, data, count, p, b, e, kFoldInStep, /*add=*/true));
  }
  return absl::OkStatus();
}

void HandBackToExtraRanks(Transport& t, const OpContext& op, const Pacing& pacing,
                          const float* data, size_t count, size_t slot) {
  const int n = t.world_size(), p = FoldedCore(n), b = t.rank();
  for (int e = p; e < n; ++e) SendBlock(t, op, pacing, data, count, p, b, e, kFoldOutStep, slot);
}

}  // namespace tandem::collective
