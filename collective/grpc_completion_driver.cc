#include "collective/grpc_completion_driver.h"

#include <grpc/support/time.h>
#include <grpcpp/alarm.h>

#include <algorithm>

namespace tandem::collective {
namespace {

// The driver whose OpScope this thread is in, while it is not inside AsyncNext: it will
// re-check its condition before polling again, so Wake() need not kick it.
thread_local const CompletionDriver* tls_rechecking = nullptr;

constexpr auto kIdleBeforePolling = std::chrono::milliseconds(5);
constexpr auto kCheckWhileOperating = std::chrono::milliseconds(50);

// A deadline that has passed is gRPC's infinite past: a poll that returns at once. (The
// present would be rounded up to gRPC's next millisecond: a poll of up to 1 ms.)
gpr_timespec ToGpr(Clock::time_point deadline) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now()).count();
  if (ns <= 0) return gpr_inf_past(GPR_CLOCK_MONOTONIC);
  return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(ns, GPR_TIMESPAN));
}

}  // namespace

// An alarm due at once: makes one poller of the queue return.
class CompletionDriver::KickTag final : public Tag {
 public:
  void Proceed(bool) override { delete this; }
  grpc::Alarm alarm;
};

namespace {

// Runs the handler of a completion (see HandOff).
void Dispatch(void* tag, bool ok) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(tag);
#endif
  static_cast<CompletionDriver::Tag*>(tag)->Proceed(ok);
}

}  // namespace

CompletionDriver::CompletionDriver(std::unique_ptr<grpc::ServerCompletionQueue> cq)
    : cq_(std::move(cq)), background_([this] { Run(); }) {}

CompletionDriver::~CompletionDriver() { Shutdown(); }

void CompletionDriver::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    if (bg_polling_) KickLocked();
  }
  cv_.notify_all();
  background_.join();
}

void CompletionDriver::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Operations often come in bursts (the gradient buckets of one step): poll only once
      // none has run for kIdleBeforePolling, so back-to-back operations never pay for waking
      // this thread and kicking it out again. Timed waits (operations do not notify), long
      // ones while an operation runs: these wake-ups cost CPU that the operation needs.
      for (;;) {
        if (op_pollers_ > 0) {
          cv_.wait_for(lock, kCheckWhileOperating);
        } else if (!stop_ && Clock::now() - last_op_end_ < kIdleBeforePolling) {
          cv_.wait_until(lock, last_op_end_ + kIdleBeforePolling);
        } else {
          break;
        }
      }
      if (stop_ && !cq_shut_) {  // between two handlers, so none is starting an operation
        closing_.store(true, std::memory_order_release);
        cq_shut_ = true;
        cq_->Shutdown();
      }
      bg_polling_ = true;
    }
    void* tag = nullptr;
    bool ok = false;
    // Bounded so that a shut-down queue or a finished operation is noticed even if no event
    // comes; operations kick this thread out at their start.
    const auto status = cq_->AsyncNext(&tag, &ok, ToGpr(Clock::now() + std::chrono::seconds(1)));
    if (status == grpc::CompletionQueue::GOT_EVENT) Dispatch(tag, ok);
    std::lock_guard<std::mutex> lock(mu_);
    bg_polling_ = false;
    if (status == grpc::CompletionQueue::SHUTDOWN) return;
    // An operation began meanwhile and may wait for what this event changed; a Wake() from
    // the handler may have been taken by this thread. From now on only it polls: kick it.
    if (status == grpc::CompletionQueue::GOT_EVENT && op_pollers_ > 0) KickLocked();
  }
}

void CompletionDriver::KickLocked() {
  if (cq_shut_) return;
  auto* kick = new KickTag;
  HandOff(kick);
  kick->alarm.Set(cq_.get(), gpr_now(GPR_CLOCK_MONOTONIC), kick);
}

CompletionDriver::OpScope::OpScope(CompletionDriver* driver) : driver_(driver) {
  std::lock_guard<std::mutex> lock(driver_->mu_);
  ++driver_->op_pollers_;
  if (driver_->bg_polling_) driver_->KickLocked();
  tls_rechecking = driver_;
}

CompletionDriver::OpScope::~OpScope() {
  tls_rechecking = nullptr;
  std::lock_guard<std::mutex> lock(driver_->mu_);
  --driver_->op_pollers_;
  driver_->last_op_end_ = Clock::now();
  if (driver_->stop_) driver_->cv_.notify_all();  // Shutdown is waiting for this
}

bool CompletionDriver::PollOnce(Clock::time_point deadline) {
  void* tag = nullptr;
  bool ok = false;
  tls_rechecking = nullptr;
  const auto status = cq_->AsyncNext(&tag, &ok, ToGpr(deadline));
  tls_rechecking = this;
  if (status != grpc::CompletionQueue::GOT_EVENT) return false;
  Dispatch(tag, ok);
  return true;
}

void CompletionDriver::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  // The polling thread itself re-checks before it polls again; any other poller needs a kick.
  if (op_pollers_ > (tls_rechecking == this ? 1 : 0)) KickLocked();
}

}  // namespace tandem::collective
