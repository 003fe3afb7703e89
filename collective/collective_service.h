// The receiving side of the gRPC collective: the CollectiveService endpoint (Ping, Push) and
// the mailbox its Push streams deliver into. Handlers never block a gRPC thread: a segment is
// validated, stored under (generation, sequence, step, segment, sender) and the next read starts; the
// collective drains the mailbox with a deadline.
#ifndef TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_
#define TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "collective/communicator.h"
#include "tandem/v1/collective_service.grpc.pb.h"

namespace tandem::collective {

// One received Segment: its header and the whole message, payload bytes still in gRPC's
// slices (never copied into a contiguous buffer).
struct Delivery {
  v1::CollectiveHeader header;
  grpc::ByteBuffer message;
  size_t payload_offset = 0;
};

// Segments waiting for the collective of this process. Serves one group (job, generation) at
// a time: segments of an older generation or another job are refused; segments of a newer
// generation are kept (a neighbour may switch first). Thread-safe.
class Mailbox {
 public:
  explicit Mailbox(size_t max_buffered_bytes) : max_buffered_bytes_(max_buffered_bytes) {}

  // Serve `group` from now on: drops segments of other jobs and older generations and clears
  // the error of the previous group.
  void Attach(const GroupId& group);

  // Stores a segment; never blocks. FAILED_PRECONDITION for a stale generation or another job
  // (naming both), RESOURCE_EXHAUSTED when more than max_buffered_bytes would be waiting.
  absl::Status Put(Delivery delivery);

  // Waits until segment (sequence, step, segment) from rank `from` of `group` arrives, the
  // group fails, or `deadline` passes (DEADLINE_EXCEEDED).
  absl::StatusOr<Delivery> Take(const GroupId& group, uint64_t sequence, uint32_t step,
                                uint32_t segment, uint32_t from, Clock::time_point deadline);

  // Marks `group` failed (if it is the attached one, or none is attached): waiting and later
  // Takes return `status` (the first one reported) until the next Attach.
  void Fail(const GroupId& group, const absl::Status& status);

  // OK while `group` is the attached group and has not failed; else why it cannot go on
  // (its failure, or CANCELLED when another group is attached).
  absl::Status GroupStatus(const GroupId& group);

 private:
  // generation, sequence, step, segment, sender rank
  using Key = std::tuple<uint64_t, uint64_t, uint32_t, uint32_t, uint32_t>;
  bool IsCurrent(const GroupId& group) const;  // requires mu_
  absl::Status Store(Delivery delivery);        // Put without the notification

  const size_t max_buffered_bytes_;
  std::mutex mu_;
  std::condition_variable cv_;
  GroupId group_;  // empty job id: none attached yet
  std::map<Key, Delivery> waiting_;
  size_t buffered_bytes_ = 0;
  absl::Status error_;
};

// The CollectiveService implementation. Register it on any grpc::ServerBuilder (the worker
// hosts it next to its other services) or let CollectiveServer own one.
class CollectiveService final
    : public v1::CollectiveService::WithCallbackMethod_Ping<
          v1::CollectiveService::WithRawCallbackMethod_Push<v1::CollectiveService::Service>> {
 public:
  // `worker_id` answers Ping (may be empty). `max_buffered_bytes` bounds undelivered data.
  explicit CollectiveService(std::function<std::string()> worker_id = nullptr,
                             size_t max_buffered_bytes = size_t{1} << 30);
  Mailbox& mailbox() { return mailbox_; }

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* ctx,
                                 const v1::PingRequest* request,
                                 v1::PingResponse* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Push(
      grpc::CallbackServerContext* ctx) override;

 private:
  std::function<std::string()> worker_id_;
  Mailbox mailbox_;
};

// A gRPC server that hosts only a CollectiveService.
class CollectiveServer {
 public:
  // Binds `address` ("127.0.0.1:0" picks a port).
  static absl::StatusOr<std::unique_ptr<CollectiveServer>> Start(
      const std::string& address, std::function<std::string()> worker_id = nullptr);
  ~CollectiveServer();
  int port() const { return port_; }
  CollectiveService* service() { return &service_; }
  // Stops serving; open streams are cancelled (their senders see UNAVAILABLE). Idempotent.
  void Shutdown();

 private:
  explicit CollectiveServer(std::function<std::string()> worker_id) : service_(worker_id) {}
  CollectiveService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_COLLECTIVE_SERVICE_H_
