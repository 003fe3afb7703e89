// Transport over gRPC: one persistent Push stream to each peer this rank sends to
// (PeerStream), segments received through the process's CollectiveService mailbox, every wait
// polling the service's completion queue from the operation's own thread (CompletionDriver).
// float32 payloads are sent straight from the caller's buffer (gRPC slices over it, counted in
// their slot until gRPC releases them), bf16 payloads from a converted copy.
#ifndef TANDEM_COLLECTIVE_GRPC_TRANSPORT_H_
#define TANDEM_COLLECTIVE_GRPC_TRANSPORT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "collective/collective_service.h"
#include "collective/grpc_peer_stream.h"
#include "collective/transport.h"

namespace tandem::collective {

// How a transport's streams are secured and admitted (DESIGN.md section 8).
struct StreamSecurity {
  // The channels' TLS; a peer's certificate must name kWorkerServerName.
  TransportSecurity tls;
  // The group's key (WorkAssignment.collective_key), presented when a stream opens; empty
  // for groups formed without a coordinator (tests, benchmarks).
  std::string group_key;
};

class GrpcTransport final : public Transport {
 public:
  // `peers[r]` is rank r's CollectiveService address. `service` (not owned unless `server`,
  // its server, is given) receives this rank's segments: its mailbox is attached to `group`
  // (with the group's key), and its queue stays up until the transport is gone. Connects
  // lazily (Connect), through `security`.
  GrpcTransport(GroupId group, int rank, std::vector<std::string> peers, CollectiveService* service,
                StreamSecurity security = {}, std::unique_ptr<CollectiveServer> server = nullptr);
  // Closes the streams (gracefully unless an operation failed), then shuts an owned server down.
  ~GrpcTransport() override;

  int rank() const override { return rank_; }
  int world_size() const override { return static_cast<int>(peers_.size()); }
  // Payloads of at most `slot_bytes` to peers on this host go through shared memory
  // (shm_outbox.h) from the next Connect on; 0 (the default): always on the stream.
  void EnableSharedMemory(size_t slot_bytes) { shared_memory_slot_bytes_ = slot_bytes; }
  // Slots of an outbox: up to this many segments to one peer may be unread at a time before
  // further ones go on the stream. 64 of 512 KiB: the 32 MiB block a folded rank sends at
  // once in a 64 MiB all-reduce on 3 ranks (16 slots: 78 ms, 64: 51 ms); memory is taken
  // only as slots are used.
  static constexpr uint32_t kShmSlots = 64;
  // While a wait sleeps on a peer's shared-memory bell, the completion queue (stream breaks,
  // segments that went on a stream) is checked at least this often.
  static constexpr std::chrono::microseconds kShmQueueCheck{1000};
  // Payloads sent so far through shared memory and on the streams.
  size_t shm_sends() const { return shm_sends_; }
  size_t stream_sends() const { return stream_sends_; }

  void Connect(int peer) override;
  void ReserveSlots(size_t slots) override;
  void Send(const OpContext& op, int peer, uint32_t step, uint32_t segment, const void* data,
            size_t count, size_t slot, bool more) override;
  absl::StatusOr<std::unique_ptr<ReceivedSegment>> Take(const OpContext& op, int from,
                                                        uint32_t step, uint32_t segment,
                                                        size_t count) override;
  absl::Status Receive(const OpContext& op, int from, uint32_t step, uint32_t segment, void* dst,
                       size_t count, bool add) override;
  absl::Status WaitReleased(const OpContext& op, size_t slot, const char* what) override;
  absl::Status WaitAllReleased(const OpContext& op, const char* what) override;

  // Runs `body` (one operation) with this thread polling the service's queue. If it fails,
  // the transport fails for good: the group's mailbox learns it, every stream is torn down,
  // and this returns (the body's status) only once gRPC holds no reference to the caller's
  // buffer. Not from inside another operation.
  absl::Status RunOperation(absl::FunctionRef<absl::Status()> body);

  struct SendState;  // shared with the release callbacks of payload slices

 private:
  std::string Peer(int r) const;
  absl::Status NamePeer(const absl::Status& status) const;
  absl::Status StreamError(const grpc::Status& status, int peer) const;
  void SetError(const absl::Status& error);
  std::string Prefix(const OpContext& op, uint32_t step, uint32_t segment, size_t count) const;
  bool SendThroughOutbox(const OpContext& op, int peer, uint32_t step, uint32_t segment,
                         const void* data, size_t count);
  template <typename Pred>
  absl::Status WaitSends(Clock::time_point deadline, Pred done, const char* what);
  // The lowest rank gRPC still holds payloads for (what a wait on sends waits for), or -1.
  int PeerHoldingSends();
  absl::StatusOr<Delivery> Poll(const OpContext& op, int from, uint32_t step, uint32_t segment);
  absl::StatusOr<Delivery> TakeDelivery(const OpContext& op, int from, uint32_t step,
                                        uint32_t segment, size_t count);
  void CloseStreams(bool graceful);

  const GroupId group_;
  const int rank_;
  const std::vector<std::string> peers_;
  const StreamSecurity security_;
  CollectiveService* const service_;
  std::shared_ptr<CollectiveService> service_ref_;  // keeps the queue up while streams exist
  std::unique_ptr<CollectiveServer> owned_server_;
  std::shared_ptr<SendState> send_;
  std::vector<std::unique_ptr<PeerStream>> streams_;  // by peer rank, opened lazily
  size_t shared_memory_slot_bytes_ = 0;
  std::vector<std::unique_ptr<ShmOutbox>> outboxes_;  // by peer rank, with its stream
  size_t shm_sends_ = 0;
  size_t stream_sends_ = 0;
  bool failed_ = false;  // an operation failed: the streams were torn down
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_GRPC_TRANSPORT_H_
