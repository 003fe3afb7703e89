// Ring reduce-scatter then all-gather over 2(n-1) steps, each rank sending only to its
// successor and receiving only from its predecessor. The buffer is cut into n chunks (one per
// rank) and each chunk into segments. At step t a rank sends chunk (rank - t) mod n and
// receives chunk (rank - t - 1) mod n, which it forwards at step t + 1 as soon as each segment
// is reduced (or, in the all-gather, copied), so sending, receiving and adding overlap. The
// owner of each reduced chunk (after step n - 2) computed it alone and sends those bits on, so
// every rank ends with the same bits; in bf16 mode it keeps exactly what it sends.
#include <deque>
#include <utility>

#include "absl/status/status.h"
#include "collective/algorithms.h"
#include "collective/wire.h"
#include "common/status.h"

namespace tandem::collective {

absl::Status RingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                           size_t count) {
  const int n = t.world_size(), rank = t.rank();
  const int next = (rank + 1) % n, prev = (rank + n - 1) % n;
  t.Connect(next);
  const size_t steps = 2 * (n - 1);
  // Slot c: the sends of chunk c (there are always n slots).
  auto chunk_of = [&](size_t s) { return static_cast<size_t>(((rank - int(s)) % n + n) % n); };
  // Segments ready to go to `next`, in the order `next` takes them: (step, segment). At most
  // pacing.send_ahead of them go out beyond the segments received so far.
  std::deque<std::pair<size_t, size_t>> ready;
  size_t sent = 0, received = 0;
  auto send_ready = [&](bool all_through_step, size_t step) {
    auto may_send = [&] {
      return !ready.empty() && (SaturatingAdd(received, pacing.send_ahead) > sent ||
                                (all_through_step && ready.front().first <= step));
    };
    while (may_send()) {
      const auto [s, j] = ready.front();
      ready.pop_front();
      ++sent;
      const size_t chunk = chunk_of(s);
      Range c = Partition(count, n, chunk);
      Range seg = Partition(c.size(), SegmentCount(c.size(), pacing.segment_elems), j);
      t.Send(op, next, uint32_t(s), uint32_t(j), data + c.begin + seg.begin, seg.size(), chunk,
             /*more=*/may_send());
    }
  };
  for (size_t j = 0; j < SegmentCount(Partition(count, n, rank).size(), pacing.segment_elems);
       ++j) {
    ready.emplace_back(0, j);
  }
  send_ready(false, 0);
  for (size_t s = 0; s < steps; ++s) {
    const size_t chunk = chunk_of(s + 1);
    const bool reduce = s < size_t(n - 1);
    Range c = Partition(count, n, chunk);
    const size_t segments = SegmentCount(c.size(), pacing.segment_elems);
    if (!reduce) {
      // This chunk goes out (straight from `data`) at step s - (n - 1); the transport must be
      // done reading it before we overwrite it. Defensive: chunk sizes differ by at most one
      // element, so pacing has always sent it by now and this flush sends nothing.
      send_ready(true, s - (n - 1));
      TANDEM_RETURN_IF_ERROR(t.WaitReleased(op, chunk, "sending a chunk"));
    }
    for (size_t j = 0; j < segments; ++j) {
      Range seg = Partition(c.size(), segments, j);
      float* dst = data + c.begin + seg.begin;
      TANDEM_RETURN_IF_ERROR(
          t.Receive(op, prev, uint32_t(s), uint32_t(j), dst, seg.size(), reduce));
      ++received;
      // After the last reduce step this rank owns the chunk's sum; in bf16 mode it keeps
      // exactly what the others will receive.
      if (op.wire == WireFormat::kBf16 && s == size_t(n - 2)) RoundToBf16(dst, seg.size());
      if (s + 1 < steps) ready.emplace_back(s + 1, j);
      send_ready(false, 0);
    }
  }
  send_ready(true, steps);
  return t.WaitAllReleased(op, "flushing segments");
}

}  // namespace tandem::collective
