// Two ranks: each sends its whole buffer in segments and adds the peer's segments as they
// arrive: the ring's bytes (count per rank) in one message latency instead of two. Both
// ranks compute own + peer, and float addition is commutative, so the bits agree. A segment
// is overwritten only after the transport released it (it went out straight from `data`).
// In bf16 mode both contributions are rounded first, so both ranks add the same values.
#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status PairExchangeAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                   float* data, size_t count) {
  const int peer = 1 - t.rank();
  t.Connect(peer);
  const size_t segments = SegmentCount(count, pacing.segment_elems);
  t.ReserveSlots(segments);  // slot j: segment j
  for (size_t j = 0; j < segments; ++j) {
    Range s = Partition(count, segments, j);
    t.Send(op, peer, 0, uint32_t(j), data + s.begin, s.size(), j, j + 1 < segments);
  }
  for (size_t j = 0; j < segments; ++j) {
    Range s = Partition(count, segments, j);
    float* dst = data + s.begin;
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<ReceivedSegment> segment,
                            t.Take(op, peer, 0, uint32_t(j), s.size()));
    TANDEM_RETURN_IF_ERROR(t.WaitReleased(op, j, "sending a segment"));
    if (op.wire == WireFormat::kBf16) RoundToBf16(dst, s.size());
    segment->CopyTo(dst, /*add=*/true);
  }
  return t.WaitAllReleased(op, "flushing segments");
}

}  // namespace tandem::collective
