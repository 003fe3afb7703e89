// A power-of-two number of ranks: at step k each rank exchanges its whole partial sum with
// rank ^ 2^k and adds it (log2 n message latencies; log2 n buffers sent per rank, against the
// ring's 2(n-1)/n). Partners compute own + other, equal by commutativity, so after every step
// the ranks of each block of 2^(k+1) hold the same bits. In bf16 mode each rank rounds its
// partial before adding, so both partners add the same values.
//
// Other worlds: the doubling runs among the p = FoldedCore(world) core ranks; core rank b first
// adds the extra ranks' block b into its own buffer (fold.cc) and afterwards hands block b of
// the (identical) result back to them. In bf16 mode the core ranks round the result first,
// all alike, so what they keep is what the extra ranks receive.
#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/fold.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status RecursiveDoublingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                        float* data, size_t count) {
  const int n = FoldedCore(t.world_size()), rank = t.rank();
  if (rank >= n) return ExtraRankAllReduce(t, op, pacing, data, count);
  const bool extras = n < t.world_size();
  for (int d = 1; d < n; d <<= 1) t.Connect(rank ^ d);
  ConnectExtraRanks(t);
  const size_t segments = SegmentCount(count, pacing.segment_elems);
  t.ReserveSlots(2);  // slot 0: the step's sends; slot 1: the block handed back
  TANDEM_RETURN_IF_ERROR(AbsorbExtraRanks(t, op, pacing, data, count));
  uint32_t step = 0;
  for (int d = 1; d < n; d <<= 1, ++step) {
    const int partner = rank ^ d;
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      t.Send(op, partner, step, uint32_t(j), data + s.begin, s.size(), 0, j + 1 < segments);
    }
    // Everything sent from `data` must be released before it changes.
    TANDEM_RETURN_IF_ERROR(t.WaitReleased(op, 0, "sending a partial sum"));
    if (op.wire == WireFormat::kBf16) RoundToBf16(data, count);
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      TANDEM_RETURN_IF_ERROR(
          t.Receive(op, partner, step, uint32_t(j), data + s.begin, s.size(), /*add=*/true));
    }
  }
  if (!extras) return absl::OkStatus();
  if (op.wire == WireFormat::kBf16) RoundToBf16(data, count);
  HandBackToExtraRanks(t, op, pacing, data, count, 1);
  return t.WaitAllReleased(op, "handing blocks back");
}

}  // namespace tandem::collective
