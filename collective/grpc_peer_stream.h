// One persistent Push stream to a peer, on the CompletionDriver's queue (GrpcTransport opens
// one per peer it sends to).
#ifndef TANDEM_COLLECTIVE_GRPC_PEER_STREAM_H_
#define TANDEM_COLLECTIVE_GRPC_PEER_STREAM_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "collective/grpc_completion_driver.h"

namespace tandem::collective {

// Send() queues a message and starts writing it at once if the stream is idle (the caller
// never waits for a write to complete), the write's completion starts the next. One write is
// in flight at a time, as gRPC requires. The call waits for the peer to be reachable
// (wait-for-ready), so a peer that starts later is fine; the operation's deadline bounds the
// wait. How the stream ended decides what fails: a refusal, or messages that could not be
// sent, fail the group at once; a peer that closed an idle stream (it finished its last
// operation and left) fails only the next Send.
class PeerStream {
 public:
  // `on_end(status, lost)` runs once, on the polling thread, unless the end was expected
  // (Close). `metadata` (key, value pairs) opens the call.
  PeerStream(std::shared_ptr<grpc::Channel> channel, CompletionDriver* driver,
             const std::vector<std::pair<std::string, std::string>>& metadata,
             std::function<void(const grpc::Status&, bool)> on_end);
  PeerStream(const PeerStream&) = delete;
  PeerStream& operator=(const PeerStream&) = delete;

  // Queues `message`. `more`: another Send follows at once, so gRPC may hold this one in its
  // write buffer (the buffer hint) until then. False once the stream has ended (a message
  // queued while it is finishing is counted as lost when it ends).
  bool Send(grpc::ByteBuffer message, bool more);

  // The status the stream ended with (valid once Send returned false).
  grpc::Status end_status();
  // Whether the stream has ended (a Send now would return false).
  bool ended();

  // Ends the stream: graceful half-closes once the queue is written and lets the peer finish
  // it (so it sees a clean end); otherwise cancels. Returns once gRPC is done with the call
  // (bounded: a peer that does not answer is cancelled after 2 s). False if even the cancel
  // got no answer in 5 s; then the stream must not be destroyed. Not from a thread polling the
  // queue in an OpScope: the driver's background thread completes the call.
  bool Close(bool graceful);

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
    void Proceed(bool ok) override;

   private:
    PeerStream* s_;
    void (PeerStream::*h_)(bool);
  };

  // The handlers and helpers below require mu_.
  void StartNextLocked();
  void OnStart(bool ok);
  void OnWrite(bool ok);
  void OnWritesDone(bool) {}
  void OnRead(bool ok);
  void StartFinishLocked();
  void OnFinish(bool);

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

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_GRPC_PEER_STREAM_H_
