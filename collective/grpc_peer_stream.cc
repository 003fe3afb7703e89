#include "collective/grpc_peer_stream.h"

#include <chrono>
#include <utility>

namespace tandem::collective {

PeerStream::PeerStream(std::shared_ptr<grpc::Channel> channel, CompletionDriver* driver,
                       const std::vector<std::pair<std::string, std::string>>& metadata,
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
  for (const auto& [key, value] : metadata) ctx_.AddMetadata(key, value);
  grpc::GenericStub stub(channel_);
  call_ = stub.PrepareCall(&ctx_, "/tandem.v1.CollectiveService/Push", driver_->cq());
  std::lock_guard<std::mutex> lock(mu_);
  ++pending_;
  HandOff(&start_);
  call_->StartCall(&start_);
}

bool PeerStream::Send(grpc::ByteBuffer message, bool more) {
  std::unique_lock<std::mutex> lock(mu_);
  if (done_) return false;
  queue_.push_back({std::move(message), more});
  if (started_ && !writing_ && !finishing_) StartNextLocked();
  return true;
}

bool PeerStream::ended() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

grpc::Status PeerStream::end_status() {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

bool PeerStream::Close(bool graceful) {
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

void PeerStream::Event::Proceed(bool ok) {
  std::unique_lock<std::mutex> lock(s_->mu_);
  --s_->pending_;
  (s_->*h_)(ok);
  s_->cv_.notify_all();
}

// Starts the next write, or the half-close once the queue is empty; nothing once the call is
// finishing (it has nothing more to send) or the queue is closing.
void PeerStream::StartNextLocked() {
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

void PeerStream::OnStart(bool ok) {
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

void PeerStream::OnWrite(bool ok) {
  current_.Clear();
  if (!ok) {  // the stream broke; the read fails and the finish follows
    lost_ = true;
    writing_ = false;
    return;
  }
  StartNextLocked();
}

void PeerStream::OnRead(bool ok) {
  if (ok && !driver_->closing()) {
    ++pending_;
    HandOff(&read_);
    call_->Read(&ignored_, &read_);
    return;
  }
  StartFinishLocked();
}

void PeerStream::StartFinishLocked() {
  finishing_ = true;
  if (driver_->closing()) {  // a leaked stream outliving its queue: nothing more to start
    done_ = true;
    return;
  }
  ++pending_;
  HandOff(&finish_);
  call_->Finish(&status_, &finish_);
}

void PeerStream::OnFinish(bool) {
  // A write still in flight will fail: its message is lost too.
  const bool lost = lost_ || writing_ || !queue_.empty();
  queue_.clear();  // releases the payloads never written
  done_ = true;
  if (closing_ || !on_end_) return;
  // Runs under mu_: on_end only records the error (SetError) and never calls back here.
  on_end_(status_, lost);
}

}  // namespace tandem::collective
