#include "collective/grpc_ring.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collective/wire.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem::collective {
namespace {

// Everything the sender thread and the release callbacks of in-flight slices share. Held by
// shared_ptr so a callback that fires late still finds it.
struct SendState {
  struct Item {
    std::string prefix;  // the Segment bytes before the payload
    const float* data = nullptr;
    size_t count = 0;
    bool bf16 = false;
    size_t chunk = 0;  // for release tracking
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;
  size_t in_flight = 0;             // items queued or being written
  std::vector<size_t> unreleased;   // per chunk: payloads gRPC may still read
  bool stop = false;
  bool remote_closed = false;       // the successor ended the stream (seen by the reader)
  absl::Status error;               // first send failure
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

grpc::ByteBuffer MakeMessage(const std::shared_ptr<SendState>& state, const SendState::Item& item) {
  grpc::Slice slices[2] = {grpc::Slice(item.prefix), grpc::Slice()};
  if (item.bf16) {
    auto* out = static_cast<uint16_t*>(std::malloc(item.count * 2));
    for (size_t i = 0; i < item.count; ++i) out[i] = FloatToBf16(item.data[i]);
    slices[1] = grpc::Slice(out, item.count * 2, ReleasePayload,
                            new ReleaseToken{state, item.chunk, out});
  } else {
    slices[1] = grpc::Slice(const_cast<float*>(item.data), item.count * 4, ReleasePayload,
                            new ReleaseToken{state, item.chunk, nullptr});
  }
  return grpc::ByteBuffer(slices, 2);
}

std::chrono::system_clock::time_point ToSystem(Clock::time_point deadline) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline - Clock::now());
}

// Writes `count` payload elements of `delivery` to `dst`, adding when `add`. Floats may
// straddle gRPC's slices; a straddling element goes through a 4-byte carry.
void ConsumePayload(const Delivery& delivery, float* dst, size_t count, bool add) {
  const bool bf16 = delivery.header.wire_type() == v1::WIRE_TYPE_BF16;
  const size_t width = bf16 ? 2 : 4;
  auto apply = [&](const uint8_t* src, size_t k) {
    float* __restrict out = dst;
    if (bf16) {
      for (size_t i = 0; i < k; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        out[i] = add ? out[i] + Bf16ToFloat(h) : Bf16ToFloat(h);
      }
    } else if (add) {
      for (size_t i = 0; i < k; ++i) {
        float v;
        std::memcpy(&v, src + 4 * i, 4);
        out[i] += v;
      }
    } else {
      std::memcpy(out, src, 4 * k);
    }
    dst += k;
  };
  std::vector<grpc::Slice> slices;
  (void)delivery.message.Dump(&slices);
  size_t skip = delivery.payload_offset;
  uint8_t carry[4];
  size_t carried = 0;
  for (const grpc::Slice& slice : slices) {
    const uint8_t* p = slice.begin();
    size_t n = slice.size();
    if (skip >= n) {
      skip -= n;
      continue;
    }
    p += skip;
    n -= skip;
    skip = 0;
    if (carried > 0) {
      size_t take = std::min(width - carried, n);
      std::memcpy(carry + carried, p, take);
      carried += take;
      p += take;
      n -= take;
      if (carried == width) {
        apply(carry, 1);
        carried = 0;
      }
    }
    size_t whole = n / width;
    apply(p, whole);
    p += whole * width;
    n -= whole * width;
    std::memcpy(carry, p, n);
    carried = n;
  }
  (void)count;  // checked by the caller against header.count
}

}  // namespace

struct RingCommunicator::Impl {
  RingOptions options;
  CollectiveService* service = nullptr;
  std::unique_ptr<CollectiveServer> owned_server;
  int n = 1, rank = 0, next = 0, prev = 0;
  size_t segment_elems = 1;

  std::mutex op_mu;  // one operation at a time
  absl::Status broken;
  std::shared_ptr<SendState> send = std::make_shared<SendState>();

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::internal::RpcMethod> method;
  std::unique_ptr<grpc::ClientContext> stream_ctx;
  using Stream = grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;
  std::unique_ptr<Stream> writer;
  bool stream_finished = false;  // Finish() was called (by the sender thread after a failure)
  std::thread sender;
  std::thread reader;  // waits for the successor to end the stream (a refusal)

  std::string Peer(int r) const { return absl::StrCat("rank ", r, " (", options.peers[r], ")"); }

  absl::Status EnsureStream(Clock::time_point deadline) {
    if (writer != nullptr) return absl::OkStatus();
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    // Let writes complete into a large per-stream buffer (with the buffer hint), and give
    // each communicator its own TCP connection even when ranks share a process.
    args.SetInt(GRPC_ARG_HTTP2_WRITE_BUFFER_SIZE, 16 << 20);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // The retry layer would keep every sent message (a reference to the caller's buffer)
    // until the call commits, which a client stream without a response does only after
    // 256 KiB; segments are never retried anyway.
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
    channel = grpc::CreateCustomChannel(options.peers[next], grpc::InsecureChannelCredentials(),
                                        args);
    if (!channel->WaitForConnected(ToSystem(deadline))) {
      return absl::UnavailableError(absl::StrCat("rank ", rank, " cannot connect to ",
                                                 Peer(next), " before the deadline"));
    }
    method = std::make_unique<grpc::internal::RpcMethod>(
        "/tandem.v1.CollectiveService/Push", grpc::internal::RpcMethod::BIDI_STREAMING,
        channel);
    stream_ctx = std::make_unique<grpc::ClientContext>();
    writer.reset(grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::
                     Create(channel.get(), *method, stream_ctx.get()));
    sender = std::thread([this] { SendLoop(); });
    reader = std::thread([this] {
      grpc::ByteBuffer ignored;
      while (writer->Read(&ignored)) {
      }
      {
        std::lock_guard<std::mutex> lock(send->mu);
        send->remote_closed = true;
      }
      send->cv.notify_all();
    });
    return absl::OkStatus();
  }

  // The sender thread: writes queued segments in order. The buffer hint lets a write complete
  // before its bytes reach the socket while more segments are queued; the last one flushes.
  // It alone writes and finishes the stream.
  void SendLoop() {
    for (;;) {
      SendState::Item item;
      bool have = false, more = false, closed = false, healthy = false;
      {
        std::unique_lock<std::mutex> lock(send->mu);
        send->cv.wait(lock, [&] {
          return send->stop || !send->queue.empty() ||
                 (send->remote_closed && !stream_finished);
        });
        closed = send->remote_closed && !stream_finished;
        if (!send->queue.empty()) {
          item = std::move(send->queue.front());
          send->queue.pop_front();
          have = true;
          more = !send->queue.empty();
        } else if (!closed) {
          return;  // stopped
        }
        healthy = send->error.ok();
      }
      if (closed) FinishStream();
      if (!have) continue;
      const bool handed = healthy && !stream_finished;
      if (handed) {
        grpc::WriteOptions write_options;
        if (more) write_options.set_buffer_hint();
        if (!writer->Write(MakeMessage(send, item), write_options)) FinishStream();
      }
      std::lock_guard<std::mutex> lock(send->mu);
      if (!handed) --send->unreleased[item.chunk];  // never given to gRPC
      --send->in_flight;
      send->cv.notify_all();
    }
  }

  // The stream ended (a failed write, or the successor closed it): collect its status.
  void FinishStream() {
    grpc::Status status = writer->Finish();
    stream_finished = true;
    absl::Status error = absl::UnavailableError(absl::StrCat(
        "rank ", rank, ": stream to ", Peer(next), " ended: ",
        status.ok() ? "closed by the peer" : status.error_message(), " (gRPC code ",
        static_cast<int>(status.error_code()), ")"));
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
        status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
        status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      error = absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                           absl::StrCat(Peer(next), " refused: ", status.error_message()));
    }
    SetError(error);
  }

  void SetError(const absl::Status& error) {
    {
      std::lock_guard<std::mutex> lock(send->mu);
      if (send->error.ok()) send->error = error;
    }
    send->cv.notify_all();
    service->mailbox().Fail(options.group, error);
  }

  void Enqueue(SendState::Item item) {
    std::lock_guard<std::mutex> lock(send->mu);
    ++send->unreleased[item.chunk];
    ++send->in_flight;
    send->queue.push_back(std::move(item));
    send->cv.notify_all();
  }

  // Waits until `done()` (evaluated under send->mu) holds or a send failed.
  template <typename Pred>
  absl::Status WaitSends(Clock::time_point deadline, Pred done, const char* what) {
    std::unique_lock<std::mutex> lock(send->mu);
    if (!send->cv.wait_until(lock, deadline, [&] { return !send->error.ok() || done(); })) {
      return absl::DeadlineExceededError(
          absl::StrCat("rank ", rank, ": deadline passed ", what, " to ", Peer(next)));
    }
    return send->error;
  }

  bool AllReleased() const {  // requires send->mu
    if (send->in_flight != 0) return false;
    for (size_t u : send->unreleased) {
      if (u != 0) return false;
    }
    return true;
  }

  // Marks the communicator broken, stops the stream and returns only once gRPC holds no
  // reference to the caller's buffer.
  absl::Status Fail(absl::Status status) {
    SetError(status);
    // A cancelled call keeps its unsent messages until it is destroyed: tear it down.
    CloseStream(/*graceful=*/false);
    std::unique_lock<std::mutex> lock(send->mu);
    if (!send->cv.wait_for(lock, std::chrono::seconds(10), [&] { return AllReleased(); })) {
      TANDEM_LOG(ERROR) << "rank " << rank << ": gRPC still holds collective payloads 10 s "
                        << "after cancelling the stream to " << Peer(next) << " (in flight "
                        << send->in_flight << ", queued " << send->queue.size() << ")";
    }
    if (broken.ok()) broken = status;
    return status;
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

  void SendSegment(const OpOptions& o, uint32_t step, uint32_t segment, const float* data,
                   size_t count, size_t chunk) {
    Enqueue(SendState::Item{Prefix(o, step, segment, count), data, count, o.bf16_wire, chunk});
  }

  // Takes segment (step, segment) from the predecessor and writes it to dst[0..count).
  absl::Status Receive(const OpOptions& o, uint32_t step, uint32_t segment, float* dst,
                       size_t count, bool add) {
    absl::StatusOr<Delivery> delivery =
        service->mailbox().Take(options.group, o.sequence, step, segment, o.deadline);
    if (!delivery.ok()) {
      return Annotate(delivery.status(),
                      absl::StrCat("rank ", rank, " waiting for ", Peer(prev)));
    }
    const v1::CollectiveHeader& h = delivery->header;
    v1::WireType want = o.bf16_wire ? v1::WIRE_TYPE_BF16 : v1::WIRE_TYPE_F32;
    if (static_cast<int>(h.from_rank()) != prev || h.count() != count || h.wire_type() != want) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rank ", rank, ": segment (sequence ", o.sequence, ", step ", step, ", segment ",
          segment, ") from rank ", h.from_rank(), " has ", h.count(), " elements of wire type ",
          h.wire_type(), "; expected ", count, " of wire type ", want, " from ", Peer(prev)));
    }
    ConsumePayload(*delivery, dst, count, add);
    return absl::OkStatus();
  }

  absl::Status AllReduce(float* data, size_t count, const OpOptions& o) {
    TANDEM_RETURN_IF_ERROR(EnsureStream(o.deadline));
    const size_t steps = 2 * (n - 1);
    auto chunk_of = [&](size_t t) { return static_cast<size_t>(((rank - int(t)) % n + n) % n); };
    auto send_chunk_segment = [&](size_t step, size_t chunk, size_t j) {
      Range c = Partition(count, n, chunk);
      Range s = Partition(c.size(), SegmentCount(c.size(), segment_elems), j);
      SendSegment(o, step, j, data + c.begin + s.begin, s.size(), chunk);
    };
    {
      Range c = Partition(count, n, rank);
      for (size_t j = 0; j < SegmentCount(c.size(), segment_elems); ++j) {
        send_chunk_segment(0, rank, j);
      }
    }
    for (size_t t = 0; t < steps; ++t) {
      const size_t chunk = chunk_of(t + 1);
      const bool reduce = t < size_t(n - 1);
      Range c = Partition(count, n, chunk);
      const size_t segments = SegmentCount(c.size(), segment_elems);
      if (!reduce) {
        // This chunk went out (straight from `data`) at step t - (n - 1); gRPC must be done
        // reading it before we overwrite it.
        TANDEM_RETURN_IF_ERROR(WaitSends(
            o.deadline, [&] { return send->unreleased[chunk] == 0; }, "sending a chunk"));
      }
      for (size_t j = 0; j < segments; ++j) {
        Range s = Partition(c.size(), segments, j);
        float* dst = data + c.begin + s.begin;
        TANDEM_RETURN_IF_ERROR(Receive(o, t, j, dst, s.size(), reduce));
        // After the last reduce step this rank owns the chunk's sum; in bf16 mode it keeps
        // exactly what the others will receive.
        if (o.bf16_wire && t == size_t(n - 2)) RoundToBf16(dst, s.size());
        if (t + 1 < steps) send_chunk_segment(t + 1, chunk, j);
      }
    }
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  absl::Status BroadcastImpl(float* data, size_t count, int root, const OpOptions& o) {
    const bool sends = next != root;
    if (sends) TANDEM_RETURN_IF_ERROR(EnsureStream(o.deadline));
    const size_t segments = SegmentCount(count, segment_elems);
    if (rank == root && o.bf16_wire) RoundToBf16(data, count);
    for (size_t j = 0; j < segments; ++j) {
      Range s = Partition(count, segments, j);
      if (rank != root) {
        TANDEM_RETURN_IF_ERROR(Receive(o, 0, j, data + s.begin, s.size(), /*add=*/false));
      }
      if (sends) SendSegment(o, 0, j, data + s.begin, s.size(), 0);
    }
    return WaitSends(o.deadline, [&] { return AllReleased(); }, "flushing segments");
  }

  // Ends the stream to the successor and destroys the call. Graceful: half-close and wait
  // (at most 2 s) for the successor to end it, so it sees a clean end rather than a broken
  // stream. Otherwise cancel.
  void CloseStream(bool graceful) {
    if (writer == nullptr) return;
    if (!graceful) stream_ctx->TryCancel();
    {
      std::lock_guard<std::mutex> lock(send->mu);
      send->stop = true;
    }
    send->cv.notify_all();
    sender.join();
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(2), [&] { return done; })) {
        stream_ctx->TryCancel();
      }
    });
    if (graceful && !stream_finished) writer->WritesDone();
    reader.join();
    if (!stream_finished) (void)writer->Finish();
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
    writer.reset();
    stream_ctx.reset();
  }

  ~Impl() {
    CloseStream(/*graceful=*/broken.ok());
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
  impl->options = std::move(options);
  impl->service = service;
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
  absl::Status status = impl_->AllReduce(data, count, options);
  return status.ok() ? status : impl_->Fail(status);
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
  absl::Status status = impl_->BroadcastImpl(data, count, root, options);
  return status.ok() ? status : impl_->Fail(status);
}

void TuneMallocForBulkTransfer() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace tandem::collective
