// Broadcast pipelined along the ring from the root: each rank takes segment j from its
// predecessor and forwards it to its successor at once (the rank before the root only
// takes). In bf16 mode the root rounds its own buffer first, so every rank ends with the
// same bits.
#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status RingBroadcast(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                           size_t count, int root) {
  const int n = t.world_size(), rank = t.rank();
  const int next = (rank + 1) % n, prev = (rank + n - 1) % n;
  const bool sends = next != root;
  if (sends) t.Connect(next);
  const size_t segments = SegmentCount(count, pacing.segment_elems);
  if (rank == root && op.wire == WireFormat::kBf16) RoundToBf16(data, count);
  for (size_t j = 0; j < segments; ++j) {
    Range s = Partition(count, segments, j);
    if (rank != root) {
      TANDEM_RETURN_IF_ERROR(
          t.Receive(op, prev, 0, uint32_t(j), data + s.begin, s.size(), /*add=*/false));
    }
    if (sends) {
      t.Send(op, next, 0, uint32_t(j), data + s.begin, s.size(), 0,
             rank == root && j + 1 < segments);
    }
  }
  return t.WaitAllReleased(op, "flushing segments");
}

}  // namespace tandem::collective
