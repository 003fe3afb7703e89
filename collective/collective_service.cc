#include "collective/collective_service.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collective/wire.h"
#include "common/grpc_util.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem::collective {

void Mailbox::Attach(const GroupId& group) {
  std::lock_guard<std::mutex> lock(mu_);
  group_ = group;
  error_ = absl::OkStatus();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    const v1::CollectiveHeader& h = it->second.header;
    if (h.job_id() != group.job_id || h.generation() < group.generation) {
      buffered_bytes_ -= it->second.message.Length();
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  cv_.notify_all();
}

bool Mailbox::IsCurrent(const GroupId& group) const {
  return group_.job_id.empty() ||
         (group_.job_id == group.job_id && group_.generation == group.generation);
}

absl::Status Mailbox::Put(Delivery delivery) {
  TANDEM_RETURN_IF_ERROR(Store(std::move(delivery)));
  // Notified after the lock is released: a waiter woken under it would block on mu_ at once
  // and need a second wake-up (seen in scheduler traces as a futex round trip per segment).
  cv_.notify_all();
  return absl::OkStatus();
}

absl::Status Mailbox::Store(Delivery delivery) {
  const v1::CollectiveHeader& h = delivery.header;
  std::lock_guard<std::mutex> lock(mu_);
  if (!group_.job_id.empty()) {
    if (h.job_id() != group_.job_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "collective segment for job '", h.job_id(), "' but this worker serves job '",
          group_.job_id, "'"));
    }
    if (h.generation() < group_.generation) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stale generation: segment of generation ", h.generation(), " (from rank ",
          h.from_rank(), ") but the current generation is ", group_.generation));
    }
  }
  size_t bytes = delivery.message.Length();
  if (buffered_bytes_ + bytes > max_buffered_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "collective mailbox full: ", buffered_bytes_, " bytes waiting, limit ",
        max_buffered_bytes_));
  }
  Key key{h.generation(), h.sequence(), h.step(), h.segment(), h.from_rank()};
  if (waiting_.count(key) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "duplicate collective segment (generation ", h.generation(), ", sequence ",
        h.sequence(), ", step ", h.step(), ", segment ", h.segment(), ", from rank ",
        h.from_rank(), ")"));
  }
  buffered_bytes_ += bytes;
  waiting_.emplace(key, std::move(delivery));
  return absl::OkStatus();
}

absl::StatusOr<Delivery> Mailbox::Take(const GroupId& group, uint64_t sequence, uint32_t step,
                                       uint32_t segment, uint32_t from,
                                       Clock::time_point deadline) {
  Key key{group.generation, sequence, step, segment, from};
  std::unique_lock<std::mutex> lock(mu_);
  auto it = waiting_.end();
  bool done = cv_.wait_until(lock, deadline, [&] {
    if (!error_.ok() && IsCurrent(group)) return true;
    it = waiting_.find(key);
    return it != waiting_.end();
  });
  if (!error_.ok() && IsCurrent(group)) return error_;
  if (!done) {
    return absl::DeadlineExceededError(absl::StrCat(
        "deadline passed waiting for sequence ", sequence, " step ", step, " segment ",
        segment));  // the caller names the peer
  }
  Delivery out = std::move(it->second);
  buffered_bytes_ -= out.message.Length();
  waiting_.erase(it);
  return out;
}

void Mailbox::Fail(const GroupId& group, const absl::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!IsCurrent(group) || !error_.ok()) return;
    error_ = status;
  }
  cv_.notify_all();
}

absl::Status Mailbox::GroupStatus(const GroupId& group) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsCurrent(group)) {
    return absl::CancelledError(absl::StrCat("generation ", group.generation, " of job ",
                                             group.job_id, " was superseded"));
  }
  return error_;
}

namespace {

// Reads Segments from one Push stream into the mailbox until the sender closes it. A bad
// segment ends the stream with the reason; a stream that breaks fails its group, so the
// collective waiting on it returns UNAVAILABLE at once instead of at its deadline.
class PushReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  PushReactor(Mailbox* mailbox, grpc::CallbackServerContext* ctx)
      : mailbox_(mailbox), ctx_(ctx) {
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the sender closed the stream, or the call broke (then OnCancel runs too)
      Finish(grpc::Status::OK);
      return;
    }
    absl::Status status = Deliver();
    if (!status.ok()) {
      TANDEM_LOG(WARNING) << "refusing collective stream from " << ctx_->peer() << ": "
                          << status;
      Finish(ToGrpcStatus(status));
      return;
    }
    StartRead(&message_);
  }

  // May run concurrently with OnReadDone, hence mu_.
  void OnCancel() override {
    GroupId group;
    uint32_t from_rank;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!seen_header_) return;
      group = group_;
      from_rank = from_rank_;
    }
    mailbox_->Fail(group, absl::UnavailableError(absl::StrCat(
                              "collective stream from rank ", from_rank, " (", ctx_->peer(),
                              ") broke")));
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Deliver() {
    // The prefix (header) is small; copy at most its bounded size out of the slices.
    std::vector<grpc::Slice> slices;
    if (!message_.Dump(&slices).ok()) {
      return absl::InvalidArgumentError("unreadable collective segment");
    }
    uint8_t prefix[kMaxHeaderBytes + 32];
    size_t n = 0;
    for (const grpc::Slice& s : slices) {
      size_t take = std::min(s.size(), sizeof(prefix) - n);
      std::memcpy(prefix + n, s.begin(), take);
      n += take;
      if (n == sizeof(prefix)) break;
    }
    Delivery delivery;
    size_t total = message_.Length();
    absl::Status parsed =
        ParseSegmentPrefix(prefix, n, total, &delivery.header, &delivery.payload_offset);
    if (!parsed.ok()) return parsed;
    const v1::CollectiveHeader& h = delivery.header;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!seen_header_) {
        seen_header_ = true;
        group_ = GroupId{h.job_id(), h.generation()};
        from_rank_ = h.from_rank();
      }
    }
    delivery.message = std::move(message_);
    message_.Clear();
    return mailbox_->Put(std::move(delivery));
  }

  Mailbox* mailbox_;
  grpc::CallbackServerContext* ctx_;
  grpc::ByteBuffer message_;
  std::mutex mu_;  // guards the three below
  bool seen_header_ = false;
  GroupId group_;
  uint32_t from_rank_ = 0;
};

}  // namespace

CollectiveService::CollectiveService(std::function<std::string()> worker_id,
                                     size_t max_buffered_bytes)
    : worker_id_(std::move(worker_id)), mailbox_(max_buffered_bytes) {}

grpc::ServerUnaryReactor* CollectiveService::Ping(grpc::CallbackServerContext* ctx,
                                                  const v1::PingRequest*,
                                                  v1::PingResponse* response) {
  if (worker_id_) response->set_worker_id(worker_id_());
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* CollectiveService::Push(
    grpc::CallbackServerContext* ctx) {
  return new PushReactor(&mailbox_, ctx);
}

absl::StatusOr<std::unique_ptr<CollectiveServer>> CollectiveServer::Start(
    const std::string& address, std::function<std::string()> worker_id) {
  std::unique_ptr<CollectiveServer> server(new CollectiveServer(std::move(worker_id)));
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(&server->service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  return server;
}

CollectiveServer::~CollectiveServer() { Shutdown(); }

void CollectiveServer::Shutdown() {
  if (server_ == nullptr) return;
  // Streams are persistent: waiting for them to end gracefully would only delay. Open
  // streams are cancelled now.
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

}  // namespace tandem::collective
