// The transport the collective algorithms run over: the segments of one operation, sent to
// and taken from peers by rank, and the send buffers the transport may still read. gRPC-free:
// the algorithms (algorithms.h) see only this interface; GrpcTransport (grpc_transport.h)
// implements it over the CollectiveService's Push streams and mailbox.
#ifndef TANDEM_COLLECTIVE_TRANSPORT_H_
#define TANDEM_COLLECTIVE_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collective/communicator.h"

namespace tandem::collective {

// How the elements of an operation's payloads travel.
enum class WireFormat {
  kF32,    // float32, 4 bytes per element, sent straight from the caller's floats
  kBf16,   // bfloat16, 2 bytes per element, rounded (sent from a converted copy)
  kBytes,  // opaque bytes, 1 per element: copied, never added (all-gather)
};

// One operation as its segments and waits see it.
struct OpContext {
  uint64_t sequence = 0;       // the communicator's operation number: every rank's agrees
  Clock::time_point deadline;  // every wait of the operation ends by then
  WireFormat wire = WireFormat::kF32;
};

// A segment taken from a peer whose payload is still in the transport's buffers.
class ReceivedSegment {
 public:
  virtual ~ReceivedSegment() = default;
  // Writes the payload (the elements Take checked) to `dst`, adding when `add` (float
  // formats only).
  virtual void CopyTo(void* dst, bool add) = 0;
};

// Used by one operation at a time (the communicator serialises them). Nothing blocks but the
// waits (Take, Receive, WaitReleased, WaitAllReleased), and every wait ends by the
// operation's deadline, with the group's failure, or once a send has failed.
class Transport {
 public:
  virtual ~Transport() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;

  // Opens the stream to `peer` unless it is open. It connects in the background; sends queue
  // until it does.
  virtual void Connect(int peer) = 0;

  // Every payload sent counts in a slot (an algorithm's chunk, segment or step) until the
  // transport no longer reads it; an algorithm waits on a slot before it overwrites the bytes
  // it sent under it. Makes room for `slots` slots (between operations every slot is zero;
  // there are always at least world_size()).
  virtual void ReserveSlots(size_t slots) = 0;

  // Queues segment (step, segment) of `op` to `peer`: `count` elements in op.wire read from
  // `data` (floats for kF32 and kBf16, bytes for kBytes), which must stay unchanged until
  // `slot` is released. `more`: another Send to the same peer follows at once, so the
  // transport may hold this one until then. Never blocks; a failure is recorded and returned
  // by the next wait.
  virtual void Send(const OpContext& op, int peer, uint32_t step, uint32_t segment,
                    const void* data, size_t count, size_t slot, bool more) = 0;

  // Waits for segment (step, segment) of `op` from rank `from` and checks that it holds
  // `count` elements in op.wire (INVALID_ARGUMENT otherwise).
  virtual absl::StatusOr<std::unique_ptr<ReceivedSegment>> Take(const OpContext& op, int from,
                                                                uint32_t step, uint32_t segment,
                                                                size_t count) = 0;
  // Take, then CopyTo(dst, add), without holding the segment in between.
  virtual absl::Status Receive(const OpContext& op, int from, uint32_t step, uint32_t segment,
                               void* dst, size_t count, bool add) = 0;

  // Waits until no payload of `slot` is read any more; `what` names the wait in a
  // DEADLINE_EXCEEDED error.
  virtual absl::Status WaitReleased(const OpContext& op, size_t slot, const char* what) = 0;
  // The same for every slot: the operation may return once this returns OK.
  virtual absl::Status WaitAllReleased(const OpContext& op, const char* what) = 0;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_TRANSPORT_H_
