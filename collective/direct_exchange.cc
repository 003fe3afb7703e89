// Small buffers: every rank sends its whole buffer to every other rank (one message latency
// instead of 2(n-1)) and sums all n buffers in rank order, so all ranks get the same bits. In
// bf16 mode each contribution is rounded first, own one included.
#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status DirectExchangeAllReduce(Transport& t, const OpContext& op, const Pacing& /*pacing*/,
                                     float* data, size_t count) {
  const int n = t.world_size(), rank = t.rank();
  for (int i = 1; i < n; ++i) t.Connect((rank + i) % n);
  for (int i = 1; i < n; ++i) {
    t.Send(op, (rank + i) % n, 0, 0, data, count, 0, /*more=*/false);
  }
  std::vector<float> sum(count, 0.0f), own;
  for (int r = 0; r < n; ++r) {
    if (r != rank) {
      TANDEM_RETURN_IF_ERROR(t.Receive(op, r, 0, 0, sum.data(), count, /*add=*/true));
      continue;
    }
    own.assign(data, data + count);
    if (op.wire == WireFormat::kBf16) RoundToBf16(own.data(), count);
    for (size_t i = 0; i < count; ++i) sum[i] += own[i];
  }
  TANDEM_RETURN_IF_ERROR(t.WaitAllReleased(op, "flushing"));
  std::copy(sum.begin(), sum.end(), data);
  return absl::OkStatus();
}

}  // namespace tandem::collective
