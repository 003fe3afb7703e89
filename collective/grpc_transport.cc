#include "collective/grpc_transport.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collective/wire.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem::collective {

// What the release callbacks of in-flight payload slices share with the transport. Held by
// shared_ptr so a callback that fires late still finds it.
struct GrpcTransport::SendState {
  std::mutex mu;
  std::condition_variable cv;
  // Per slot (a chunk of the ring, a segment of the pair exchange, a step of recursive
  // doubling, a step of halving-doubling): payloads gRPC may still read.
  std::vector<size_t> unreleased;
  // Per peer rank: payloads to it gRPC may still read (which peer a wait on sends waits for).
  std::vector<size_t> unreleased_to;
  absl::Status error;  // first failure of a stream

  bool AllReleased() const {  // requires mu
    for (size_t u : unreleased) {
      if (u != 0) return false;
    }
    return true;
  }
};

namespace {

struct ReleaseToken {
  std::shared_ptr<GrpcTransport::SendState> state;
  size_t slot;
  size_t peer;
  void* owned;  // the bf16 copy, or null for a slice over the caller's buffer
};

// Runs when gRPC drops its last reference to a payload slice: from then on the caller's
// bytes may change.
void ReleasePayload(void* arg) {
  auto* token = static_cast<ReleaseToken*>(arg);
  std::free(token->owned);
  {
    std::lock_guard<std::mutex> lock(token->state->mu);
    --token->state->unreleased[token->slot];
    --token->state->unreleased_to[token->peer];
  }
  token->state->cv.notify_all();
  delete token;
}

v1::WireType ToWireType(WireFormat wire) {
  switch (wire) {
    case WireFormat::kF32:
      return v1::WIRE_TYPE_F32;
    case WireFormat::kBf16:
      return v1::WIRE_TYPE_BF16;
    case WireFormat::kBytes:
      return v1::WIRE_TYPE_BYTES;
  }
  return v1::WIRE_TYPE_UNSPECIFIED;
}

// A Segment message: the encoded prefix, then the payload: a slice over the caller's floats
// or bytes, or over a bf16 copy. `slot` must already be counted in state->unreleased.
grpc::ByteBuffer MakeMessage(const std::shared_ptr<GrpcTransport::SendState>& state,
                             const std::string& prefix, const void* data, size_t count,
                             WireFormat wire, size_t slot, size_t peer) {
  grpc::Slice slices[2] = {grpc::Slice(prefix), grpc::Slice()};
  if (wire == WireFormat::kBf16) {
    const auto* floats = static_cast<const float*>(data);
    auto* out = static_cast<uint16_t*>(std::malloc(count * 2));
    EncodeBf16(floats, count, out);
    slices[1] = grpc::Slice(out, count * 2, ReleasePayload, new ReleaseToken{state, slot, peer, out});
  } else {
    const size_t bytes = count * (wire == WireFormat::kF32 ? 4 : 1);
    slices[1] = grpc::Slice(const_cast<void*>(data), bytes, ReleasePayload,
                            new ReleaseToken{state, slot, peer, nullptr});
  }
  return grpc::ByteBuffer(slices, 2);
}

// Writes the payload of `delivery` (header.count elements) to `dst`, adding when `add`:
// out of gRPC's slices, or out of the sender's shared-memory slot.
void ConsumePayload(const Delivery& delivery, void* dst, bool add) {
  std::vector<grpc::Slice> slices;
  std::vector<ByteSpan> spans;
  size_t skip = delivery.payload_offset;
  if (delivery.shm != nullptr) {
    spans.push_back(ByteSpan{delivery.shm->data(), delivery.shm->size()});
    skip = 0;
  } else {
    (void)delivery.message.Dump(&slices);
    spans.reserve(slices.size());
    for (const grpc::Slice& slice : slices) spans.push_back(ByteSpan{slice.begin(), slice.size()});
  }
  if (delivery.header.wire_type() == v1::WIRE_TYPE_BYTES) {
    CopyPayloadBytes(spans, skip, static_cast<uint8_t*>(dst));
  } else {
    DecodePayload(spans, skip, delivery.header.wire_type(), static_cast<float*>(dst), add);
  }
}

class GrpcReceivedSegment final : public ReceivedSegment {
 public:
  explicit GrpcReceivedSegment(Delivery delivery) : delivery_(std::move(delivery)) {}
  void CopyTo(void* dst, bool add) override { ConsumePayload(delivery_, dst, add); }

 private:
  Delivery delivery_;
};

}  // namespace

GrpcTransport::GrpcTransport(GroupId group, int rank, std::vector<std::string> peers,
                             CollectiveService* service, StreamSecurity security,
                             std::unique_ptr<CollectiveServer> server)
    : group_(std::move(group)),
      rank_(rank),
      peers_(std::move(peers)),
      security_(std::move(security)),
      service_(service),
      service_ref_(service->Ref()),
      owned_server_(std::move(server)),
      send_(std::make_shared<SendState>()) {
  send_->unreleased.assign(peers_.size(), 0);
  send_->unreleased_to.assign(peers_.size(), 0);
  streams_.resize(peers_.size());
  outboxes_.resize(peers_.size());
  service_->mailbox().Attach(group_, security_.group_key);
}

GrpcTransport::~GrpcTransport() {
  CloseStreams(/*graceful=*/!failed_);
  if (owned_server_ != nullptr) owned_server_->Shutdown();
}

std::string GrpcTransport::Peer(int r) const {
  return absl::StrCat("rank ", r, " (", peers_[r], ")");
}

void GrpcTransport::Connect(int peer) {
  if (streams_[peer] != nullptr) return;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // Let writes complete into a large per-stream buffer (with the buffer hint), and give
  // each communicator its own TCP connection even when ranks share a process.
  args.SetInt(GRPC_ARG_HTTP2_WRITE_BUFFER_SIZE, 16 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // The retry layer would keep every sent message (a reference to the caller's buffer)
  // until the call commits, which a stream that gets no response does only after 256 KiB;
  // segments are never retried anyway.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  // A peer that is not up yet is retried every 100 ms .. 1 s, not after gRPC's default 1 s
  // .. 120 s.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  if (security_.tls.tls()) args.SetSslTargetNameOverride(kWorkerServerName);
  auto channel =
      grpc::CreateCustomChannel(peers_[peer], security_.tls.ChannelCredentials(), args);
  std::vector<std::pair<std::string, std::string>> metadata = {
      {kGroupMetadata, absl::StrCat(group_.job_id, "/", group_.generation)},
      {kGroupKeyMetadata, security_.group_key}};
  if (shared_memory_slot_bytes_ > 0) {
    absl::StatusOr<std::unique_ptr<ShmOutbox>> outbox =
        ShmOutbox::Create(kShmSlots, shared_memory_slot_bytes_, rank_);
    if (outbox.ok()) {
      outboxes_[peer] = *std::move(outbox);
      metadata.emplace_back(kShmMetadata, outboxes_[peer]->metadata());
    } else {
      TANDEM_LOG(INFO) << "rank " << rank_ << ": no shared-memory outbox for " << Peer(peer)
                       << ": " << outbox.status();
    }
  }
  streams_[peer] = std::make_unique<PeerStream>(
      std::move(channel), &service_->driver(), metadata,
      [this, peer](const grpc::Status& status, bool lost) {
        absl::Status error = StreamError(status, peer);
        if (lost || error.code() != absl::StatusCode::kUnavailable) SetError(error);
      });
}

// A group failure that a broken stream from some rank caused, naming that rank's address.
absl::Status GrpcTransport::NamePeer(const absl::Status& status) const {
  auto from = status.GetPayload(kFromRankPayload);  // absl::optional<absl::Cord>
  int r = -1;
  if (!from.has_value() || !absl::SimpleAtoi(std::string(*from), &r) || r < 0 ||
      r >= world_size()) {
    return status;
  }
  return Annotate(status, absl::StrCat("rank ", rank_, ": from ", Peer(r)));
}

// How a stream's end reads to the operation: the peer's refusal, or UNAVAILABLE naming it.
absl::Status GrpcTransport::StreamError(const grpc::Status& status, int peer) const {
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
      status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
      status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat(Peer(peer), " refused: ", status.error_message()));
  }
  absl::Status ended = absl::UnavailableError(
      absl::StrCat("rank ", rank_, ": stream to ", Peer(peer),
                   " ended: ", status.ok() ? "closed by the peer" : status.error_message(),
                   " (gRPC code ", static_cast<int>(status.error_code()), ")"));
  ended.SetPayload(kFromRankPayload, absl::Cord(absl::StrCat(peer)));
  return ended;
}

void GrpcTransport::SetError(const absl::Status& error) {
  {
    std::lock_guard<std::mutex> lock(send_->mu);
    if (send_->error.ok()) send_->error = error;
  }
  send_->cv.notify_all();
  service_->mailbox().Fail(group_, error);
}

std::string GrpcTransport::Prefix(const OpContext& op, uint32_t step, uint32_t segment,
                                  size_t count) const {
  v1::CollectiveHeader h;
  h.set_job_id(group_.job_id);
  h.set_generation(group_.generation);
  h.set_sequence(op.sequence);
  h.set_from_rank(rank_);
  h.set_segment(segment);
  h.set_step(step);
  h.set_wire_type(ToWireType(op.wire));
  h.set_count(count);
  return EncodeSegmentPrefix(h, count * WireBytesPerElement(h.wire_type()));
}

// The payload through `peer`'s outbox if a slot is free: copied into it now (so the caller's
// buffer is free at once) and announced by a descriptor. False: the payload goes on the
// stream.
bool GrpcTransport::SendThroughOutbox(const OpContext& op, int peer, uint32_t step,
                                      uint32_t segment, const void* data, size_t count) {
  ShmOutbox* outbox = outboxes_[peer].get();
  PeerStream* s = streams_[peer].get();
  // A peer whose stream ended (it left, or its process is gone) reads no outbox either: fail
  // as a Send on the stream would.
  if (s->ended()) {
    SetError(StreamError(s->end_status(), peer));
    return true;
  }
  const v1::WireType type = ToWireType(op.wire);
  const int shm_slot = outbox->Acquire(count * WireBytesPerElement(type));
  if (shm_slot < 0) return false;
  if (type == v1::WIRE_TYPE_BF16) {
    EncodeBf16(static_cast<const float*>(data), count,
               reinterpret_cast<uint16_t*>(outbox->slot_data(shm_slot)));
  } else {
    std::memcpy(outbox->slot_data(shm_slot), data, count * WireBytesPerElement(type));
  }
  outbox->Publish(shm_slot);
  ++shm_sends_;
  {
    std::lock_guard<std::mutex> lock(send_->mu);
    if (!send_->error.ok()) return true;
  }
  ShmDescriptor d;
  d.sequence = op.sequence;
  d.count = count;
  d.step = step;
  d.segment = segment;
  d.slot_plus_one = static_cast<uint32_t>(shm_slot) + 1;
  d.wire_type = static_cast<uint32_t>(type);
  // The ring holds a descriptor for every slot, so an acquired slot always finds room.
  if (!outbox->Post(d)) SetError(absl::InternalError("shared-memory descriptor ring full"));
  return true;
}

void GrpcTransport::Send(const OpContext& op, int peer, uint32_t step, uint32_t segment,
                         const void* data, size_t count, size_t slot, bool more) {
  if (outboxes_[peer] != nullptr && SendThroughOutbox(op, peer, step, segment, data, count)) {
    return;
  }
  ++stream_sends_;
  // The receiver waits on its stream for this segment, not on the outbox's bell. And no
  // buffer hint: the segments after it may go through the outbox, and a hinted write waits
  // for the next write without the hint (or for a keepalive ping, seconds later).
  if (ShmOutbox* outbox = outboxes_[peer].get(); outbox != nullptr) {
    outbox->CountStreamSend();
    more = false;
  }
  {
    std::lock_guard<std::mutex> lock(send_->mu);
    if (!send_->error.ok()) return;
    ++send_->unreleased[slot];  // the slice's release callback takes it back
    ++send_->unreleased_to[static_cast<size_t>(peer)];
  }
  PeerStream* s = streams_[peer].get();
  if (!s->Send(MakeMessage(send_, Prefix(op, step, segment, count), data, count, op.wire, slot,
                           static_cast<size_t>(peer)),
               more)) {
    SetError(StreamError(s->end_status(), peer));
  }
}

void GrpcTransport::ReserveSlots(size_t slots) {
  std::lock_guard<std::mutex> lock(send_->mu);
  if (send_->unreleased.size() < slots) send_->unreleased.resize(slots, 0);
}

absl::Status GrpcTransport::WaitReleased(const OpContext& op, size_t slot, const char* what) {
  return WaitSends(
      op.deadline, [&] { return send_->unreleased[slot] == 0; }, what);
}

absl::Status GrpcTransport::WaitAllReleased(const OpContext& op, const char* what) {
  return WaitSends(
      op.deadline, [&] { return send_->AllReleased(); }, what);
}

int GrpcTransport::PeerHoldingSends() {
  std::lock_guard<std::mutex> lock(send_->mu);
  for (size_t peer = 0; peer < send_->unreleased_to.size(); ++peer) {
    if (send_->unreleased_to[peer] != 0) return static_cast<int>(peer);
  }
  return -1;
}

namespace {

// Marks the mailbox's wait (Mailbox::BeginWait) from the first time a wait does not end at
// once until it ends, however it ends; each later Begin updates whom it waits for.
class WaitMark {
 public:
  explicit WaitMark(Mailbox& mailbox) : mailbox_(mailbox) {}
  ~WaitMark() {
    if (marked_) mailbox_.EndWait(mark_);
  }
  void Begin(const GroupId& group, int awaited_rank, bool sends) {
    mark_ = mailbox_.BeginWait(group, awaited_rank, /*continuing=*/marked_, sends);
    marked_ = true;
  }

 private:
  Mailbox& mailbox_;
  bool marked_ = false;
  uint64_t mark_ = 0;
};

}  // namespace

// Polls the queue until `done()` (evaluated under send_->mu) holds or the operation failed.
// gRPC may drop a payload slice without a queue event (inside another thread's poll), so
// each poll here lasts at most 1 ms.
template <typename Pred>
absl::Status GrpcTransport::WaitSends(Clock::time_point deadline, Pred done, const char* what) {
  WaitMark mark(service_->mailbox());
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(send_->mu);
      if (!send_->error.ok()) return send_->error;
      if (done()) return absl::OkStatus();
    }
    // A failed or superseded group ends the wait too (e.g. the worker moved on while a
    // send to a peer that never came up is still queued).
    if (absl::Status group = service_->mailbox().GroupStatus(group_); !group.ok()) {
      return NamePeer(group);
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("rank ", rank_, ": deadline passed ", what));
    }
    mark.Begin(group_, PeerHoldingSends(), /*sends=*/true);
    service_->driver().PollOnce(std::min(deadline, now + std::chrono::milliseconds(1)));
  }
}

// Polls the queue until segment (step, segment) from rank `from` is in the mailbox, the
// group fails, or the deadline passes.
absl::StatusOr<Delivery> GrpcTransport::Poll(const OpContext& op, int from, uint32_t step,
                                             uint32_t segment) {
  Mailbox& mailbox = service_->mailbox();
  WaitMark mark(mailbox);
  // Set when `from` posts to a shared-memory outbox this process took.
  std::shared_ptr<ShmInbox> inbox;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<Delivery> delivery,
                            mailbox.TryTake(group_, op.sequence, step, segment, from));
    if (delivery.has_value()) return std::move(*delivery);
    TANDEM_ASSIGN_OR_RETURN(const bool drained, mailbox.DrainInboxes(group_));
    if (drained) continue;
    mark.Begin(group_, from, /*sends=*/false);
    const Clock::time_point now = Clock::now();
    if (now >= op.deadline) {
      return absl::DeadlineExceededError(absl::StrCat("deadline passed waiting for sequence ",
                                                      op.sequence, " step ", step, " segment ",
                                                      segment));
    }
    if (inbox == nullptr) inbox = mailbox.FindInbox(group_, from);
    // Sleep on `from`'s bell while every segment it put on its stream has been read and gRPC
    // holds none of this rank's payloads (their writes progress only while the queue is
    // polled), after handling whatever the queue has ready; wait on the queue otherwise.
    if (inbox != nullptr && !inbox->StreamSegmentsInFlight() && PeerHoldingSends() < 0) {
      if (service_->driver().PollOnce(now)) continue;
      inbox->WaitForBell(std::min(op.deadline, now + kShmQueueCheck));
    } else {
      service_->driver().PollOnce(
          inbox != nullptr ? std::min(op.deadline, now + kShmQueueCheck) : op.deadline);
    }
  }
}

// Takes segment (step, segment) from rank `from`, checking that it holds `count` elements of
// this operation's wire type.
absl::StatusOr<Delivery> GrpcTransport::TakeDelivery(const OpContext& op, int from, uint32_t step,
                                                     uint32_t segment, size_t count) {
  absl::StatusOr<Delivery> delivery = Poll(op, from, step, segment);
  if (!delivery.ok()) {
    // The group's failure may come from a third rank's broken stream: name that rank too.
    return Annotate(NamePeer(delivery.status()),
                    absl::StrCat("rank ", rank_, " waiting for ", Peer(from)));
  }
  const v1::CollectiveHeader& h = delivery->header;
  const v1::WireType want = ToWireType(op.wire);
  if (h.count() != count || h.wire_type() != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rank ", rank_, ": segment (sequence ", op.sequence, ", step ", step, ", segment ", segment,
        ") from ", Peer(from), " has ", h.count(), " elements of wire type ", h.wire_type(),
        "; expected ", count, " of wire type ", want));
  }
  return delivery;
}

absl::StatusOr<std::unique_ptr<ReceivedSegment>> GrpcTransport::Take(const OpContext& op, int from,
                                                                     uint32_t step,
                                                                     uint32_t segment,
                                                                     size_t count) {
  TANDEM_ASSIGN_OR_RETURN(Delivery delivery, TakeDelivery(op, from, step, segment, count));
  return std::make_unique<GrpcReceivedSegment>(std::move(delivery));
}

absl::Status GrpcTransport::Receive(const OpContext& op, int from, uint32_t step, uint32_t segment,
                                    void* dst, size_t count, bool add) {
  TANDEM_ASSIGN_OR_RETURN(Delivery delivery, TakeDelivery(op, from, step, segment, count));
  ConsumePayload(delivery, dst, add);
  return absl::OkStatus();
}

absl::Status GrpcTransport::RunOperation(absl::FunctionRef<absl::Status()> body) {
  absl::Status status;
  {
    CompletionDriver::OpScope polling(&service_->driver());
    status = body();
  }
  // Failing closes the streams, which the driver's background thread completes: outside the
  // scope.
  if (status.ok()) return status;
  SetError(status);
  failed_ = true;
  // A cancelled call keeps its unsent messages until it is destroyed: tear it down.
  CloseStreams(/*graceful=*/false);
  std::unique_lock<std::mutex> lock(send_->mu);
  if (!send_->cv.wait_for(lock, std::chrono::seconds(10), [&] { return send_->AllReleased(); })) {
    TANDEM_LOG(ERROR) << "rank " << rank_ << ": gRPC still holds collective payloads 10 s "
                      << "after cancelling its streams";
  }
  return status;
}

// Ends every stream (see PeerStream::Close) and destroys it once gRPC is done with it.
void GrpcTransport::CloseStreams(bool graceful) {
  for (auto& s : streams_) {
    if (s != nullptr && !graceful) s->Cancel();  // cancel all first, then wait
  }
  for (auto& s : streams_) {
    if (s == nullptr) continue;
    if (!s->Close(graceful)) {
      TANDEM_LOG(ERROR) << "rank " << rank_ << ": a collective stream did not end; leaking it";
      s.release();
    }
    s.reset();
  }
}

}  // namespace tandem::collective
