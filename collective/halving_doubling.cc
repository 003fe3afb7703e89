// Large buffers: recursive halving then doubling (the ring's bytes per rank, 2(n-1)/n buffers,
// in 2 log2 n pairwise steps instead of 2(n-1)), among a power-of-two number n of ranks; in
// other worlds among the n = FoldedCore(world) core ranks, with the extra ranks folded in
// (fold.cc: core rank b adds their block b once its reduce-scatter is done and hands the sum
// back while the all-gather runs). The buffer is cut into n blocks. Reduce-scatter: at step k
// a rank and its partner rank ^ (n >> (k+1)) split the blocks they share in halves; each sends
// the half the partner keeps and adds the partner's copy of its own half. Rank b ends with the
// sum of block b, computed there alone, so every rank receives the same bits in the
// all-gather, which retraces the steps backwards exchanging whole owned ranges.
#include <algorithm>

#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/fold.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {
namespace {

// Sends data[out] to `partner` as segments of `step` (payloads counted in `slot`) and takes
// the partner's segments of the same step into data[in] (adding when `add`), keeping at most
// pacing.send_ahead segments sent beyond those received.
absl::Status Exchange(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                      int partner, uint32_t step, Range out, size_t slot, Range in, bool add) {
  const size_t out_segments = SegmentCount(out.size(), pacing.segment_elems);
  const size_t in_segments = SegmentCount(in.size(), pacing.segment_elems);
  size_t sent = 0;
  auto send_until = [&](size_t end) {
    end = std::min(end, out_segments);
    for (; sent < end; ++sent) {
      Range s = Partition(out.size(), out_segments, sent);
      t.Send(op, partner, step, uint32_t(sent), data + out.begin + s.begin, s.size(), slot,
             sent + 1 < end);
    }
  };
  send_until(pacing.send_ahead);
  for (size_t j = 0; j < in_segments; ++j) {
    Range s = Partition(in.size(), in_segments, j);
    TANDEM_RETURN_IF_ERROR(
        t.Receive(op, partner, step, uint32_t(j), data + in.begin + s.begin, s.size(), add));
    send_until(SaturatingAdd(j + 1, pacing.send_ahead));
  }
  send_until(out_segments);
  return absl::OkStatus();
}

}  // namespace

absl::Status HalvingDoublingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                      float* data, size_t count) {
  const int n = FoldedCore(t.world_size()), rank = t.rank();
  if (rank >= n) return ExtraRankAllReduce(t, op, pacing, data, count);
  int levels = 0;
  while ((1 << levels) < n) ++levels;
  for (int m = 1; m < n; m <<= 1) t.Connect(rank ^ m);
  ConnectExtraRanks(t);
  // Reduce-scatter sends, then all-gather sends, then the block handed back to extra ranks.
  t.ReserveSlots(size_t(2 * levels + 1));
  auto elements = [&](int b0, int b1) {  // blocks [b0, b1) as an element range
    return Range{Partition(count, n, b0).begin, Partition(count, n, b1 - 1).end};
  };
  int b0 = 0, width = n;  // the blocks this rank still reduces: [b0, b0 + width)
  for (int k = 0; k < levels; ++k) {
    const int m = n >> (k + 1), partner = rank ^ m;
    const bool keep_low = (rank & m) == 0;
    const int keep0 = keep_low ? b0 : b0 + m, give0 = keep_low ? b0 + m : b0;
    TANDEM_RETURN_IF_ERROR(Exchange(t, op, pacing, data, partner, k, elements(give0, give0 + m),
                                    size_t(k), elements(keep0, keep0 + m), /*add=*/true));
    b0 = keep0;
    width = m;
  }
  // This rank's block (b0 == rank) is complete once the extra ranks' parts are in. Its bits
  // are final from here: the all-gather only sends them.
  TANDEM_RETURN_IF_ERROR(AbsorbExtraRanks(t, op, pacing, data, count));
  if (op.wire == WireFormat::kBf16) {  // keep exactly what the others will receive
    Range own = elements(b0, b0 + 1);
    RoundToBf16(data + own.begin, own.size());
  }
  HandBackToExtraRanks(t, op, pacing, data, count, size_t(2 * levels));
  for (int k = levels - 1; k >= 0; --k) {
    const int m = n >> (k + 1), partner = rank ^ m;
    const int other0 = b0 ^ m;  // the partner's range, which this rank gave away at step k
    // That range went out from `data` at step k: the transport must be done reading it. (The
    // partner's bytes can only arrive after it received ours, so on loopback this wait never
    // waits; it is the contract that makes overwriting safe.)
    TANDEM_RETURN_IF_ERROR(t.WaitReleased(op, size_t(k), "sending a half"));
    TANDEM_RETURN_IF_ERROR(Exchange(t, op, pacing, data, partner, uint32_t(2 * levels - 1 - k),
                                    elements(b0, b0 + width), size_t(levels + k),
                                    elements(other0, other0 + width), /*add=*/false));
    b0 = std::min(b0, other0);
    width *= 2;
  }
  return t.WaitAllReleased(op, "flushing segments");
}

}  // namespace tandem::collective
