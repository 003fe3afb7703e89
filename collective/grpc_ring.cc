#include "collective/grpc_ring.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <deque>
#include <functional>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collective/wire.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem::collective {
namespace {

// What the release callbacks of in-flight payload slices share with the communicator. Held by
// shared_ptr so a callback that fires late still finds it.
struct SendState {
  std::mutex mu;
  std::condition_variable cv;
  // Per slot (a chunk of the ring, a segment of the pair exchange, a step of recursive
  // doubling, a step of halving-doubling): payloads gRPC may still read.
  std::vector<size_t> unreleased;
  absl::Status error;              // first failure of the stream
};

struct ReleaseToken {
  std::shared_ptr<SendState> state;
  size_t chunk;
  void* owned;  // the bf16 copy, or null for a slice over the caller's buffer
};

// Runs when gRPC drops its last reference to a payload slice: from then on the caller's
// bytes may change.
void ReleasePayload(void* arg) {
  auto* token = static_cast<ReleaseToken*>(arg);
  std::free(token->owned);
  {
    std::lock_guard<std::mutex> lock(token->state->mu);
    --token->state->unreleased[token->chunk];
  }
  token->state->cv.notify_all();
  delete token;
}

// A Segment message: the encoded prefix, then the payload: a slice over the caller's floats,
// or over a bf16 copy. `chunk` must already be counted in state->unreleased.
grpc::ByteBuffer MakeMessage(const std::shared_ptr<SendState>& state, const std::string& prefix,
                             const float* data, size_t count, bool bf16, size_t chunk) {
  grpc::Slice slices[2] = {grpc::Slice(prefix), grpc::Slice()};
  if (bf16) {
    auto* out = static_cast<uint16_t*>(std::malloc(count * 2));
    for (size_t i = 0; i < count; ++i) out[i] = FloatToBf16(data[i]);
    slices[1] = grpc::Slice(out, count * 2, ReleasePayload, new ReleaseToken{state, chunk, out});
  } else {
    slices[1] = grpc::Slice(const_cast<float*>(data), count * 4, ReleasePayload,
                            new ReleaseToken{state, chunk, nullptr});
  }
  return grpc::ByteBuffer(slices, 2);
}

// Writes the payload of `delivery` (header.count elements) to `dst`, adding when `add`.
void ConsumePayload(const Delivery& delivery, float* dst, bool add) {
  std::vector<grpc::Slice> slices;
  (void)delivery.message.Dump(&slices);
  std::vector<ByteSpan> spans;
  spans.reserve(slices.size());
  for (const grpc::Slice& slice : slices) spans.push_back(ByteSpan{slice.begin(), slice.size()});
  DecodePayload(spans, delivery.payload_offset, delivery.header.wire_type(), dst, add);
}


// One persistent Push stream to a peer on the CompletionDriver's queue: Send() queues a
// message and starts writing it at once if the stream is idle (the caller never waits for a
// write to complete), the write's completion starts the next. One write is in flight at a
// time, as gRPC requires. The call waits for the peer to be reachable (wait-for-ready), so a
// peer that starts later is fine; the operation's deadline bounds the wait. How the stream
// ended decides what fails: a refusal, or messages that could not be sent, fail the group at
// once; a peer that closed an idle stream (it finished its last operation and left) fails
// only the next Send.
class PeerStream {
 public:
  // `on_end(status, lost)` runs once, on the polling thread, unless the end was expected
  // (Close).
  PeerStream(std::shared_ptr<grpc::Channel> channel, CompletionDriver* driver,
             std::function<void(const grpc::Status&, bool)> on_end)
      : channel_(std::move(channel)),
        driver_(driver),
        on_end_(std::move(on_end)),
        start_(this, &PeerStream::OnStart),
        write_(this, &PeerStream::OnWrite),
        read_(this, &PeerStream::OnRead),
        writes_done_(this, &PeerStream::OnWritesDone),
        finish_(this, &PeerStream::OnFinish) {
    ctx_.set_wait_for_ready(true);
    grpc::GenericStub stub(channel_);
    call_ = stub.PrepareCall(&ctx_, "/tandem.v1.CollectiveService/Push", driver_->cq());
    std::lock_guard<std::mutex> lock(mu_);
    ++pending_;
    HandOff(&start_);
    call_->StartCall(&start_);
  }

  // Queues `message`. `more`: another Send follows at once, so gRPC may hold this one in its
  // write buffer (the buffer hint) until then. False once the stream has ended (a message
  // queued while it is finishing is counted as lost when it ends).
  bool Send(grpc::ByteBuffer message, bool more) {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_) return false;
    queue_.push_back({std::move(message), more});
    if (started_ && !writing_ && !finishing_) StartNextLocked();
    return true;
  }

  // The status the stream ended with (valid once Send returned false).
  grpc::Status end_status() {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

  // Ends the stream: graceful half-closes once the queue is written and lets the peer finish
  // it (so it sees a clean end); otherwise cancels. Returns once gRPC is done with the call
  // (bounded: a peer that does not answer is cancelled after 2 s). False if even the cancel
  // got no answer in 5 s; then the stream must not be destroyed. Not from a thread polling the
  // queue in an OpScope: the driver's background thread completes the call.
  bool Close(bool graceful) {
    std::unique_lock<std::mutex> lock(mu_);
    closing_ = true;
    if (!done_) {
      if (!graceful) {
        ctx_.TryCancel();
      } else {
        half_close_pending_ = true;
        if (started_ && !writing_ && !finishing_) StartNextLocked();
      }
    }
    auto finished = [&] { return done_ && pending_ == 0; };
    if (!cv_.wait_for(lock, std::chrono::seconds(2), finished)) {
      ctx_.TryCancel();
      return cv_.wait_for(lock, std::chrono::seconds(5), finished);
    }
    return true;
  }

  void Cancel() { ctx_.TryCancel(); }

 private:
  struct Queued {
    grpc::ByteBuffer message;
    bool more;
  };

  // Routes one kind of completion to its handler; every handler runs under mu_ and counts
  // the completion off `pending_`.
  class Event final : public CompletionDriver::Tag {
   public:
    Event(PeerStream* stream, void (PeerStream::*handler)(bool)) : s_(stream), h_(handler) {}
    void Proceed(bool ok) override {
      std::unique_lock<std::mutex> lock(s_->mu_);
      --s_->pending_;
      (s_->*h_)(ok);
      s_->cv_.notify_all();
    }

   private:
    PeerStream* s_;
    void (PeerStream::*h_)(bool);
  };

  // Requires mu_. Starts the next write, or the half-close once the queue is empty; nothing
  // once the call is finishing (it has nothing more to send) or the queue is closing.
  void StartNextLocked() {
    if (finishing_ || driver_->closing()) {
      writing_ = false;
      return;
    }
    if (queue_.empty()) {
      writing_ = false;
      if (half_close_pending_) {
        half_close_pending_ = false;
        ++pending_;
        HandOff(&writes_done_);
        call_->WritesDone(&writes_done_);
      }
      return;
    }
    writing_ = true;
    current_ = std::move(queue_.front().message);
    grpc::WriteOptions options;
    if (queue_.front().more) options.set_buffer_hint();
    queue_.pop_front();
    ++pending_;
    HandOff(&write_);
    call_->Write(current_, options, &write_);
  }

  void OnStart(bool ok) {
    if (!ok) {  // the call never started (cancelled, or the channel shut down)
      StartFinishLocked();
      return;
    }
    started_ = true;
    ++pending_;
    HandOff(&read_);
    call_->Read(&ignored_, &read_);  // the server sends nothing: this read ends with the stream
    if (!writing_) StartNextLocked();
  }

  void OnWrite(bool ok) {
    current_.Clear();
    if (!ok) {  // the stream broke; the read fails and the finish follows
      lost_ = true;
      writing_ = false;
      return;
    }
    StartNextLocked();
  }

  void OnWritesDone(bool) {}

  void OnRead(bool ok) {
    if (ok && !driver_->closing()) {
      ++pending_;
      HandOff(&read_);
      call_->Read(&ignored_, &read_);
      return;
    }
    StartFinishLocked();
  }

  void StartFinishLocked() {
    finishing_ = true;
    if (driver_->closing()) {  // a leaked stream outliving its queue: nothing more to start
      done_ = true;
      return;
    }
    ++pending_;
    HandOff(&finish_);
    call_->Finish(&status_, &finish_);
  }

  void OnFinish(bool) {
    // A write still in flight will fail: its message is lost too.
    const bool lost = lost_ || writing_ || !queue_.empty();
    queue_.clear();  // releases the payloads never written
    done_ = true;
    if (closing_ || !on_end_) return;
    // Runs under mu_: on_end only records the error (SetError) and never calls back here.
    on_end_(status_, lost);
  }

  std::shared_ptr<grpc::Channel> channel_;
  CompletionDriver* driver_;
  std::function<void(const grpc::Status&, bool)> on_end_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  Event start_, write_, read_, writes_done_, finish_;
  grpc::ByteBuffer ignored_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  grpc::ByteBuffer current_;  // the message being written
  int pending_ = 0;           // started operations whose completion has not run
  bool started_ = false;
  bool writing_ = false;
  bool half_close_pending_ = false;
  bool finishing_ = false;
  bool closing_ = false;
  bool lost_ = false;  // a write failed
  bool done_ = false;  // finished: status_ is final
  grpc::Status status_;
};

size_t SaturatingAdd(size_t a, size_t b) {
  return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
}

}  // namespace

struct RingCommunicator::Impl {
  RingOptions options;
  CollectiveService* service = nullptr;
  std::shared_ptr<CollectiveService> service_ref;  // keeps the queue up while streams exist
  std::unique_ptr<CollectiveServer> owned_server;
  int n = 1, rank = 0, next = 0, prev = 0;
  size_t segment_elems = 1;
  size_t direct_max_bytes = 0;
  bool pair_exchange = true;
  size_t pair_max_bytes = 0;
  size_t doubling_max_bytes = 0;
  size_t halving_max_bytes = 0;
  size_t send_ahead = 1;  // segments; SIZE_MAX when options.send_ahead_segments is 0

  enum class Algo { kNone, kPair, kDoubling, kDirect, kHalving, kRing };
  Algo Choose(size_t count) const {
    const size_t bytes = count * sizeof(float);
    if (n == 1 || count == 0) return Algo::kNone;
    if (n == 2 && pair_exchange && bytes <= pair_max_bytes) return Algo::kPair;
    if ((n & (n - 1)) == 0 && bytes <= doubling_max_bytes) return Algo::kDoubling;
    // Direct exchange while the bytes each rank sends, (n - 1) * count * 4, stay small.
    if (bytes * (n - 1) <= direct_max_bytes) return Algo::kDirect;
    if (n >= 4 && (n & (n - 1)) == 0 && bytes <= halving_max_bytes) return Algo::kHalving;
    return Algo::kRing;
  }

  std::mutex op_mu;  // one operation at a time
  absl::Status broken;
  std::shared_ptr<SendState> send = std::make_shared<SendState>();
  // By peer rank, opened lazily on the operation's thread.
  std::vector<std::unique_ptr<PeerStream>> streams;

  std::string Peer(int r) const { return absl::StrCat("rank ", r, " (", options.peers[r], ")"); }

  // Opens the stream to `peer` if needed (it connects in the background; writes queue
  // until it does).
  void EnsureStream(int peer) {
    if (streams[peer] != nullptr) return;
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
    auto channel =
        grpc::CreateCustomChannel(options.peers[peer], grpc::InsecureChannelCredentials(), args);
    streams[peer] = std::make_unique<PeerStream>(
        std::move(channel), &service->driver(),
        [this, peer](const grpc::Status& status, bool lost) {
          absl::Status error = StreamError(status, peer);
          if (lost || error.code() != absl::StatusCode::kUnavailable) SetError(error);
        });
  }

  // A group failure that a broken stream from some rank caused, naming that rank's address.
  absl::Status NamePeer(const absl::Status& status) const {
    auto from = status.GetPayload(kFromRankPayload);  // absl::optional<absl::Cord>
    int r = -1;
    if (!from.has_value() || !absl::SimpleAtoi(std::string(*from), &r) || r < 0 || r >= n) {
      return status;
    }
    return Annotate(status, absl::StrCat("rank ", rank, ": from ", Peer(r)));
  }

  // How a stream's end reads to the operation: the peer's refusal, or UNAVAILABLE naming it.
  absl::Status StreamError(const grpc::Status& status, int peer) const {
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
        status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat(Peer(peer), " refused: ", status.error_message()));
    }
    return absl::UnavailableError(absl::StrCat(
        "rank ", rank, ": stream to ", Peer(peer), " ended: ",
        status.ok() ? "closed by the peer" : status.error_message(), " (gRPC code ",
        static_cast<int>(status.error_code()), ")"));
  }

  void SetError(const absl::Status& error) {
    {
      std::lock_guard<std::mutex> lock(send->mu);
      if (send->error.ok()) send->error = error;
    }
    send->cv.notify_all();
    service->mailbox().Fail(options.group, error);
  }

  std::string Prefix(const OpOptions& o, uint32_t step, uint32_t segment, size_t count) {
    v1::CollectiveHeader h;
    h.set_job_id(options.group.job_id);
    h.set_generation(options.group.generation);
    h.set_sequence(o.sequence);
    h.set_from_rank(rank);
    h.set_segment(segment);
    h.set_step(step);
    h.set_wire_type(o.bf16_wire ? v1::WIRE_TYPE_BF16 : v1::WIRE_TYPE_F32);
    h.set_count(count);
    return EncodeSegmentPrefix(h, count * (o.bf16_wire ? 2 : 4));
  }

  // Queues one segment to `peer` from data[0..count), which must stay unchanged until
  // send->unreleased[chunk] drops back. `more`: another write follows at once (buffer hint).
  void Write(int peer, const OpOptions& o, uint32_t step, uint32_t segment, const float* data,
             size_t count, size_t chunk, bool more) {
    {
      std::lock_guard<std::mutex> lock(send->mu);
      if (!send->error.ok()) return;
      ++send->unreleased[chunk];  // the slice's release callback takes it back
    }
    PeerStream* s = streams[peer].get();
    if (!s->Send(MakeMessage(send, Prefix(o, step, segment, count), data, count, o.bf16_wire,
                             chunk),
                 more)) {
      SetError(StreamError(s->end_status(), peer));
    }
  }

  // Makes room for `slots` release counters (between operations all of them are zero).
  void ReserveSlots(size_t slots) {
    std::lock_guard<std::mutex> lock(send->mu);
    if (send->unreleased.size() < slots) send->unreleased.resize(slots, 0);
  }

  // Waits until gRPC released every payload of `slot`.
  absl::Status WaitReleased(Clock::time_point deadline, size_t slot, const char* what) {
    return WaitSends(deadline, [&] { return send->unreleased[slot] == 0; }, what);
  }

  // Polls the queue until `done()` (evaluated under send->mu) holds or the operation failed.
  // gRPC may drop a payload slice without a queue event (inside another thread's poll), so
  // each poll here lasts at most 1 ms.
  template <typename Pred>
  absl::Status WaitSends(Clock::time_point deadline, Pred done, const char* what) {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(send->mu);
        if (!send->error.ok()) return send->error;
        if (done()) return absl::OkStatus();
      }
      // A failed or superseded group ends the wait too (e.g. the worker moved on while a
      // send to a peer that never came up is still queued).
      if (absl::Status group = service->mailbox().GroupStatus(options.group); !group.ok()) {
        return NamePeer(group);
      }
      const Clock::time_point now = Clock::now();
      if (now >= deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("rank ", rank, ": deadline passed ", what));
      }
      service->driver().PollOnce(std::min(deadline, now + std::chrono::milliseconds(1)));
    }
  }

  bool AllReleased() const {  // requires send->mu
    for (size_t u : send->unreleased) {
      if (u != 0) return false;
    }
    return true;
  }

  // Marks the communicator broken, stops the streams and returns only once gRPC holds no
  // reference to the caller's buffer.
  absl::Status Fail(absl::Status status) {
    SetError(status);
    // A cancelled call keeps its unsent messages until it is destroyed: tear it down.
    CloseStreams(/*graceful=*/false);
    std::unique_lock<std::mutex> lock(send->mu);
    if (!send->cv.wait_for(lock, std::chrono::seconds(10), [&] { return AllReleased(); })) {
      TANDEM_LOG(ERROR) << "rank " << rank << ": gRPC still holds collective payloads 10 s "
                        << "after cancelling its streams";
    }
    if (broken.ok()) broken = status;
    return status;
  }

  // Polls the queue until segment (step, segment) from rank `from` is in the mailbox, the
  // group fails, or the deadline passes.
  absl::StatusOr<Delivery> Poll(const OpOptions& o, int from, uint32_t step, uint32_t segment) {
    for (;;) {
      TANDEM_ASSIGN_OR_RETURN(
          std::optional<Delivery> delivery,
          service->mailbox().TryTake(options.group, o.sequence, step, segment, from));
      if (delivery.has_value()) return std::move(*delivery);
      if (Clock::now() >= o.deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            "deadline passed waiting for sequence ", o.sequence, " step ", step, " segment ",
            segment));
      }
      service->driver().PollOnce(o.deadline);
    }
  }

  // Takes segment (step, segment) from rank `from`, checking that it holds `count` elements
  // of this operation's wire type.
  absl::StatusOr<Delivery> Take(const OpOptions& o, int from, uint32_t step, uint32_t segment,
                                size_t count) {
    absl::StatusOr<Delivery> delivery = Poll(o, from, step, segment);
    if (!delivery.ok()) {
      return Annotate(delivery.status(), absl::StrCat("rank ", rank, " waiting for ", Peer(from)));
    }
    const v1::CollectiveHeader& h = delivery->header;
    v1::WireType want = o.bf16_wire ? v1::WIRE_TYPE_BF16 : v1::WIRE_TYPE_F32;
    if (h.count() != count || h.wire_type() != want) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rank ", rank, ": segment (sequence ", o.sequence, ", step ", step, ", segment ",
          segment, ") from ", Peer(from), " has ", h.count(), " elements of wire type ",
          h.wire_type(), "; expected ", count, " of wire type ", want));
    }
    return delivery;
  }

  // Takes segment (step, segment) from rank `from` and writes (or adds) it to dst[0..count).
  absl::Status Receive(const OpOptions& o, int from, uint32_t step, uint32_t segment,
                       float* dst, size_t count, bool add) {
    TANDEM_ASSIGN_OR_RETURN(Delivery delivery, Take(o, from, step, segment, count));
    ConsumePayload(delivery, dst, add);
    return absl::OkStatus();
  }

  // Ring reduce-scatter then all-gather over 2(n-1) steps. At step t a rank sends chunk
  // (rank - t) mod n and receives chunk (rank - t - 1) mod n, which it forwards at step t + 1
  // as soon as each segment is reduced (or, in the all-gather, copied).
  absl::Status RingAllReduce(float* data, size_t count, const OpOptions& o) {
    EnsureStream(next);
    const size_t steps = 2 * (n - 1);
    auto chunk_of = [&](size_t t) { return static_cast<size_t>(((rank - int(t)) % n + n) % n); };
    // Segments ready to go to `next`, in the order `next` takes them: (step, segment). At most
    // send_ahead of them go out beyond the segments received so far (RingOptions).
    std::deque<std::pair<size_t, size_t>> ready;
    size_t sent = 0, received = 0;
    auto send_ready = [&](bool all_through_step, size_t step) {
      auto may_send = [&] {
        return !ready.empty() && (SaturatingAdd(received, send_ahead) > sent ||
                                  (all_through_step && ready.front().first <= step));
      };
      while (may_send()) {
        const auto [t, j] = ready.front();
        ready.pop_front();
        ++sent;
        const size_t chunk = chunk_of(t);
        Range c = Partition(count, n, chunk);
        Range s = Partition(c.size(), SegmentCount(c.size(), segment_elems), j);
        Write(next, o, t, j, data + c.begin + s.begin, s.size(), chunk, /*more=*/may_send());
      }
    };
    for (size_t j = 0; j < SegmentCount(Partition(count, n, rank).size(), segment_elems); ++j) {
      ready.emplace_back(0, j);
    }
    send_ready(false, 0);
    for (size_t t = 0; t < steps; ++t) {
      const size_t chunk = chunk_of(t + 1);
      const bool reduce = t < size_t(n - 1);
      Range c = Partition(count, n, chunk);
      const size_t segments = SegmentCount(c.size(), segment_elems);
      if (!reduce) {
        // This chunk goes out (straight from `data`) at step t - (n - 1); gRPC must be done
        // reading it before we overwrite it. Defensive: chunk sizes differ by at most one
        // element, so pacing has always sent it by now and this flush sends nothing.
        send_ready(true, t - (n - 1));
        TANDEM_RETURN_IF_ERROR(WaitSends(
            o.deadline, [&] { return send->unreleased[chunk] == 0; }, "sending a chunk"));
      }
      for (size_t j = 0; j < segments; ++j) {
        Range s = Partition(c.size(), segments, j);
        float* dst = data + c.begin + s.begin;
        TANDEM_RETURN_IF_ERROR(Receive(o, prev, t, j, dst, s.size(), reduce));
        ++received;
        // After the last reduce step this rank owns the chunk's sum; in bf16 mode it keeps
        // exactly what the others will receive.
        if (o.bf16_wire && t == size_t(n - 2)) RoundToBf16(dst, s.size());
        if (t + 1 < steps) ready.emplace_back(t + 1, j);
        send_ready(false, 0);
      }
    }
    send_ready(true, steps);
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  // Small buffers: every rank sends its whole buffer to every other rank (one message
  // latency instead of 2(n-1)) and sums all n buffers in rank order, so all ranks get the
  // same bits. In bf16 mode each contribution is rounded first, own one included.
  absl::Status DirectAllReduce(float* data, size_t count, const OpOptions& o) {
    for (int i = 1; i < n; ++i) EnsureStream((rank + i) % n);
    for (int i = 1; i < n; ++i) {
      Write((rank + i) % n, o, 0, 0, data, count, 0, /*more=*/false);
    }
    std::vector<float> sum(count, 0.0f), own;
    for (int r = 0; r < n; ++r) {
      if (r != rank) {
        TANDEM_RETURN_IF_ERROR(Receive(o, r, 0, 0, sum.data(), count, /*add=*/true));
        continue;
      }
      own.assign(data, data + count);
      if (o.bf16_wire) RoundToBf16(own.data(), count);
      for (size_t i = 0; i < count; ++i) sum[i] += own[i];
    }
    TANDEM_RETURN_IF_ERROR(WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing"));
    std::copy(sum.begin(), sum.end(), data);
    return absl::OkStatus();
  }

  // Two ranks: each sends its whole buffer in segments and adds the peer's segments as they
  // arrive: the ring's bytes (count per rank) in one message latency instead of two. Both
  // ranks compute own + peer, and float addition is commutative, so the bits agree. A
  // segment is overwritten only after gRPC released it (it went out straight from `data`).
  // In bf16 mode both contributions are rounded first, so both ranks add the same values.
  absl::Status PairAllReduce(float* data, size_t count, const OpOptions& o) {
    const int peer = 1 - rank;
    EnsureStream(peer);
    const size_t segments = SegmentCount(count, segment_elems);
    ReserveSlots(segments);
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      Write(peer, o, 0, j, data + s.begin, s.size(), j, j + 1 < segments);
    }
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      float* dst = data + s.begin;
      TANDEM_ASSIGN_OR_RETURN(Delivery delivery, Take(o, peer, 0, j, s.size()));
      TANDEM_RETURN_IF_ERROR(WaitReleased(o.deadline, j, "sending a segment"));
      if (o.bf16_wire) RoundToBf16(dst, s.size());
      ConsumePayload(delivery, dst, /*add=*/true);
    }
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  // A power-of-two number of ranks: at step k each rank exchanges its whole partial sum with
  // rank ^ 2^k and adds it (log2 n message latencies; log2 n buffers sent per rank, against
  // the ring's 2(n-1)/n). Partners compute own + other, equal by commutativity, so after
  // every step the ranks of each block of 2^(k+1) hold the same bits. In bf16 mode each rank
  // rounds its partial before adding, so both partners add the same values.
  absl::Status DoublingAllReduce(float* data, size_t count, const OpOptions& o) {
    for (int d = 1; d < n; d <<= 1) EnsureStream(rank ^ d);
    const size_t segments = SegmentCount(count, segment_elems);
    ReserveSlots(1);
    uint32_t step = 0;
    for (int d = 1; d < n; d <<= 1, ++step) {
      const int partner = rank ^ d;
      for (size_t j = 0; j < segments; ++j) {
        Range s = Partition(count, segments, j);
        Write(partner, o, step, j, data + s.begin, s.size(), 0, j + 1 < segments);
      }
      // Everything sent from `data` must be released before it changes.
      TANDEM_RETURN_IF_ERROR(WaitReleased(o.deadline, 0, "sending a partial sum"));
      if (o.bf16_wire) RoundToBf16(data, count);
      for (size_t j = 0; j < segments; ++j) {
        Range s = Partition(count, segments, j);
        TANDEM_RETURN_IF_ERROR(
            Receive(o, partner, step, j, data + s.begin, s.size(), /*add=*/true));
      }
    }
    return absl::OkStatus();
  }

  // Sends data[out] to `partner` as segments of `step` (payloads counted in `slot`) and
  // takes the partner's segments of the same step into data[in] (adding when `add`), keeping
  // at most send_ahead segments sent beyond those received (see RingOptions).
  absl::Status Exchange(float* data, const OpOptions& o, int partner, uint32_t step, Range out,
                        size_t slot, Range in, bool add) {
    const size_t out_segments = SegmentCount(out.size(), segment_elems);
    const size_t in_segments = SegmentCount(in.size(), segment_elems);
    size_t sent = 0;
    auto send_until = [&](size_t end) {
      end = std::min(end, out_segments);
      for (; sent < end; ++sent) {
        Range s = Partition(out.size(), out_segments, sent);
        Write(partner, o, step, uint32_t(sent), data + out.begin + s.begin, s.size(), slot,
              sent + 1 < end);
      }
    };
    send_until(send_ahead);
    for (size_t j = 0; j < in_segments; ++j) {
      Range s = Partition(in.size(), in_segments, j);
      TANDEM_RETURN_IF_ERROR(
          Receive(o, partner, step, uint32_t(j), data + in.begin + s.begin, s.size(), add));
      send_until(SaturatingAdd(j + 1, send_ahead));
    }
    send_until(out_segments);
    return absl::OkStatus();
  }

  // A power-of-two number of ranks, large buffers: recursive halving then doubling (the
  // ring's bytes per rank, 2(n-1)/n buffers, in 2 log2 n pairwise steps instead of 2(n-1)).
  // The buffer is cut into n blocks. Reduce-scatter: at step k a rank and its partner
  // rank ^ (n >> (k+1)) split the blocks they share in halves; each sends the half the
  // partner keeps and adds the partner's copy of its own half. Rank b ends with the sum of
  // block b, computed there alone, so every rank receives the same bits in the all-gather,
  // which retraces the steps backwards exchanging whole owned ranges.
  absl::Status HalvingAllReduce(float* data, size_t count, const OpOptions& o) {
    int levels = 0;
    while ((1 << levels) < n) ++levels;
    for (int m = 1; m < n; m <<= 1) EnsureStream(rank ^ m);
    ReserveSlots(size_t(2 * levels));  // reduce-scatter sends, then all-gather sends
    auto elements = [&](int b0, int b1) {  // blocks [b0, b1) as an element range
      return Range{Partition(count, n, b0).begin, Partition(count, n, b1 - 1).end};
    };
    int b0 = 0, width = n;  // the blocks this rank still reduces: [b0, b0 + width)
    for (int k = 0; k < levels; ++k) {
      const int m = n >> (k + 1), partner = rank ^ m;
      const bool keep_low = (rank & m) == 0;
      const int keep0 = keep_low ? b0 : b0 + m, give0 = keep_low ? b0 + m : b0;
      TANDEM_RETURN_IF_ERROR(Exchange(data, o, partner, k, elements(give0, give0 + m), size_t(k),
                                      elements(keep0, keep0 + m), /*add=*/true));
      b0 = keep0;
      width = m;
    }
    if (o.bf16_wire) {  // keep exactly what the others will receive
      Range own = elements(b0, b0 + 1);
      RoundToBf16(data + own.begin, own.size());
    }
    for (int k = levels - 1; k >= 0; --k) {
      const int m = n >> (k + 1), partner = rank ^ m;
      const int other0 = b0 ^ m;  // the partner's range, which this rank gave away at step k
      // That range went out from `data` at step k: gRPC must be done reading it. (The
      // partner's bytes can only arrive after it received ours, so on loopback this wait
      // never waits; it is the contract that makes overwriting safe.)
      TANDEM_RETURN_IF_ERROR(WaitReleased(o.deadline, size_t(k), "sending a half"));
      TANDEM_RETURN_IF_ERROR(Exchange(data, o, partner, uint32_t(2 * levels - 1 - k),
                                      elements(b0, b0 + width), size_t(levels + k),
                                      elements(other0, other0 + width), /*add=*/false));
      b0 = std::min(b0, other0);
      width *= 2;
    }
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  absl::Status BroadcastImpl(float* data, size_t count, int root, const OpOptions& o) {
    const bool sends = next != root;
    if (sends) EnsureStream(next);
    const size_t segments = SegmentCount(count, segment_elems);
    if (rank == root && o.bf16_wire) RoundToBf16(data, count);
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      if (rank != root) {
        TANDEM_RETURN_IF_ERROR(Receive(o, prev, 0, j, data + s.begin, s.size(), /*add=*/false));
      }
      if (sends) {
        Write(next, o, 0, j, data + s.begin, s.size(), 0, rank == root && j + 1 < segments);
      }
    }
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  // Ends every stream (see PeerStream::Close) and destroys it once gRPC is done with it.
  void CloseStreams(bool graceful) {
    for (auto& s : streams) {
      if (s != nullptr && !graceful) s->Cancel();  // cancel all first, then wait
    }
    for (auto& s : streams) {
      if (s == nullptr) continue;
      if (!s->Close(graceful)) {
        TANDEM_LOG(ERROR) << "rank " << rank << ": a collective stream did not end; leaking it";
        s.release();
      }
      s.reset();
    }
  }

  ~Impl() {
    CloseStreams(/*graceful=*/broken.ok());
    if (owned_server != nullptr) owned_server->Shutdown();
  }
};

absl::StatusOr<std::unique_ptr<RingCommunicator>> RingCommunicator::Create(
    RingOptions options, CollectiveService* service) {
  const int n = static_cast<int>(options.peers.size());
  if (service == nullptr) return absl::InvalidArgumentError("ring needs a CollectiveService");
  if (n < 1 || options.rank < 0 || options.rank >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank ", options.rank, " is not in a ring of ", n, " peers"));
  }
  if (options.group.job_id.empty()) return absl::InvalidArgumentError("ring needs a job id");
  auto impl = std::make_unique<Impl>();
  impl->n = n;
  impl->rank = options.rank;
  impl->next = (options.rank + 1) % n;
  impl->prev = (options.rank + n - 1) % n;
  impl->segment_elems = std::max<size_t>(1, options.segment_bytes / 4);
  impl->send->unreleased.assign(n, 0);
  impl->streams.resize(n);
  impl->direct_max_bytes = options.direct_max_bytes;
  impl->pair_exchange = options.pair_exchange;
  impl->pair_max_bytes = options.pair_max_bytes;
  impl->doubling_max_bytes = options.doubling_max_bytes;
  impl->halving_max_bytes = options.halving_max_bytes;
  impl->send_ahead = options.send_ahead_segments == 0 ? std::numeric_limits<size_t>::max()
                                                      : options.send_ahead_segments;
  impl->options = std::move(options);
  impl->service = service;
  impl->service_ref = service->Ref();
  service->mailbox().Attach(impl->options.group);
  return std::unique_ptr<RingCommunicator>(new RingCommunicator(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<RingCommunicator>> RingCommunicator::Create(
    RingOptions options, std::unique_ptr<CollectiveServer> server) {
  if (server == nullptr) return absl::InvalidArgumentError("ring needs a CollectiveServer");
  TANDEM_ASSIGN_OR_RETURN(auto ring, Create(std::move(options), server->service()));
  ring->impl_->owned_server = std::move(server);
  return ring;
}

RingCommunicator::RingCommunicator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RingCommunicator::~RingCommunicator() = default;
int RingCommunicator::rank() const { return impl_->rank; }
int RingCommunicator::world_size() const { return impl_->n; }

absl::Status RingCommunicator::AllReduceSum(float* data, size_t count, const OpOptions& options) {
  std::lock_guard<std::mutex> lock(impl_->op_mu);
  if (!impl_->broken.ok()) return impl_->broken;
  if (impl_->n == 1 || count == 0) return absl::OkStatus();
  if (data == nullptr) return absl::InvalidArgumentError("all-reduce of a null buffer");
  absl::Status status;
  {
  CompletionDriver::OpScope polling(&impl_->service->driver());
  switch (impl_->Choose(count)) {
    case Impl::Algo::kNone:
      break;
    case Impl::Algo::kPair:
      status = impl_->PairAllReduce(data, count, options);
      break;
    case Impl::Algo::kDoubling:
      status = impl_->DoublingAllReduce(data, count, options);
      break;
    case Impl::Algo::kDirect:
      status = impl_->DirectAllReduce(data, count, options);
      break;
    case Impl::Algo::kHalving:
      status = impl_->HalvingAllReduce(data, count, options);
      break;
    case Impl::Algo::kRing:
      status = impl_->RingAllReduce(data, count, options);
      break;
  }
  }
  // Fail closes the streams, which the driver's background thread completes: outside the scope.
  return status.ok() ? status : impl_->Fail(status);
}

const char* RingCommunicator::AllReduceAlgorithm(size_t count) const {
  switch (impl_->Choose(count)) {
    case Impl::Algo::kNone: return "none";
    case Impl::Algo::kPair: return "pair";
    case Impl::Algo::kDoubling: return "doubling";
    case Impl::Algo::kDirect: return "direct";
    case Impl::Algo::kHalving: return "halving";
    case Impl::Algo::kRing: return "ring";
  }
  return "?";
}

absl::Status RingCommunicator::Broadcast(float* data, size_t count, int root,
                                         const OpOptions& options) {
  std::lock_guard<std::mutex> lock(impl_->op_mu);
  if (!impl_->broken.ok()) return impl_->broken;
  if (root < 0 || root >= impl_->n) {
    return absl::InvalidArgumentError(absl::StrCat("broadcast root ", root, " out of range"));
  }
  if (impl_->n == 1 || count == 0) return absl::OkStatus();
  if (data == nullptr) return absl::InvalidArgumentError("broadcast of a null buffer");
  absl::Status status;
  {
    CompletionDriver::OpScope polling(&impl_->service->driver());
    status = impl_->BroadcastImpl(data, count, root, options);
  }
  return status.ok() ? status : impl_->Fail(status);
}

void TuneProcessForBulkTransfer() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock (gRPC takes many per
  // message) also updates a process-wide deadlock graph: ~0.7 % of an all-reduce's CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace tandem::collective
