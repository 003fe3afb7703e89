// The collective interface: sum all-reduce and broadcast over flat float32 buffers, among the
// ranks of one (job, generation). Implementations: InProcessGroup (threads sharing memory,
// for tests of the logic above) and RingCommunicator (gRPC between processes).
#ifndef TANDEM_COLLECTIVE_COMMUNICATOR_H_
#define TANDEM_COLLECTIVE_COMMUNICATOR_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tandem::collective {

using Clock = std::chrono::steady_clock;

// Per-operation options. Every rank must call the same operations in the same order with the
// same `sequence`, `count` and (for Broadcast) root; `sequence` must differ between any two
// operations of one communicator (the trainer uses step * buckets + bucket).
struct OpOptions {
  uint64_t sequence = 0;
  // The operation returns DEADLINE_EXCEEDED (or the first other error) by this time.
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
  // Send payloads as bfloat16 (half the bytes). Sums lose precision (about 3 significant
  // digits), but every rank still ends with the same bits.
  bool bf16_wire = false;

  static OpOptions WithTimeout(uint64_t sequence, std::chrono::milliseconds timeout) {
    OpOptions options;
    options.sequence = sequence;
    options.deadline = Clock::now() + timeout;
    return options;
  }
};

// The group a communicator belongs to. A new generation means a new communicator.
struct GroupId {
  std::string job_id;
  uint64_t generation = 0;
};

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
  virtual absl::Status Broadcast(float* data, size_t count, int root,
                                 const OpOptions& options) = 0;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_COMMUNICATOR_H_
