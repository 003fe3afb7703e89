// The gRPC Communicator: the ranks of one (job, generation) in separate processes, each with
// a CollectiveServer. It numbers its operations, picks an algorithm by world size and buffer
// size (the thresholds below were measured, not guessed) and runs it over a GrpcTransport:
//
//   AllReduceSum  pair exchange (2 ranks, up to 512 KiB), recursive doubling (power-of-two
//                 ranks up to 256 KiB; other worlds up to 64 KiB, the ranks beyond the
//                 largest power of two folded in), recursive halving-doubling (from 3 ranks,
//                 larger buffers, folded likewise), ring reduce-scatter + all-gather (2 ranks
//                 from 1 MiB); direct exchange and the ring remain for thresholds set so
//                 (collective/README.md has the measured crossovers)
//   Broadcast     pipelined along the ring from the root
//   AllGather     direct exchange of raw bytes
//
// The algorithms live one per file (algorithms.h); the transport (grpc_transport.h) queues
// writes on the service's completion queue without blocking, and while an operation waits its
// own thread polls that queue (CompletionDriver); every wait ends by the operation's deadline.
#ifndef TANDEM_COLLECTIVE_GRPC_COMMUNICATOR_H_
#define TANDEM_COLLECTIVE_GRPC_COMMUNICATOR_H_

#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collective/algorithms.h"
#include "collective/collective_service.h"
#include "collective/communicator.h"
#include "collective/grpc_transport.h"

namespace tandem::collective {

struct GrpcCommunicatorOptions {
  GroupId group;
  int rank = 0;
  // host:port of every rank's CollectiveService, in ring order (index = rank).
  std::vector<std::string> peers;
  // TLS of the streams and the group's key (grpc_transport.h).
  StreamSecurity security;
  // Elements per segment are segment_bytes / 4 (the same count in bf16 mode).
  size_t segment_bytes = 512 << 10;
  // All-reduces where each rank would send at most this many bytes in a direct exchange
  // ((n - 1) * count * 4: its buffer to every other rank, one message latency instead of
  // 2(n - 1)) use it; larger ones use the ring. 128 KiB against 64 KiB: 0.72x the time at
  // 3 ranks 64 KiB, 0.57x at 5 ranks 32 KiB, 0.81x at 7 ranks 16 KiB; 256 KiB was 1.13x
  // slower at 3 ranks 128 KiB (alternating pairs, BENCHMARKS.md all-reduce run H).
  size_t direct_max_bytes = 128 << 10;
  // Two ranks: each sends its whole buffer in segments and adds the other's as they arrive
  // (the ring's bytes in one message latency instead of two), for all-reduces of at most
  // pair_max_bytes (above it the ring measured ~10 % faster; bench/allreduce/RESULTS.md).
  bool pair_exchange = true;
  size_t pair_max_bytes = 512 << 10;
  // A power-of-two number of ranks (2 only with pair_exchange off): recursive doubling
  // (log2 n exchanges of the whole buffer) for all-reduces of at most this many bytes.
  size_t doubling_max_bytes = 256 << 10;
  // Three or more ranks (folded when not a power of two): recursive halving then doubling
  // for larger all-reduces of at most this many bytes (the ring's bytes per rank in 2 log2 n
  // pairwise steps instead of 2(n - 1)); above it, the ring. On 4 ranks it measured 1.6-1.9x
  // faster than the ring at 1 MiB and equal from 4 MiB (bench/allreduce/RESULTS.md, run H);
  // folded on 3-7 ranks, 1.1-1.5x faster than the ring from 64 KiB to 1 MiB, equal within
  // the noise above (collective/README.md).
  size_t halving_max_bytes = std::numeric_limits<size_t>::max();
  // Worlds that are not a power of two (3, 5, 6, 7, ...): recursive doubling and
  // halving-doubling among the largest power of two p of ranks, the other n - p ranks folded
  // in block by block (fold.h); false: the direct exchange and the ring only, as before.
  // Doubling for all-reduces of at most folded_doubling_max_bytes (checked before the direct
  // exchange: equal to it or faster on 3, 5 and 7 ranks except 16 KiB on 3, and 1.3-1.8x
  // faster at 64 KiB), halving-doubling for larger ones up to halving_max_bytes. 64 KiB: there
  // doubling and halving measured equal on 5 and 7 ranks and doubling 0.84x the time on 3;
  // at 256 KiB halving was faster on 5 and 7 (collective/README.md, crossovers).
  bool fold_extra_ranks = true;
  size_t folded_doubling_max_bytes = 64 << 10;
  // In halving-doubling and the ring's first step, a rank sends at most this many segments
  // beyond those it has received from the same peer (0: all at once). Little data in flight
  // stays in the CPU caches between the sender's copy into the socket, the receiver's copy
  // out of it and the add: on 4 ranks sharing 2 cores, 1 measured ~1.4x faster than all at
  // once from 4 MiB and 2 ~20 % slower than 1 (bench/allreduce/RESULTS.md, run H).
  size_t send_ahead_segments = 1;
  // Payloads to ranks on the same host (of the same user, sharing /dev/shm) travel through
  // shared memory, their Segments still on the streams (shm_outbox.h): one copy per payload
  // instead of the socket's two and gRPC's, and no TCP. Ranks elsewhere are unaffected.
  bool shared_memory = true;
};

// Thread-compatible; see Communicator.
class GrpcCommunicator final : public Communicator {
 public:
  // `service` (of a CollectiveServer; not owned) receives this rank's segments; its mailbox
  // is attached to options.group, and its queue stays up until the communicator is gone.
  // Connects lazily, at the first operation. Destroy a generation's communicator before
  // creating the next one on the same service (the mailbox serves one group at a time).
  static absl::StatusOr<std::unique_ptr<GrpcCommunicator>> Create(GrpcCommunicatorOptions options,
                                                                  CollectiveService* service);
  // The same, owning `server` (shut down when the communicator is destroyed).
  static absl::StatusOr<std::unique_ptr<GrpcCommunicator>> Create(
      GrpcCommunicatorOptions options, std::unique_ptr<CollectiveServer> server);

  int rank() const override { return transport_->rank(); }
  int world_size() const override { return transport_->world_size(); }
  absl::Status AllReduceSum(float* data, size_t count, const OpOptions& options) override;
  absl::Status Broadcast(float* data, size_t count, int root, const OpOptions& options) override;
  absl::Status AllGather(const void* mine, size_t bytes, void* out,
                         const OpOptions& options) override;

  // The algorithm AllReduceSum uses for `count` elements: "pair", "doubling", "direct",
  // "halving", "ring" (or "none" when nothing is sent).
  const char* AllReduceAlgorithm(size_t count) const;
  // Payloads this rank sent through shared memory and on its streams (GrpcCommunicatorOptions::
  // shared_memory); read between operations.
  size_t shm_sends() const { return transport_->shm_sends(); }
  size_t stream_sends() const { return transport_->stream_sends(); }

 private:
  enum class Algorithm { kNone, kPair, kDoubling, kDirect, kHalving, kRing };

  GrpcCommunicator(const GrpcCommunicatorOptions& options,
                   std::unique_ptr<GrpcTransport> transport);
  Algorithm Choose(size_t count) const;
  // Requires op_mu_. The next operation (numbered, with its deadline and wire format), or the
  // status the communicator broke with.
  absl::StatusOr<OpContext> NextOpLocked(const OpOptions& options, WireFormat wire);
  // Requires op_mu_. Runs `body` over the transport; a failure breaks the communicator.
  absl::Status RunLocked(absl::FunctionRef<absl::Status()> body);

  const GrpcCommunicatorOptions options_;
  const Pacing pacing_;
  const std::unique_ptr<GrpcTransport> transport_;
  std::mutex op_mu_;  // one operation at a time
  absl::Status broken_;
  // Every rank calls the same operations in the same order, so every rank numbers them alike;
  // each Segment carries the number (the mailbox keys on it).
  uint64_t next_sequence_ = 0;
};

// Process-wide settings for bulk gRPC transfers, for main(): malloc keeps large read buffers
// on the heap instead of mmap/munmap per read (reference/grpc-bandwidth.md, setting B), and
// Abseil's mutex deadlock detection is off (see the definition).
void TuneProcessForBulkTransfer();

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_GRPC_COMMUNICATOR_H_
