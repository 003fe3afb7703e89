// CompletionDriver: who handles a completion (the background thread between operations, the
// polling thread within one), Wake, bounded polls, and shutdown with work still queued.
#include "collective/grpc_completion_driver.h"

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace tandem::collective {
namespace {

using std::chrono::milliseconds;

// An alarm whose handler records where and how it ran.
class RecordingTag final : public CompletionDriver::Tag {
 public:
  void Proceed(bool ok) override {
    thread = std::this_thread::get_id();
    this->ok = ok;
    done.store(true);
  }
  void SetIn(CompletionDriver& driver, milliseconds delay) {
    HandOff(this);
    alarm.Set(driver.cq(), std::chrono::system_clock::now() + delay, this);
  }
  grpc::Alarm alarm;
  std::thread::id thread;
  bool ok = false;
  std::atomic<bool> done{false};
};

// A server with no services, only for its completion queue.
struct Fixture {
  Fixture() {
    grpc::ServerBuilder builder;
    auto cq = builder.AddCompletionQueue();
    server = builder.BuildAndStart();
    driver = std::make_unique<CompletionDriver>(std::move(cq));
  }
  ~Fixture() {
    server->Shutdown();
    driver->Shutdown();
  }
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<CompletionDriver> driver;
};

// Polls `condition` every millisecond until it holds or `limit` passes. (Not
// tandem::testing::WaitFor: the collective's tests build without tests/testing's library.)
bool WaitUntil(const std::function<bool()>& condition, milliseconds limit) {
  const auto end = Clock::now() + limit;
  while (!condition() && Clock::now() < end) std::this_thread::sleep_for(milliseconds(1));
  return condition();
}

TEST(CompletionDriverTest, BackgroundThreadHandlesEventsBetweenOperations) {
  Fixture f;
  RecordingTag tag;
  tag.SetIn(*f.driver, milliseconds(1));
  ASSERT_TRUE(WaitUntil([&] { return tag.done.load(); }, milliseconds(5000)));
  EXPECT_TRUE(tag.ok);
  EXPECT_NE(tag.thread, std::this_thread::get_id());
}

TEST(CompletionDriverTest, TheOperationThreadHandlesEventsWhileItPolls) {
  Fixture f;
  CompletionDriver::OpScope op(f.driver.get());
  // The background thread steps aside (it was kicked at once) and polls no more while the
  // operation runs.
  ASSERT_TRUE(WaitUntil([&] { return !f.driver->TEST_background_polling(); }, milliseconds(5000)));
  RecordingTag tag;
  tag.SetIn(*f.driver, milliseconds(1));
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!tag.done.load() && Clock::now() < deadline) f.driver->PollOnce(deadline);
  ASSERT_TRUE(tag.done.load());
  EXPECT_EQ(tag.thread, std::this_thread::get_id());
}

TEST(CompletionDriverTest, PollOnceReturnsAtItsDeadline) {
  Fixture f;
  CompletionDriver::OpScope op(f.driver.get());
  const auto start = Clock::now();
  // Nothing arrives: each poll returns by its deadline (a kick may end the first earlier).
  for (int i = 0; i < 3; ++i) f.driver->PollOnce(Clock::now() + milliseconds(20));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  // A deadline in the past returns at once.
  const auto t = Clock::now();
  f.driver->PollOnce(t - milliseconds(1));
  EXPECT_LT(Clock::now() - t, milliseconds(500));
}

TEST(CompletionDriverTest, WakeFromAnotherThreadEndsAPoll) {
  Fixture f;
  CompletionDriver::OpScope op(f.driver.get());
  f.driver->PollOnce(Clock::now() + milliseconds(10));  // absorb the kick of OpScope's start
  std::thread waker([&] {
    // Deliberate timing, not a wait: the Wake comes while the poll below is blocked.
    std::this_thread::sleep_for(milliseconds(100));
    f.driver->Wake();
  });
  const auto start = Clock::now();
  f.driver->PollOnce(start + std::chrono::seconds(20));
  const auto waited = Clock::now() - start;
  waker.join();
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST(CompletionDriverTest, ShutdownDrainsEventsStillQueued) {
  RecordingTag tag;
  {
    Fixture f;
    tag.SetIn(*f.driver, milliseconds(200));
  }  // Shutdown returns only once the queue is drained: the alarm has been handled
  EXPECT_TRUE(tag.done.load());
  EXPECT_TRUE(tag.ok);
}

TEST(CompletionDriverTest, ShutdownWithNothingQueuedReturnsPromptly) {
  const auto start = Clock::now();
  { Fixture f; }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace tandem::collective
