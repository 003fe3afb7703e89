// The collective interface: sum all-reduce and broadcast over flat float32 buffers, and
// all-gather of raw bytes, among the ranks of one (job, generation). Implementations:
// InProcessGroup (threads sharing memory, for tests of the logic above) and GrpcCommunicator
// (gRPC between processes).
#ifndef TANDEM_COLLECTIVE_COMMUNICATOR_H_
#define TANDEM_COLLECTIVE_COMMUNICATOR_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tandem::collective {

using Clock = std::chrono::steady_clock;

// Payload of a failure caused by the stream from or to one rank breaking (its number,
// decimal): the communicator names that rank's address in the error it returns, and a worker
// tells the coordinator (ProgressReport.broken_peer_rank), which may then presume it dead.
inline constexpr char kFromRankPayload[] = "type.tandem/collective.from_rank";

// Per-operation options.
struct OpOptions {
  // The operation returns DEADLINE_EXCEEDED (or the first other error) by this time.
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
  // Send payloads as bfloat16 (half the bytes). Sums lose precision (about 3 significant
  // digits), but every rank still ends with the same bits. AllGather ignores it.
  bool bf16_wire = false;

  static OpOptions WithTimeout(std::chrono::milliseconds timeout) {
    OpOptions options;
    options.deadline = Clock::now() + timeout;
    return options;
  }
};

// The group a communicator belongs to. A new generation means a new communicator.
struct GroupId {
  std::string job_id;
  uint64_t generation = 0;
};

// Every rank must call the same operations in the same order, with the same count (or bytes)
// and root: a communicator numbers its operations itself (from 0), and the ranks' numbers
// agree only then; messages carry the number.
//
// Thread compatibility: one operation at a time per communicator (calls are serialised
// internally). After an operation fails the communicator is broken: later operations fail
// fast with the same status, and the owner reports it and builds a new generation.
class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;

  // In place: on success every rank's `data[0..count)` holds the element-wise sum over ranks,
  // bit-identical on all ranks. On error `data` holds unspecified values.
  virtual absl::Status AllReduceSum(float* data, size_t count, const OpOptions& options) = 0;

  // In place: on success every rank's `data[0..count)` equals the root's.
  virtual absl::Status Broadcast(float* data, size_t count, int root, const OpOptions& options) = 0;

  // On success `out[r * bytes .. (r + 1) * bytes)` holds rank r's `mine[0..bytes)` for every
  // rank r, bit-exact, on every rank (`out` holds world_size() * bytes). `mine` may be
  // out + rank() * bytes and must not overlap the rest of `out`. On error `out` holds
  // unspecified values.
  virtual absl::Status AllGather(const void* mine, size_t bytes, void* out,
                                 const OpOptions& options) = 0;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_COMMUNICATOR_H_
