#include "collective/collective_service.h"

#include <grpcpp/alarm.h>
#include <grpcpp/ext/health_check_service_server_builder_option.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collective/wire.h"
#include "common/grpc_util.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/status.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace tandem::collective {

void Mailbox::Announce(const GroupId& group, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::pair<std::string, uint64_t> id{group.job_id, group.generation};
  for (auto it = announced_.begin(); it != announced_.end(); ++it) {
    if (it->first == id) {
      announced_.erase(it);
      break;
    }
  }
  announced_.push_back({id, key});
  if (announced_.size() > kMaxAnnounced) announced_.erase(announced_.begin());
}

absl::StatusOr<bool> Mailbox::Admit(const GroupId& group, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (group.job_id == group_.job_id && group.generation < group_.generation) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stale generation: stream of generation ", group.generation,
        " but the current generation is ", group_.generation));
  }
  for (const auto& [id, announced_key] : announced_) {
    if (id.first != group.job_id || id.second != group.generation) continue;
    if (!TokensEqual(key, announced_key)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "wrong key for generation ", group.generation, " of job ", group.job_id,
          ": not a member of that generation"));
    }
    return true;
  }
  return false;
}

void Mailbox::Attach(const GroupId& group, const std::string& key) {
  Announce(group, key);
  {
  std::lock_guard<std::mutex> lock(mu_);
  group_ = group;
  error_ = absl::OkStatus();
  for (auto it = announced_.begin(); it != announced_.end();) {
    const bool stale = it->first.first != group.job_id || it->first.second < group.generation;
    it = stale ? announced_.erase(it) : it + 1;
  }
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    const v1::CollectiveHeader& h = it->second.header;
    if (h.job_id() != group.job_id || h.generation() < group.generation) {
      buffered_bytes_ -= it->second.message.Length();
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = inboxes_.begin(); it != inboxes_.end();) {
    const bool stale = it->first.job_id != group.job_id || it->first.generation < group.generation;
    it = stale ? inboxes_.erase(it) : it + 1;
  }
  }
  Changed();
}

absl::Status Mailbox::AddInbox(const GroupId& group, std::shared_ptr<ShmInbox> inbox) {
  std::lock_guard<std::mutex> lock(mu_);
  if (inboxes_.size() >= kMaxInboxes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", kMaxInboxes, " shared-memory outboxes"));
  }
  // A rank's newer stream (a reconnect) replaces its older outbox.
  for (auto& [g, existing] : inboxes_) {
    if (g.job_id == group.job_id && g.generation == group.generation &&
        existing->rank() == inbox->rank()) {
      existing = std::move(inbox);
      return absl::OkStatus();
    }
  }
  inboxes_.emplace_back(group, std::move(inbox));
  return absl::OkStatus();
}

std::shared_ptr<ShmInbox> Mailbox::FindInbox(const GroupId& group, int from) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [g, inbox] : inboxes_) {
    if (g.job_id == group.job_id && g.generation == group.generation && inbox->rank() == from) {
      return inbox;
    }
  }
  return nullptr;
}

absl::StatusOr<bool> Mailbox::DrainInboxes(const GroupId& group) {
  std::lock_guard<std::mutex> drain(drain_mu_);
  std::vector<std::shared_ptr<ShmInbox>> inboxes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [g, inbox] : inboxes_) {
      if (g.job_id == group.job_id && g.generation == group.generation) inboxes.push_back(inbox);
    }
  }
  bool any = false;
  for (const std::shared_ptr<ShmInbox>& inbox : inboxes) {
    while (std::optional<ShmDescriptor> d = inbox->Take()) {
      Delivery delivery;
      v1::CollectiveHeader& h = delivery.header;
      h.set_job_id(group.job_id);
      h.set_generation(group.generation);
      h.set_sequence(d->sequence);
      h.set_from_rank(static_cast<uint32_t>(inbox->rank()));
      h.set_step(d->step);
      h.set_segment(d->segment);
      h.set_count(d->count);
      absl::Status status;
      if (d->wire_type != v1::WIRE_TYPE_F32 && d->wire_type != v1::WIRE_TYPE_BF16 &&
          d->wire_type != v1::WIRE_TYPE_BYTES) {
        status = absl::InvalidArgumentError(absl::StrCat("unknown wire type ", d->wire_type));
      } else if (d->count > kMaxSegmentPayloadBytes) {
        status = absl::InvalidArgumentError(absl::StrCat(d->count, " elements"));
      } else {
        h.set_wire_type(static_cast<v1::WireType>(d->wire_type));
        absl::StatusOr<std::unique_ptr<ShmPayload>> payload =
            inbox->Claim(d->slot_plus_one, d->count * WireBytesPerElement(h.wire_type()));
        if (payload.ok()) {
          delivery.shm = *std::move(payload);
          status = Store(std::move(delivery));
        } else {
          status = payload.status();
        }
      }
      if (!status.ok()) {
        const absl::Status failed = Annotate(
            status, absl::StrCat("shared-memory segment from rank ", inbox->rank()));
        Fail(group, failed);
        return failed;
      }
      any = true;
    }
  }
  return any;
}

bool Mailbox::AnnouncedLocked(const std::string& job_id, uint64_t generation) const {
  for (const auto& [id, key] : announced_) {
    if (id.first == job_id && id.second == generation) return true;
  }
  return false;
}

bool Mailbox::IsCurrent(const GroupId& group) const {
  return group_.job_id.empty() ||
         (group_.job_id == group.job_id && group_.generation == group.generation);
}

absl::Status Mailbox::Put(Delivery delivery) {
  TANDEM_RETURN_IF_ERROR(Store(std::move(delivery)));
  Changed();  // after the lock is released
  return absl::OkStatus();
}

absl::Status Mailbox::Store(Delivery delivery) {
  const v1::CollectiveHeader& h = delivery.header;
  std::lock_guard<std::mutex> lock(mu_);
  if (!group_.job_id.empty()) {
    if (h.job_id() != group_.job_id && !AnnouncedLocked(h.job_id(), h.generation())) {
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
  Key key{h.job_id(), h.generation(), h.sequence(), h.step(), h.segment(), h.from_rank()};
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

absl::StatusOr<std::optional<Delivery>> Mailbox::TryTake(const GroupId& group,
                                                         uint64_t sequence, uint32_t step,
                                                         uint32_t segment, uint32_t from) {
  Key key{group.job_id, group.generation, sequence, step, segment, from};
  std::lock_guard<std::mutex> lock(mu_);
  TANDEM_RETURN_IF_ERROR(GroupStatusLocked(group));
  auto it = waiting_.find(key);
  if (it == waiting_.end()) return std::nullopt;
  std::optional<Delivery> out(std::move(it->second));
  buffered_bytes_ -= out->message.Length();
  waiting_.erase(it);
  return out;
}

void Mailbox::Fail(const GroupId& group, const absl::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!IsCurrent(group) || !error_.ok()) return;
    error_ = status;
  }
  Changed();
}

uint64_t Mailbox::BeginWait(const GroupId& group, int awaited_rank, bool continuing,
                            bool sends) {
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Clock::now();
  if (continuing && wait_.has_value() && wait_->group.job_id == group.job_id &&
      wait_->group.generation == group.generation) {
    if (wait_->awaited_rank != awaited_rank || wait_->sends != sends) {
      AccountWaitLocked(now);
      wait_->awaited_rank = awaited_rank;
      wait_->sends = sends;
    }
    return wait_mark_;
  }
  AccountWaitLocked(now);  // a wait replaced by another operation's
  wait_ = Wait{group, awaited_rank, now, sends};
  awaited_since_ = now;
  return ++wait_mark_;
}

void Mailbox::EndWait(uint64_t mark) {
  std::lock_guard<std::mutex> lock(mu_);
  if (mark != wait_mark_) return;
  AccountWaitLocked(Clock::now());
  wait_.reset();
}

void Mailbox::AccountWaitLocked(Clock::time_point now) {
  if (!wait_.has_value()) return;
  if (!wait_->sends && wait_->awaited_rank >= 0) {
    awaited_[wait_->awaited_rank] += now - awaited_since_;
  }
  awaited_since_ = now;
}

std::map<int, Clock::duration> Mailbox::TakeAwaited() {
  std::lock_guard<std::mutex> lock(mu_);
  AccountWaitLocked(Clock::now());
  std::map<int, Clock::duration> out;
  out.swap(awaited_);
  return out;
}

std::optional<Mailbox::Wait> Mailbox::CurrentWait() {
  std::lock_guard<std::mutex> lock(mu_);
  return wait_;
}

absl::Status Mailbox::GroupStatus(const GroupId& group) {
  std::lock_guard<std::mutex> lock(mu_);
  return GroupStatusLocked(group);
}

absl::Status Mailbox::GroupStatusLocked(const GroupId& group) const {
  if (!IsCurrent(group)) {
    return absl::CancelledError(absl::StrCat("generation ", group.generation, " of job ",
                                             group.job_id, " was superseded"));
  }
  return error_;
}

namespace {

using AsyncService = v1::CollectiveService::WithAsyncMethod_Ping<
    v1::CollectiveService::WithRawMethod_Push<v1::CollectiveService::Service>>;

// Parses a Push message into a Delivery: the header from its bounded prefix (copied out of
// the slices), the payload left in gRPC's slices.
absl::StatusOr<Delivery> ParseDelivery(grpc::ByteBuffer& message) {
  std::vector<grpc::Slice> slices;
  if (!message.Dump(&slices).ok()) return absl::InvalidArgumentError("unreadable collective segment");
  uint8_t prefix[kMaxHeaderBytes + 32];
  size_t n = 0;
  for (const grpc::Slice& s : slices) {
    size_t take = std::min(s.size(), sizeof(prefix) - n);
    std::memcpy(prefix + n, s.begin(), take);
    n += take;
    if (n == sizeof(prefix)) break;
  }
  Delivery delivery;
  TANDEM_RETURN_IF_ERROR(
      ParseSegmentPrefix(prefix, n, message.Length(), &delivery.header, &delivery.payload_offset));
  delivery.message = std::move(message);
  message.Clear();
  return delivery;
}

// One Ping call: answers with the worker id, then the next call is awaited by a new PingCall.
class PingCall final : public CompletionDriver::Tag {
 public:
  PingCall(AsyncService* service, CompletionDriver* driver,
           const std::function<std::string()>* worker_id)
      : service_(service), driver_(driver), worker_id_(worker_id), responder_(&ctx_) {
    grpc::ServerCompletionQueue* cq = driver->cq();
    HandOff(this);  // nothing of this object is read after it
    service->RequestPing(&ctx_, &request_, &responder_, cq, cq, this);
  }

  void Proceed(bool ok) override {
    // The server shut down, the answer went out, or the queue is closing.
    if (!ok || answered_ || driver_->closing()) {
      delete this;
      return;
    }
    new PingCall(service_, driver_, worker_id_);
    answered_ = true;
    v1::PingResponse response;
    if (*worker_id_) response.set_worker_id((*worker_id_)());
    HandOff(this);
    responder_.Finish(response, grpc::Status::OK, this);
  }

 private:
  AsyncService* service_;
  CompletionDriver* driver_;
  const std::function<std::string()>* worker_id_;
  grpc::ServerContext ctx_;
  v1::PingRequest request_;
  grpc::ServerAsyncResponseWriter<v1::PingResponse> responder_;
  bool answered_ = false;
};

// gRPC's health check (grpc.health.v1.Health/Check, what `tandem health` and container probes
// ask) served on the collective's own queue like Ping. Not gRPC's built-in service
// (grpc::EnableDefaultHealthCheckService): in gRPC 1.51 that one runs on the callback API,
// whose two "nexting" threads then poll the collective's sockets too, waking thousands of
// times a second and taking segments away from the operation's thread: 2-3x slower
// all-reduces at every world size (BENCHMARKS.md, all-reduce run I). The server as a whole
// ("") and the collective service answer by `serving`; other names NOT_FOUND, as gRPC's does.
// Watch is not offered (UNIMPLEMENTED).
using HealthService = grpc::health::v1::Health::AsyncService;

class HealthCall final : public CompletionDriver::Tag {
 public:
  HealthCall(HealthService* service, CompletionDriver* driver, const std::atomic<bool>* serving)
      : service_(service), driver_(driver), serving_(serving), responder_(&ctx_) {
    grpc::ServerCompletionQueue* cq = driver->cq();
    HandOff(this);  // nothing of this object is read after it
    service->RequestCheck(&ctx_, &request_, &responder_, cq, cq, this);
  }

  void Proceed(bool ok) override {
    // The server shut down, the answer went out, or the queue is closing.
    if (!ok || answered_ || driver_->closing()) {
      delete this;
      return;
    }
    new HealthCall(service_, driver_, serving_);
    answered_ = true;
    HandOff(this);
    if (!request_.service().empty() &&
        request_.service() != v1::CollectiveService::service_full_name()) {
      responder_.FinishWithError(
          grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service " + request_.service()),
          this);
      return;
    }
    grpc::health::v1::HealthCheckResponse response;
    response.set_status(serving_->load() ? grpc::health::v1::HealthCheckResponse::SERVING
                                         : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    responder_.Finish(response, grpc::Status::OK, this);
  }

 private:
  HealthService* service_;
  CompletionDriver* driver_;
  const std::atomic<bool>* serving_;
  grpc::ServerContext ctx_;
  grpc::health::v1::HealthCheckRequest request_;
  grpc::ServerAsyncResponseWriter<grpc::health::v1::HealthCheckResponse> responder_;
  bool answered_ = false;
};

// One Push stream: reads Segments into the mailbox until the sender closes it. A bad segment
// ends the stream with the reason; a stream that breaks fails its group, so the collective
// waiting on it returns UNAVAILABLE at once instead of at its deadline. One operation is
// pending at a time (awaiting the call, a read, or the finish).
// What every PushCall of a server shares.
struct PushShared {
  AsyncService* service;
  CompletionDriver* driver;
  Mailbox* mailbox;
  std::chrono::milliseconds admit_timeout;
  // Streams waiting for their group's announcement, at most kMaxWaiting.
  std::atomic<int> waiting{0};
  static constexpr int kMaxWaiting = 256;
};

class PushCall final : public CompletionDriver::Tag {
 public:
  explicit PushCall(PushShared* shared)
      : shared_(shared),
        service_(shared->service),
        driver_(shared->driver),
        mailbox_(shared->mailbox),
        stream_(&ctx_) {
    grpc::ServerCompletionQueue* cq = driver_->cq();
    HandOff(this);  // nothing of this object is read after it
    service_->RequestPush(&ctx_, &stream_, cq, cq, this);
  }
  ~PushCall() override { StopWaiting(); }

  void Proceed(bool ok) override {
    if (!Step(ok)) delete this;
  }

 private:
  // Handles one completion and starts the next operation; false once the call is over.
  bool Step(bool ok) {
    if (driver_->closing()) return false;  // the server is gone: no more operations
    switch (state_) {
      case State::kAwaiting:
        if (!ok) return false;  // the server shut down
        new PushCall(shared_);
        if (absl::Status s = ReadGroup(); !s.ok()) return Refuse(s);
        state_ = State::kAdmitting;
        return Admit();
      case State::kAdmitting:  // the alarm rang (ok) or was cancelled by shutdown
        if (!ok) return false;
        return Admit();
      case State::kReading:
        if (!ok) {  // the sender closed the stream, or the call broke (then Finish fails)
          ended_reading_ = true;
          Finish(grpc::Status::OK);
          return true;
        }
        if (absl::Status status = Deliver(); !status.ok()) return Refuse(status);
        HandOff(this);
        stream_.Read(&message_, this);
        return true;
      case State::kFinishing:
        if (!ok && ended_reading_) Broke();
        return false;
    }
    return false;
  }

  enum class State { kAwaiting, kAdmitting, kReading, kFinishing };

  // How often a stream waiting for its group to be announced asks again.
  static constexpr auto kAdmitPoll = std::chrono::milliseconds(20);

  // The group the stream names in its metadata, and the key it presents.
  absl::Status ReadGroup() {
    const auto& md = ctx_.client_metadata();
    auto group = md.find(kGroupMetadata);
    auto key = md.find(kGroupKeyMetadata);
    if (group == md.end() || key == md.end()) {
      return absl::UnauthenticatedError("a collective stream must name its group and key");
    }
    const std::string g(group->second.data(), group->second.size());
    const size_t slash = g.rfind('/');
    if (slash == std::string::npos || slash == 0 ||
        !absl::SimpleAtoi(g.substr(slash + 1), &group_.generation)) {
      return absl::InvalidArgumentError("malformed collective group metadata");
    }
    group_.job_id = g.substr(0, slash);
    key_.assign(key->second.data(), key->second.size());
    if (auto shm = md.find(kShmMetadata); shm != md.end()) {
      shm_metadata_.assign(shm->second.data(), std::min<size_t>(shm->second.size(), 256));
    }
    admit_deadline_ = std::chrono::system_clock::now() + shared_->admit_timeout;
    return absl::OkStatus();
  }

  // Starts reading once the mailbox admits the group; waits (an alarm) while it is not
  // announced; refuses a wrong key, a stale group, or a wait past the deadline.
  bool Admit() {
    absl::StatusOr<bool> admitted = mailbox_->Admit(group_, key_);
    if (!admitted.ok()) return Refuse(admitted.status());
    if (*admitted) {
      StopWaiting();
      key_.clear();
      AttachOutbox();
      state_ = State::kReading;
      HandOff(this);
      stream_.Read(&message_, this);
      return true;
    }
    const auto now = std::chrono::system_clock::now();
    if (!waiting_) {
      waiting_ = true;
      if (shared_->waiting.fetch_add(1) >= PushShared::kMaxWaiting) {
        return Refuse(absl::ResourceExhaustedError(
            "too many collective streams wait for their generation to be announced"));
      }
    }
    if (now >= admit_deadline_) {
      return Refuse(absl::PermissionDeniedError(
          absl::StrCat("generation ", group_.generation, " of job ", group_.job_id,
                       " was not announced to this worker")));
    }
    HandOff(this);
    alarm_.Set(driver_->cq(), now + kAdmitPoll, this);
    return true;
  }

  // Maps the sender's shared-memory outbox once the stream is admitted (only then: the
  // metadata came with the group's key). Where it cannot (another host, another user, a
  // private /dev/shm) the sender never sees it attached and keeps its payloads on the stream.
  void AttachOutbox() {
    if (shm_metadata_.empty()) return;
    absl::StatusOr<std::shared_ptr<ShmInbox>> inbox = ShmInbox::Open(shm_metadata_);
    shm_metadata_.clear();
    absl::Status added = inbox.ok() ? mailbox_->AddInbox(group_, *inbox) : inbox.status();
    if (added.ok()) {
      inbox_ = *std::move(inbox);
      inbox_->Accept();  // registered first: whatever the sender posts is taken
      // Its segments may all come through the outbox: a break of this stream fails the
      // group naming the rank its metadata gave.
      seen_header_ = true;
      from_rank_ = static_cast<uint32_t>(inbox_->rank());
      inbox_->CountStreamDelivery(stream_deliveries_);
    } else {
      TANDEM_LOG(INFO) << "collective stream from " << ctx_.peer()
                       << " keeps its payloads on the stream: " << added;
    }
  }

  void StopWaiting() {
    if (waiting_) shared_->waiting.fetch_sub(1);
    waiting_ = false;
  }

  // Ends the stream with `status`, logged with the peer's address.
  bool Refuse(const absl::Status& status) {
    StopWaiting();
    TANDEM_LOG(WARNING) << "refusing collective stream from " << ctx_.peer() << ": " << status;
    Finish(ToGrpcStatus(status));
    return true;
  }

  void Finish(const grpc::Status& status) {
    state_ = State::kFinishing;
    HandOff(this);
    stream_.Finish(status, this);
  }

  void Broke() {
    if (!seen_header_) return;
    absl::Status broke = absl::UnavailableError(
        absl::StrCat("collective stream from rank ", from_rank_, " broke"));
    broke.SetPayload(kFromRankPayload, absl::Cord(absl::StrCat(from_rank_)));
    mailbox_->Fail(group_, broke);
  }

  absl::Status Deliver() {
    TANDEM_ASSIGN_OR_RETURN(Delivery delivery, ParseDelivery(message_));
    const v1::CollectiveHeader& h = delivery.header;
    if (h.job_id() != group_.job_id || h.generation() != group_.generation) {
      return absl::PermissionDeniedError(absl::StrCat(
          "segment of generation ", h.generation(), " of job ", h.job_id(),
          " on a stream admitted for generation ", group_.generation, " of job ",
          group_.job_id));
    }
    if (!seen_header_) {
      seen_header_ = true;
      from_rank_ = h.from_rank();
    }
    TANDEM_RETURN_IF_ERROR(mailbox_->Put(std::move(delivery)));
    // Counted once stored: a receiver that sees the count sees the segment.
    if (inbox_ != nullptr) {
      inbox_->CountStreamDelivery();
    } else {
      ++stream_deliveries_;
    }
    return absl::OkStatus();
  }

  PushShared* shared_;
  AsyncService* service_;
  CompletionDriver* driver_;
  Mailbox* mailbox_;
  bool waiting_ = false;  // counted in shared_->waiting
  grpc::ServerContext ctx_;
  grpc::ServerAsyncReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer> stream_;
  grpc::ByteBuffer message_;
  State state_ = State::kAwaiting;
  bool ended_reading_ = false;  // the Finish answers a read that failed
  bool seen_header_ = false;
  GroupId group_;  // named by the stream's metadata
  std::string key_;
  std::string shm_metadata_;  // the sender's outbox (kShmMetadata), until admitted
  std::shared_ptr<ShmInbox> inbox_;  // the sender's outbox, mapped
  uint64_t stream_deliveries_ = 0;   // segments read on this stream before inbox_
  std::chrono::system_clock::time_point admit_deadline_;
  grpc::Alarm alarm_;
  uint32_t from_rank_ = 0;
};

}  // namespace

class CollectiveServer::Impl final : public CollectiveService,
                                     public std::enable_shared_from_this<CollectiveServer::Impl> {
 public:
  Impl(std::function<std::string()> worker_id, size_t max_buffered_bytes)
      : worker_id_(std::move(worker_id)),
        mailbox_(max_buffered_bytes, [this] {
          if (driver_ != nullptr) driver_->Wake();
        }) {}

  // The last reference: the server is shut down (a no-op if it was), then the queue drained.
  ~Impl() override {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
    if (driver_ != nullptr) driver_->Shutdown();
  }

  Mailbox& mailbox() override { return mailbox_; }
  CompletionDriver& driver() override { return *driver_; }
  std::shared_ptr<CollectiveService> Ref() override { return shared_from_this(); }
  void SetServing(bool serving) override { serving_.store(serving); }

  std::function<std::string()> worker_id_;
  Mailbox mailbox_;
  AsyncService service_;
  HealthService health_;
  std::atomic<bool> serving_{true};
  // Declared before server_: the server is destroyed first, then its queue (gRPC's order).
  std::unique_ptr<CompletionDriver> driver_;
  std::unique_ptr<PushShared> push_;  // outlives the calls: they end with the queue
  std::unique_ptr<grpc::Server> server_;
};

absl::StatusOr<std::unique_ptr<CollectiveServer>> CollectiveServer::Start(
    const std::string& address, CollectiveServerOptions options) {
  const TransportSecurity& security = options.security;
  TANDEM_RETURN_IF_ERROR(security.CheckListen("--listen", address));
  if (int removed = RemoveStaleShmOutboxes(); removed > 0) {
    TANDEM_LOG(INFO) << "removed " << removed << " shared-memory outboxes of ended processes";
  }
  auto impl = std::make_shared<Impl>(std::move(options.worker_id), options.max_buffered_bytes);
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder);
  // Never gRPC's built-in health service here, even where the process enabled it for another
  // server (an in-process coordinator): HealthCall serves it (see there why).
  builder.SetOption(std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(nullptr));
  int port = 0;
  builder.AddListeningPort(address, security.ServerCredentials(ClientCertificates::kRequired),
                           &port);
  builder.RegisterService(&impl->service_);
  builder.RegisterService(&impl->health_);
  std::unique_ptr<grpc::ServerCompletionQueue> cq = builder.AddCompletionQueue();
  impl->server_ = builder.BuildAndStart();
  if (impl->server_ == nullptr || port == 0) {
    if (impl->server_ != nullptr) impl->server_->Shutdown();
    cq->Shutdown();
    void* tag;
    bool ok;
    while (cq->Next(&tag, &ok)) {
    }
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  impl->driver_ = std::make_unique<CompletionDriver>(std::move(cq));
  // The first awaiting calls; each call that arrives posts the next.
  new PingCall(&impl->service_, impl->driver_.get(), &impl->worker_id_);
  new HealthCall(&impl->health_, impl->driver_.get(), &impl->serving_);
  impl->push_ = std::make_unique<PushShared>();
  impl->push_->service = &impl->service_;
  impl->push_->driver = impl->driver_.get();
  impl->push_->mailbox = &impl->mailbox_;
  impl->push_->admit_timeout = options.admit_timeout;
  new PushCall(impl->push_.get());
  std::unique_ptr<CollectiveServer> server(new CollectiveServer(std::move(impl)));
  server->port_ = port;
  return server;
}

CollectiveServer::CollectiveServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

CollectiveServer::~CollectiveServer() { Shutdown(); }

CollectiveService* CollectiveServer::service() { return impl_.get(); }

void CollectiveServer::Shutdown() {
  // Streams are persistent: waiting for them to end gracefully would only delay. Open
  // streams are cancelled now; the queue is drained when the last user lets go (~Impl).
  if (!shut_down_) impl_->server_->Shutdown(std::chrono::system_clock::now());
  shut_down_ = true;
}

}  // namespace tandem::collective
