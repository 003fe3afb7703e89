// Runs the completion queue of a process's collective: every gRPC event of the collective
// (a segment read, a write done, a stream accepted or ended, a ping) completes a Tag on one
// queue, and the Tag's handler runs on whichever thread polled it.
//
// While an operation runs, its own thread polls (OpScope + PollOnce): the segment it waits for
// is read from the socket, parsed and reduced on that thread, with no hand-off between
// threads on its path. gRPC's callback API cost two thread wake-ups per message here (its
// poller thread, then the operation's); polling the queue from the operation's thread made a
// 64 KiB exchange 3-5x and a 1 MiB one ~1.7x faster (bench/allreduce/RESULTS.md, run G).
// Between operations a background thread polls, so streams are accepted, pings answered and
// bad segments refused at any time: it starts once no operation has run for 5 ms, noticed
// within 50 ms (it is not woken when an operation ends, and checks only every 50 ms while
// operations run: at every 5 ms its wake-ups took ~2 % of the CPU of a 4-rank all-reduce on
// 2 cores). So between operations the queue may go unpolled for up to ~55 ms; nothing an
// operation waits for depends on that (a peer's operation never waits on this process's
// polling once this process's operation has ended). Handlers must be short and never block.
#ifndef TANDEM_COLLECTIVE_GRPC_COMPLETION_DRIVER_H_
#define TANDEM_COLLECTIVE_GRPC_COMPLETION_DRIVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "collective/communicator.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace tandem::collective {

// Call with an operation's tag just before starting the operation: the tag (and all the
// starting thread wrote) passes to whichever thread polls the completion. gRPC's queue
// orders the two, but inside the uninstrumented library ThreadSanitizer cannot see it;
// the driver's acquire before Proceed pairs with this.
inline void HandOff(void* tag) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(tag);
#else
  (void)tag;
#endif
}

class CompletionDriver {
 public:
  // A completion-queue tag. Proceed(ok) runs once per operation started with this tag.
  class Tag {
   public:
    virtual ~Tag() = default;
    virtual void Proceed(bool ok) = 0;
  };

  // Takes the queue of a started server; starts the background thread.
  explicit CompletionDriver(std::unique_ptr<grpc::ServerCompletionQueue> cq);
  // Requires Shutdown().
  ~CompletionDriver();
  CompletionDriver(const CompletionDriver&) = delete;
  CompletionDriver& operator=(const CompletionDriver&) = delete;

  grpc::ServerCompletionQueue* cq() { return cq_.get(); }

  // Shuts the queue down and drains it on the background thread, which then ends. Call after
  // the server's Shutdown and once no client call uses the queue any more; waits for running
  // operations (OpScopes) to end first.
  void Shutdown();

  // True once the queue is shutting down: handlers must not start new operations (gRPC
  // aborts on an operation started on a shut-down queue). Only changes between handlers on
  // the background thread, so a handler may test it and then start one.
  bool closing() const { return closing_.load(std::memory_order_acquire); }

  // Makes the constructing thread a poller of the queue until destruction: the background
  // thread stops polling (an alarm kicks it; if this thread takes the alarm instead, the
  // background thread stops after its next event or within 1 s), and Wake() reaches this
  // thread.
  class OpScope {
   public:
    explicit OpScope(CompletionDriver* driver);
    ~OpScope();
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;

   private:
    CompletionDriver* driver_;
  };

  // Within an OpScope: waits for one event and handles it, or returns at `deadline` or when
  // woken. Callers re-check what they wait for after every return. True if it handled an
  // event (a wake counts as one).
  bool PollOnce(Clock::time_point deadline);

  // Makes threads polling in an OpScope return from PollOnce, so they re-check their
  // condition. Call after changing, from another thread, state an operation waits on. Free
  // when called from the polling thread itself outside PollOnce (it re-checks anyway).
  void Wake();

  // For tests: whether the background thread is inside a poll of the queue now.
  bool TEST_background_polling() {
    std::lock_guard<std::mutex> lock(mu_);
    return bg_polling_;
  }

 private:
  class KickTag;
  void Run();
  void KickLocked();  // requires mu_: an immediate alarm on the queue

  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
  std::mutex mu_;
  std::condition_variable cv_;
  int op_pollers_ = 0;      // threads inside an OpScope
  Clock::time_point last_op_end_;
  bool bg_polling_ = false;  // the background thread is inside AsyncNext
  bool stop_ = false;        // Shutdown() asked the background thread to shut the queue down
  bool cq_shut_ = false;     // the queue is shut down: no more alarms
  std::atomic<bool> closing_{false};
  std::thread background_;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_GRPC_COMPLETION_DRIVER_H_
