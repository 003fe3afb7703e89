// The receiving side of the gRPC collective: the CollectiveService endpoint (Ping, Push) and
// the mailbox its Push streams deliver into. Handlers never block: a segment is validated,
// stored under (generation, sequence, step, segment, sender) and the next read starts; the
// collective takes it from the mailbox. All of it runs on the CompletionDriver's queue (the
// async API), polled by the operation that waits for the segment.
#ifndef TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_
#define TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "collective/communicator.h"
#include "collective/grpc_completion_driver.h"
#include "collective/shm_outbox.h"
#include "common/transport_security.h"
#include "tandem/v1/collective_service.grpc.pb.h"

namespace tandem::collective {

// One received segment: its header and the whole message, payload bytes still in gRPC's
// slices (never copied into a contiguous buffer), or, for a segment posted to a shared-memory
// outbox, its header and the sender's slot `shm` (freed for the sender when the last copy of
// the Delivery is gone).
struct Delivery {
  v1::CollectiveHeader header;
  grpc::ByteBuffer message;
  size_t payload_offset = 0;
  std::shared_ptr<const ShmPayload> shm;
};

// Metadata of a Push stream: its group ("<job id>/<generation>") and the group's key.
inline constexpr char kGroupMetadata[] = "tandem-group";
inline constexpr char kGroupKeyMetadata[] = "tandem-group-key";

// Segments waiting for the collective of this process. Serves one group (job, generation) at
// a time: segments of an older generation or another job are refused; segments of a newer
// generation are kept (a neighbour may switch first). Thread-safe. Waiting is the caller's:
// it polls the CompletionDriver and calls TryTake again; `on_change` (run after every change,
// outside the lock) wakes it when the change came from another thread.
//
// Who may push (DESIGN.md section 8): a stream names its group and presents the group's key
// when it opens (kGroupMetadata, kGroupKeyMetadata); it is admitted only for a group
// announced to this process with that key: by the coordinator's assignment (Announce) or by
// the local transport (Attach). A stream for a group not announced yet waits, unread, until
// it is (a peer may hear of its generation first); nothing it sends is stored before.
class Mailbox {
 public:
  explicit Mailbox(size_t max_buffered_bytes, std::function<void()> on_change = nullptr)
      : max_buffered_bytes_(max_buffered_bytes), on_change_(std::move(on_change)) {}

  // Serve `group` from now on (announcing it with `key`): drops segments and announcements of
  // other jobs and older generations and clears the error of the previous group.
  void Attach(const GroupId& group, const std::string& key = "");

  // Admits streams of `group` that present `key` (hex; empty for groups formed without a
  // coordinator). Keeps the newest kMaxAnnounced announcements.
  void Announce(const GroupId& group, const std::string& key);
  static constexpr size_t kMaxAnnounced = 16;

  // Whether a stream of `group` presenting `key` may deliver: true when admitted, false while
  // its group has not been announced (ask again later). PermissionDenied for a wrong key,
  // FailedPrecondition for a group this process has moved past (an older generation of its
  // job). The key is compared in constant time and never logged.
  absl::StatusOr<bool> Admit(const GroupId& group, const std::string& key);

  // Stores a segment; never blocks. FAILED_PRECONDITION for a stale generation, or for another
  // job unless that job's generation was announced (a peer may start the next job while this
  // process still finishes the last: its segments wait for the Attach); naming both.
  // RESOURCE_EXHAUSTED when more than max_buffered_bytes would be waiting.
  absl::Status Put(Delivery delivery);

  // Registers the shared-memory outbox a stream of `group` named (shm_outbox.h): its posted
  // segments are delivered by DrainInboxes. RESOURCE_EXHAUSTED beyond kMaxInboxes (the
  // stream's payloads then stay on it). Inboxes of other groups go with the next Attach.
  absl::Status AddInbox(const GroupId& group, std::shared_ptr<ShmInbox> inbox);
  static constexpr size_t kMaxInboxes = 256;
  // Stores the segments posted to `group`'s inboxes since the last call, as deliveries that
  // read their slots; true if any. A malformed descriptor fails the group (INVALID_ARGUMENT
  // naming the sender) and is returned.
  absl::StatusOr<bool> DrainInboxes(const GroupId& group);
  // The inbox rank `from` of `group` posts to, or null: its segments come on its stream.
  std::shared_ptr<ShmInbox> FindInbox(const GroupId& group, int from);

  // Segment (sequence, step, segment) from rank `from` of `group` if it has arrived, nullopt
  // if not yet; the group's failure (or CANCELLED once another group is attached) if any.
  absl::StatusOr<std::optional<Delivery>> TryTake(const GroupId& group, uint64_t sequence,
                                                  uint32_t step, uint32_t segment,
                                                  uint32_t from);

  // Marks `group` failed (if it is the attached one, or none is attached): waiting and later
  // Takes return `status` (the first one reported) until the next Attach.
  void Fail(const GroupId& group, const absl::Status& status);

  // OK while `group` is the attached group and has not failed; else why it cannot go on
  // (its failure, or CANCELLED when another group is attached).
  absl::Status GroupStatus(const GroupId& group);

  // What the collective of this process waits for, while an operation waits on its peers
  // (the transport marks its waits): for the coordinator's stall detection, which heartbeats
  // feed. `awaited_rank` -1: the operation waits for its own sends to be taken.
  struct Wait {
    GroupId group;
    int awaited_rank = -1;
    Clock::time_point since;
    bool sends = false;  // a wait for own sends to be taken (by awaited_rank, if >= 0)
  };
  // Marks a wait of `group` on `awaited_rank` from now, or, with `continuing` (the same wait
  // going on, now on `awaited_rank`), from when it began; returns the mark's number, which
  // EndWait takes: a wait that ends clears only its own mark, not a later one's (an operation
  // of another thread or generation that began meanwhile).
  uint64_t BeginWait(const GroupId& group, int awaited_rank, bool continuing = false,
                     bool sends = false);
  void EndWait(uint64_t mark);
  std::optional<Wait> CurrentWait();
  // How long waits on each awaited rank (>= 0: a peer whose segment was not there yet) lasted
  // since the last call, a wait going on counted up to now; waits on sends are left out.
  // For the progress report (ProgressReport.awaited_ms): whose data this process waits for.
  std::map<int, Clock::duration> TakeAwaited();

 private:
  // job, generation, sequence, step, segment, sender rank
  using Key = std::tuple<std::string, uint64_t, uint64_t, uint32_t, uint32_t, uint32_t>;
  bool IsCurrent(const GroupId& group) const;  // requires mu_
  bool AnnouncedLocked(const std::string& job_id, uint64_t generation) const;  // requires mu_
  absl::Status GroupStatusLocked(const GroupId& group) const;  // requires mu_
  absl::Status Store(Delivery delivery);        // Put without the notification
  void Changed() {
    if (on_change_) on_change_();
  }

  const size_t max_buffered_bytes_;
  const std::function<void()> on_change_;
  std::mutex mu_;
  GroupId group_;  // empty job id: none attached yet
  // (job, generation) -> key, oldest first.
  std::vector<std::pair<std::pair<std::string, uint64_t>, std::string>> announced_;
  std::map<Key, Delivery> waiting_;
  size_t buffered_bytes_ = 0;
  std::vector<std::pair<GroupId, std::shared_ptr<ShmInbox>>> inboxes_;
  std::mutex drain_mu_;  // one DrainInboxes at a time (each ring has one consumer)
  absl::Status error_;
  // Adds the time since awaited_since_ to the current wait's rank; requires mu_.
  void AccountWaitLocked(Clock::time_point now);

  std::optional<Wait> wait_;
  uint64_t wait_mark_ = 0;  // the number of the last BeginWait
  Clock::time_point awaited_since_;  // when wait_ began waiting on its current rank
  std::map<int, Clock::duration> awaited_;  // ranks < the world size: bounded
};

// What a GrpcTransport needs of its process's CollectiveServer: the mailbox the Push
// streams fill and the driver of the queue its own streams run on.
class CollectiveService {
 public:
  virtual ~CollectiveService() = default;
  virtual Mailbox& mailbox() = 0;
  virtual CompletionDriver& driver() = 0;
  // Keeps the queue (and so the communicator's own streams) working until released, even
  // after the server shut down: a communicator holds one for its lifetime.
  virtual std::shared_ptr<CollectiveService> Ref() = 0;
  // What the server answers to gRPC's standard health check (grpc.health.v1): a worker is
  // serving while it is joined to its coordinator (container readiness probes ask this).
  virtual void SetServing(bool serving) = 0;
};

struct CollectiveServerOptions {
  // Answers Ping (may be empty).
  std::function<std::string()> worker_id;
  // Bounds the received data no operation has taken yet.
  size_t max_buffered_bytes = size_t{1} << 30;
  // TLS is mutual: a peer without a certificate signed by the CA cannot connect.
  TransportSecurity security;
  // How long a stream waits for its group to be announced before it is refused.
  std::chrono::milliseconds admit_timeout{30000};
};

// A gRPC server that hosts the CollectiveService (Ping, Push) on its own completion queue.
class CollectiveServer {
 public:
  // Binds `address` ("127.0.0.1:0" picks a port). FailedPrecondition for a plaintext
  // address off loopback (TransportSecurity::CheckListen).
  static absl::StatusOr<std::unique_ptr<CollectiveServer>> Start(
      const std::string& address, CollectiveServerOptions options = {});
  ~CollectiveServer();
  int port() const { return port_; }
  CollectiveService* service();
  // Stops serving; open streams are cancelled (their senders see UNAVAILABLE). The queue
  // stays up for communicators that still use service() until the last one is destroyed.
  // Idempotent. Not from a thread inside an OpScope: gRPC's shutdown waits for the server's
  // calls to end, which needs the queue polled.
  void Shutdown();

  class Impl;

 private:
  explicit CollectiveServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_
