// Membership without the Coordinator: real SQLite for persistence, explicit times.
#include "coordinator/membership.h"

#include <memory>
#include <thread>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::StatusIs;

// A prepared job with `shards` shards and room for `max_workers`.
v1::JobInfo Job(uint32_t shards, uint32_t max_workers) {
  v1::JobInfo job;
  job.set_id("job-000001");
  job.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  job.mutable_spec()->mutable_workers()->set_min(1);
  job.mutable_spec()->mutable_workers()->set_max(max_workers);
  for (uint32_t i = 0; i < shards; ++i) job.add_shards()->set_index(i);
  return job;
}

class MembershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, JobStore::Open(dir_.Join("state.db")));
    membership_ = std::make_unique<Membership>(store_.get());
  }

  std::string Join(const std::string& address, int64_t now_ms = 1000) {
    v1::JoinRequest r;
    r.set_address(address);
    r.set_hostname("host");
    auto id = membership_->Join(r, now_ms);
    EXPECT_OK(id);
    return id.ok() ? *id : "";
  }

  const v1::WorkerInfo* Find(const std::string& id) {
    workers_ = membership_->List();
    for (const auto& w : workers_) {
      if (w.id() == id) return &w;
    }
    return nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Membership> membership_;
  std::vector<v1::WorkerInfo> workers_;
};

TEST_F(MembershipTest, JoinsBeatsAndSurvivesARestart) {
  const std::string w1 = Join("127.0.0.1:1001", 1000);
  EXPECT_EQ(w1, "w-000001");
  ASSERT_OK_AND_ASSIGN(const Membership::Liveness live, membership_->Heartbeat(w1, 1700));
  EXPECT_EQ(live.state, v1::WORKER_STATE_IDLE);
  EXPECT_EQ(live.job_id, "");
  EXPECT_EQ(Find(w1)->address(), "127.0.0.1:1001");
  EXPECT_EQ(Find(w1)->last_heartbeat_unix_ms(), 1700);
  EXPECT_EQ(Find(w1)->joined_unix_ms(), 1000);

  // A new registry on the same store knows the worker, with a full timeout from the restart.
  Membership restarted(store_.get());
  ASSERT_OK(restarted.Recover(50'000));
  ASSERT_EQ(restarted.size(), 1u);
  EXPECT_EQ(restarted.List()[0].last_heartbeat_unix_ms(), 50'000);
  EXPECT_OK(restarted.Heartbeat(w1, 50'100));
}

// A reported wait is kept with its age brought up to now; what the network sends is bounded:
// a day at most, and no list of unreachable ranks longer than a generation can be.
TEST_F(MembershipTest, ACollectiveWaitIsKeptBoundedAndAgesUntilTheNextHeartbeat) {
  const std::string w1 = Join("10.0.0.1:5000");
  v1::CollectiveWait wait;
  wait.set_job_id("job-000001");
  wait.set_generation(2);
  wait.set_awaited_rank(1);
  wait.set_waited_ms(3000);
  wait.add_unreachable_ranks(1);
  wait.add_unreachable_ranks(2);
  ASSERT_OK(membership_->Heartbeat(w1, 2000, &wait).status());
  std::optional<v1::CollectiveWait> kept = membership_->CollectiveWaitOf(w1, 2500);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->waited_ms(), 3500u);
  EXPECT_THAT(kept->unreachable_ranks(), ElementsAre(1, 2));
  wait.set_waited_ms(uint64_t{1} << 60);
  for (int r = 0; r < 1025; ++r) wait.add_unreachable_ranks(r);
  ASSERT_OK(membership_->Heartbeat(w1, 3000, &wait).status());
  kept = membership_->CollectiveWaitOf(w1, 3000);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->waited_ms(), 86'400'000u);
  EXPECT_EQ(kept->unreachable_ranks_size(), 0);
  ASSERT_OK(membership_->Heartbeat(w1, 3500).status());
  EXPECT_FALSE(membership_->CollectiveWaitOf(w1, 3500).has_value()) << "no longer waiting";
}

TEST_F(MembershipTest, RefusesBadAddressesAndUnknownWorkers) {
  v1::JoinRequest no_address;
  EXPECT_THAT(membership_->Join(no_address, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host:port")));
  v1::JoinRequest long_address;
  long_address.set_address(std::string(257, 'a'));
  EXPECT_THAT(membership_->Join(long_address, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(membership_->Heartbeat("w-nobody", 0),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'w-nobody'; join again")));
  EXPECT_THAT(membership_->CheckActive("w-nobody"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(membership_->Leave("w-nobody"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(membership_->size(), 0u);
}

TEST_F(MembershipTest, FormsAGenerationWithRanksAddressesAndStreams) {
  const std::string w1 = Join("127.0.0.1:1001");
  const std::string w2 = Join("127.0.0.1:1002");
  v1::JobInfo job = Job(/*shards=*/5, /*max_workers=*/2);
  // Ranks follow the order given, not the ids.
  ASSERT_OK(membership_->FormGeneration(job, {w2, w1}));
  EXPECT_EQ(job.generation(), 1u);
  EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(job.message(), "generation 1: 2 workers fetching their shards");
  ASSERT_EQ(job.assignments_size(), 2);
  EXPECT_EQ(job.assignments(0).worker_id(), w2);
  EXPECT_EQ(job.assignments(0).address(), "127.0.0.1:1002");
  EXPECT_THAT(job.assignments(0).streams(), ElementsAre(0u));
  EXPECT_THAT(job.assignments(0).shards(), ElementsAre(0u, 2u, 4u));
  EXPECT_EQ(job.assignments(1).rank(), 1u);
  EXPECT_THAT(job.assignments(1).shards(), ElementsAre(1u, 3u));
  EXPECT_EQ(Find(w2)->state(), v1::WORKER_STATE_ASSIGNED);
  EXPECT_EQ(Find(w1)->rank(), 1u);
  EXPECT_OK(membership_->CheckAssigned(w1, job.id()));
  EXPECT_THAT(membership_->CheckAssigned(w1, "job-000002"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("not a member")));
  EXPECT_TRUE(membership_->HoldsJob(w2, job.id()));
  EXPECT_TRUE(membership_->Idle().idle.empty());
  EXPECT_EQ(membership_->Idle().registered, 2u);
  EXPECT_THAT(membership_->StillAssigned(job), ElementsAre(w2, w1));

  // One survivor takes both streams; more members than streams is refused.
  ASSERT_OK(membership_->FormGeneration(job, {w1}));
  EXPECT_EQ(job.generation(), 2u);
  EXPECT_THAT(job.assignments(0).streams(), ElementsAre(0u, 1u));
  EXPECT_THAT(job.assignments(0).shards(), ElementsAre(0u, 2u, 4u, 1u, 3u));
  const std::string w3 = Join("127.0.0.1:1003");
  EXPECT_THAT(membership_->FormGeneration(job, {w1, w2, w3}),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("3 workers for 2 data streams")));

  // Release returns the members still holding the job to idle, in id order.
  membership_->Release(job);
  EXPECT_EQ(Find(w1)->state(), v1::WORKER_STATE_IDLE);
  EXPECT_EQ(Find(w1)->job_id(), "");
  EXPECT_EQ(Find(w2)->state(), v1::WORKER_STATE_ASSIGNED) << "not a member of generation 2";
  std::vector<std::string> idle;
  for (const FreeWorker& w : membership_->Idle().idle) idle.push_back(w.id);
  EXPECT_THAT(idle, ElementsAre(w1, w3));
}

TEST_F(MembershipTest, SilentWorkersAreLostOneAtATimeAndLeavingNamesTheJob) {
  const std::string w1 = Join("127.0.0.1:1001", 1000);
  const std::string w2 = Join("127.0.0.1:1002", 1000);
  const std::string w3 = Join("127.0.0.1:1003", 1000);
  v1::JobInfo job = Job(4, 3);
  ASSERT_OK(membership_->FormGeneration(job, {w1, w2}));
  ASSERT_OK(membership_->Heartbeat(w1, 2000).status());

  std::vector<std::tuple<std::string, std::string, std::string>> lost;
  membership_->DeclareLost(
      2500, 1000,
      [&](const std::string& worker, const std::string& job_id, const std::string& why) {
        // The next silent worker is still as it was when this one is handled.
        if (worker == w2) {
          EXPECT_EQ(Find(w3)->state(), v1::WORKER_STATE_IDLE);
        }
        lost.emplace_back(worker, job_id, why);
      });
  // w3 held no job: lost without a callback.
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0], std::make_tuple(w2, job.id(), std::string("lost (no heartbeat for 1500 ms)")));
  EXPECT_EQ(Find(w2)->state(), v1::WORKER_STATE_LOST);
  EXPECT_EQ(Find(w3)->state(), v1::WORKER_STATE_LOST);
  EXPECT_THAT(membership_->Heartbeat(w2, 2600),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("declared lost or left")));
  EXPECT_THAT(membership_->StillAssigned(job), ElementsAre(w1));
  EXPECT_EQ(membership_->Idle().registered, 1u);

  ASSERT_OK_AND_ASSIGN(const std::string left_job, membership_->Leave(w1));
  EXPECT_EQ(left_job, job.id());
  EXPECT_EQ(Find(w1)->state(), v1::WORKER_STATE_LEFT);
  EXPECT_THAT(membership_->CheckActive(w1), StatusIs(absl::StatusCode::kNotFound));
}

// Heartbeat reads the liveness table, not the registry: every change of a worker shows there
// at once, and a heartbeat from another thread is safe while the registry changes.
TEST_F(MembershipTest, HeartbeatsSeeEachChangeOfAWorker) {
  const std::string w1 = Join("127.0.0.1:1001", 1000);
  const std::string w2 = Join("127.0.0.1:1002", 1000);
  v1::JobInfo job = Job(4, 2);
  ASSERT_OK(membership_->FormGeneration(job, {w1, w2}));
  ASSERT_OK_AND_ASSIGN(Membership::Liveness live, membership_->Heartbeat(w1, 1100));
  EXPECT_EQ(live.state, v1::WORKER_STATE_ASSIGNED);
  EXPECT_EQ(live.job_id, job.id());
  EXPECT_EQ(membership_->LastHeartbeatMs(w1), 1100);
  membership_->Release(job);
  ASSERT_OK_AND_ASSIGN(live, membership_->Heartbeat(w1, 1200));
  EXPECT_EQ(live.state, v1::WORKER_STATE_IDLE);
  EXPECT_EQ(live.job_id, "");
  membership_->DeclareLostNow(w1, "test");
  EXPECT_THAT(membership_->Heartbeat(w1, 1300), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK(membership_->Leave(w2).status());
  EXPECT_THAT(membership_->Heartbeat(w2, 1300), StatusIs(absl::StatusCode::kNotFound));

  const std::string w3 = Join("127.0.0.1:1003", 2000);
  std::thread beating([&] {
    for (int i = 0; i < 2000; ++i) (void)membership_->Heartbeat(w3, 2000 + i);
  });
  for (int i = 0; i < 50; ++i) {
    v1::JobInfo other = Job(4, 1);
    other.set_id("job-2");
    ASSERT_OK(membership_->FormGeneration(other, {w3}));
    membership_->Release(other);
  }
  beating.join();
  ASSERT_OK_AND_ASSIGN(live, membership_->Heartbeat(w3, 5000));
  EXPECT_EQ(live.state, v1::WORKER_STATE_IDLE);
}

}  // namespace
}  // namespace tandem
