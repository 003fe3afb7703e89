// The Coordinator facade's test fixture (coordinator_test, lifecycle_test): a coordinator
// on a temporary data directory with the toy corpus under its corpus root, a fake clock, and
// helpers to submit, join and tick.
#ifndef TANDEM_TESTS_COORDINATOR_COORDINATOR_FIXTURE_H_
#define TANDEM_TESTS_COORDINATOR_COORDINATOR_FIXTURE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "coordinator/coordinator.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem::testing {

class CoordinatorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteToyCorpus(dir_.path(), 400);
    Open();
  }

  // (Re)opens the coordinator on the data directory; `adjust` may change the options.
  void Open(const std::function<void(CoordinatorOptions&)>& adjust = nullptr) {
    coordinator_.reset();
    CoordinatorOptions o;
    o.data_dir = dir_.Join("coord");
    o.corpus_roots = {dir_.path()};  // the toy corpus is named by path
    o.worker_timeout = std::chrono::milliseconds(1000);
    o.heartbeat_interval = std::chrono::milliseconds(200);  // failure grace: 650 ms
    o.now_ms = [this] { return now_.load(); };
    if (adjust) adjust(o);
    ASSERT_OK_AND_ASSIGN(coordinator_, Coordinator::Create(o));
  }

  v1::JobSpec Spec(uint32_t min_workers = 1) {
    v1::JobSpec s;
    s.mutable_corpus()->set_train_source(dir_.Join("train.en"));
    s.mutable_corpus()->set_train_target(dir_.Join("train.es"));
    s.mutable_tokenizer()->set_vocab_size(40);
    s.mutable_workers()->set_min(min_workers);
    return s;
  }

  std::string JoinWorker(const std::string& addr) {
    v1::JoinRequest r;
    r.set_address(addr);
    auto j = coordinator_->Join(r);
    EXPECT_OK(j);
    return j.ok() ? j->worker_id() : "";
  }

  // Three workers joined, running one job of workers.max 3 (`id`), generation 1.
  struct ThreeWorkerJob {
    std::string w1, w2, w3, id;
  };
  ThreeWorkerJob StartThreeWorkerJob() {
    ThreeWorkerJob t{JoinWorker("127.0.0.1:1001"), JoinWorker("127.0.0.1:1002"),
                     JoinWorker("127.0.0.1:1003"), ""};
    v1::JobSpec spec = Spec(1);
    spec.mutable_workers()->set_max(3);
    auto id = coordinator_->SubmitJob(spec);
    EXPECT_OK(id);
    t.id = id.ok() ? *id : "";
    EXPECT_TRUE(TickUntil(t.id, v1::JOB_STATE_RUNNING));
    EXPECT_EQ(coordinator_->GetJob(t.id)->assignments_size(), 3);
    return t;
  }

  // `worker` reports a failed all-reduce in `generation` of job `id`; with `broken_peer` (a
  // worker id), naming that member's rank as the peer whose stream broke.
  absl::Status ReportBrokenAllReduce(const std::string& id, const std::string& worker,
                                     uint64_t generation, const std::string& broken_peer = "") {
    v1::ProgressReport r;
    r.set_worker_id(worker);
    r.set_job_id(id);
    r.set_generation(generation);
    r.set_error("all-reduce failed: peer closed the stream");
    r.set_collective_failure(true);
    const v1::JobInfo job = *coordinator_->GetJob(id);
    for (const auto& a : job.assignments()) {
      if (a.worker_id() == broken_peer) r.set_broken_peer_rank(static_cast<int32_t>(a.rank()));
    }
    return coordinator_->ReportProgress(r).status();
  }

  // Ticks until the job reaches `state` (preparation runs on its own thread).
  bool TickUntil(const std::string& id, v1::JobState state) {
    return WaitFor(
        [&] {
          coordinator_->Tick();
          return coordinator_->GetJob(id)->state() == state;
        },
        std::chrono::seconds(60));
  }

  int CountEvents(const std::string& id, const std::string& kind) {
    int n = 0;
    const auto events = coordinator_->ListEvents(id, 0, 0);
    for (const auto& e : *events) n += e.kind() == kind;
    return n;
  }

  TempDir dir_;
  std::atomic<int64_t> now_{1'000'000};
  std::unique_ptr<Coordinator> coordinator_;
};

}  // namespace tandem::testing

#endif  // TANDEM_TESTS_COORDINATOR_COORDINATOR_FIXTURE_H_
