// All-gather by direct exchange: every rank sends its bytes, in segments, to every other rank
// and takes theirs into place. One message latency; each rank sends (n - 1) * bytes, as many
// as a ring all-gather would. Tandem gathers a few words per rank (steps, proposals, metric
// sums), so latency is what counts. The bytes travel as WIRE_TYPE_BYTES and are only
// copied, so every rank ends with the same bits.
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status DirectAllGather(Transport& t, const OpContext& op, const Pacing& pacing,
                             const void* mine, size_t bytes, void* out) {
  const int n = t.world_size(), rank = t.rank();
  const auto* src = static_cast<const uint8_t*>(mine);
  auto* all = static_cast<uint8_t*>(out);
  // Segments of the float algorithms' size in bytes.
  const size_t segments = SegmentCount(bytes, pacing.segment_elems * sizeof(float));
  for (int i = 1; i < n; ++i) t.Connect((rank + i) % n);
  for (int i = 1; i < n; ++i) {
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(bytes, segments, j);
      t.Send(op, (rank + i) % n, 0, uint32_t(j), src + s.begin, s.size(), 0, j + 1 < segments);
    }
  }
  uint8_t* own = all + size_t(rank) * bytes;
  if (own != src) std::memcpy(own, src, bytes);
  for (int r = 0; r < n; ++r) {
    if (r == rank) continue;
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(bytes, segments, j);
      TANDEM_RETURN_IF_ERROR(t.Receive(op, r, 0, uint32_t(j), all + size_t(r) * bytes + s.begin,
                                       s.size(), /*add=*/false));
    }
  }
  return t.WaitAllReleased(op, "flushing segments");
}

}  // namespace tandem::collective
