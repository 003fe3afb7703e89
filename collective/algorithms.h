// The collective algorithms, one file each, written against Transport (gRPC-free). Each runs
// one operation `op`: every rank of the group calls the same function with the same count
// (and root), and on success every rank holds the same bits. Each returns only once the
// transport no longer reads the caller's buffer. GrpcCommunicator picks among them
// (grpc_communicator.h has the measured thresholds).
//
//   file                    what                                   message latencies
//   pair_exchange.cc        2 ranks: whole buffers, added          1
//   recursive_doubling.cc   any ranks, small buffers               log2 p (+ 2 if n > p)
//   direct_exchange.cc      any ranks, small buffers               1
//   halving_doubling.cc     any ranks from 3, large                2 log2 p (+ ~1 if n > p)
//   ring.cc                 any ranks, large buffers               2 (n - 1)
//   fold.cc                 the n - p ranks beyond p, the largest power of two <= n, folded
//                           into recursive doubling and halving-doubling
//   broadcast.cc            pipelined along the ring from the root
//   all_gather.cc           every rank's bytes to every rank (direct exchange)
#ifndef TANDEM_COLLECTIVE_ALGORITHMS_H_
#define TANDEM_COLLECTIVE_ALGORITHMS_H_

#include <cstddef>
#include <limits>

#include "absl/status/status.h"
#include "collective/transport.h"

namespace tandem::collective {

// How payloads are cut and paced.
struct Pacing {
  // Elements per segment (a float buffer is cut into segments of at most this many).
  size_t segment_elems = 1;
  // In halving-doubling and the ring, segments a rank sends beyond those it has received from
  // the same peer; SIZE_MAX sends everything at once (see GrpcCommunicatorOptions).
  size_t send_ahead = 1;
};

// In place: data[0..count) becomes the element-wise sum over the ranks. In bf16 mode
// (op.wire == kBf16) every rank still ends with the same bits. count > 0. The pair exchange
// needs 2 ranks; recursive doubling and halving-doubling take any number, folding the ranks
// beyond the largest power of two in (fold.h).
absl::Status PairExchangeAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                   float* data, size_t count);
absl::Status RecursiveDoublingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                        float* data, size_t count);
absl::Status DirectExchangeAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                     float* data, size_t count);
absl::Status HalvingDoublingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing,
                                      float* data, size_t count);
absl::Status RingAllReduce(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                           size_t count);

// In place: data[0..count) becomes the root's. count > 0.
absl::Status RingBroadcast(Transport& t, const OpContext& op, const Pacing& pacing, float* data,
                           size_t count, int root);

// out[r * bytes .. (r + 1) * bytes) becomes rank r's `mine`, for every rank r, bit-exact
// (op.wire must be kBytes). `mine` may be out + rank * bytes and must not overlap the rest of
// `out`. bytes > 0.
absl::Status DirectAllGather(Transport& t, const OpContext& op, const Pacing& pacing,
                             const void* mine, size_t bytes, void* out);

inline size_t SaturatingAdd(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_ALGORITHMS_H_
