// A power-of-two number of ranks: at step k each rank exchanges its whole partial sum with
// rank ^ 2^k and adds it (log2 n message latencies; log2 n buffers sent per rank, against the
// ring's 2(n-1)/n). Partners compute own + other, equal by commutativity, so after every step
// the ranks of each block of 2^(k+1) hold the same bits. In bf16 mode each rank rounds its
// partial before adding, so both partners add the same values.
#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status RecursiveDoublingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                        float* data, size_t count) {
  const int n = t.world_size(), rank = t.rank();
  for (int d = 1; d < n; d <<= 1) t.Connect(rank ^ d);
  const size_t segments = SegmentCount(count, pacing.segment_elems);
  t.ReserveSlots(1);  // slot 0: the step's sends
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
  return absl::OkStatus();
}

}  // namespace tandem::collective
