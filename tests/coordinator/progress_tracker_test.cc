// ProgressTracker without the Coordinator: real SQLite for persistence, explicit times.
#include "coordinator/progress_tracker.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::IsEmpty;

class ProgressTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, JobStore::Open(dir_.Join("state.db")));
    tracker_ = std::make_unique<ProgressTracker>(store_.get(), dir_.path());
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_tsv("/x.tsv");
    ASSERT_OK_AND_ASSIGN(const std::string id, store_->CreateJob(spec, 0));
    ASSERT_OK_AND_ASSIGN(job_, store_->GetJob(id));
  }

  v1::ProgressReport Report(const std::string& worker, uint32_t rank, uint64_t step,
                            float compute_ms, uint64_t checksum = 7) {
    v1::ProgressReport r;
    r.set_worker_id(worker);
    r.set_job_id(job_.id());
    r.set_rank(rank);
    r.set_step(step);
    r.set_loss(4.5f);
    r.set_tokens_per_second(1000);
    r.set_compute_ms(compute_ms);
    r.set_comm_wait_ms(200 - compute_ms);
    r.set_param_checksum(checksum);
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<ProgressTracker> tracker_;
  v1::JobInfo job_;
};

TEST_F(ProgressTrackerTest, MergesRanksIntoTotalsAndTheStraggler) {
  v1::JobProgress& p = tracker_->For(job_);
  tracker_->Record(Report("w1", 0, 1, 100), p, 5000);
  tracker_->Record(Report("w2", 1, 1, 150), p, 5000);
  EXPECT_EQ(p.started_unix_ms(), 5000);
  EXPECT_FLOAT_EQ(p.tokens_per_second(), 2000);
  EXPECT_FLOAT_EQ(p.straggler_ms(), 50);
  EXPECT_EQ(p.straggler_worker(), "w2");
  EXPECT_FLOAT_EQ(p.worker_wait_ms().at("w1"), 100);
  EXPECT_EQ(p.step(), 1u) << "from rank 0";
  // Averaged step times: one short step moves w2 from 150 to 0.8 * 150 + 0.2 * 50.
  tracker_->Record(Report("w2", 1, 2, 50), p, 5100);
  EXPECT_FLOAT_EQ(p.worker_compute_ms().at("w2"), 130);
  EXPECT_FLOAT_EQ(p.straggler_ms(), 30);
  EXPECT_EQ(p.step(), 1u) << "rank 1 does not move the job's step";

  // The tracked progress is what readers see; a new generation drops w2's figures.
  v1::JobInfo job = job_;
  tracker_->MergeInto(job);
  EXPECT_FLOAT_EQ(job.progress().tokens_per_second(), 2000);
  job.add_assignments()->set_worker_id("w1");
  tracker_->KeepMembers(job);
  EXPECT_EQ(job.progress().worker_compute_ms().count("w2"), 0u);
  EXPECT_FLOAT_EQ(job.progress().tokens_per_second(), 1000);
  EXPECT_FLOAT_EQ(job.progress().straggler_ms(), 0);
  EXPECT_EQ(job.progress().straggler_worker(), "");
  EXPECT_EQ(tracker_->For(job_).worker_step().count("w2"), 0u);
}

// Three ranks computing alike; w3's segments arrive late (a slow link): the others wait for
// it, so it is the straggler by their waits, for the network, and one event says so.
TEST_F(ProgressTrackerTest, TheWorkerOthersWaitForIsTheStragglerAndWhy) {
  v1::JobProgress& p = tracker_->For(job_);
  auto count_events = [](const std::vector<EventDraft>& raised) {
    return std::count_if(raised.begin(), raised.end(),
                         [](const EventDraft& e) { return e.kind == "straggler"; });
  };
  std::vector<EventDraft> events;
  const std::vector<std::string> workers = {"w1", "w2", "w3"};
  for (uint64_t step = 1; step <= kStragglerSustainedSteps + 5; ++step) {
    for (uint32_t rank = 0; rank < 3; ++rank) {
      const std::string& me = workers[rank];
      // w1 and w2 wait 300 ms a step for w3 and 2 ms for each other; w3 waits 2 ms for each.
      std::map<std::string, float> awaited;
      for (const std::string& other : workers) {
        if (other != me) awaited[other] = other == "w3" ? 300 : 2;
      }
      const float compute = me == "w1" ? 110 : 100;  // w1 computes a little slower
      auto raised = tracker_->Record(Report(me, rank, step, compute), p, 5000, awaited);
      events.insert(events.end(), raised.begin(), raised.end());
      if (step == 1 && rank == 2) {
        // Waits average from 0: 60 ms after one report from each waiter; no event yet.
        EXPECT_FLOAT_EQ(p.worker_awaited_ms().at("w3"), 60);
        EXPECT_EQ(p.straggler_worker(), "w3");
        EXPECT_EQ(p.straggler_cause(), "network");
        EXPECT_EQ(count_events(events), 0);
      }
    }
    // Told once it has been the straggler for kStragglerSustainedSteps steps' reports (from
    // the second report of step 1, the first with two ranks).
    if (step < kStragglerSustainedSteps) EXPECT_EQ(count_events(events), 0) << step;
    if (step > kStragglerSustainedSteps) EXPECT_EQ(count_events(events), 1) << step;
  }
  EXPECT_EQ(p.straggler_worker(), "w3");
  EXPECT_EQ(p.straggler_cause(), "network") << "its compute is like the others'";
  EXPECT_NEAR(p.straggler_ms(), 300, 300 * 0.1);
  EXPECT_NEAR(p.worker_awaited_ms().at("w1"), 2, 0.5);
  ASSERT_EQ(count_events(events), 1) << "once per worker and generation";
  const auto e = std::find_if(events.begin(), events.end(),
                              [](const EventDraft& d) { return d.kind == "straggler"; });
  EXPECT_THAT(e->message, ::testing::HasSubstr("w3: the other ranks wait"));
  EXPECT_THAT(e->message, ::testing::HasSubstr("(network)"));

  // A new generation starts the waits again; without waits the straggler is by compute
  // time, with no cause.
  v1::JobInfo job = job_;
  tracker_->MergeInto(job);
  for (const std::string& w : workers) job.add_assignments()->set_worker_id(w);
  tracker_->KeepMembers(job);
  EXPECT_TRUE(job.progress().worker_awaited_ms().empty());
  EXPECT_EQ(job.progress().straggler_worker(), "w1");
  EXPECT_FLOAT_EQ(job.progress().straggler_ms(), 10);
  EXPECT_EQ(job.progress().straggler_cause(), "");
}

// A rank that computes more slowly makes the others wait too: that straggler is "compute".
TEST_F(ProgressTrackerTest, AStragglerThatComputesLongerIsCompute) {
  v1::JobProgress& p = tracker_->For(job_);
  std::vector<EventDraft> events;
  for (uint64_t step = 1; step <= 2 * kStragglerSustainedSteps; ++step) {
    for (auto [me, other, rank, compute] :
         {std::tuple{"w1", "w2", 0u, 100.0f}, std::tuple{"w2", "w1", 1u, 180.0f}}) {
      std::map<std::string, float> awaited = {{other, me == std::string("w1") ? 80.0f : 0.0f}};
      auto raised = tracker_->Record(Report(me, rank, step, compute), p, 5000, awaited);
      events.insert(events.end(), raised.begin(), raised.end());
    }
  }
  EXPECT_EQ(p.straggler_worker(), "w2");
  EXPECT_EQ(p.straggler_cause(), "compute");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "straggler");
  EXPECT_THAT(events[0].message, ::testing::HasSubstr("(compute)"));
}

// Two ranks on a loaded host take turns being descheduled: each is the straggler for a few
// steps, well above the thresholds, then the other. Neither is steadily slower: no event.
// Then w2 stays slow: once it has been for kStragglerSustainedSteps steps, one event.
TEST_F(ProgressTrackerTest, RanksTakingTurnsAreNoStragglerUntilOneStaysSlow) {
  v1::JobProgress& p = tracker_->For(job_);
  std::vector<EventDraft> events;
  std::set<std::string> named;
  uint64_t step = 0;
  auto run = [&](int steps, const std::function<bool(uint64_t)>& w2_slow) {
    for (int i = 0; i < steps; ++i) {
      ++step;
      const bool slow2 = w2_slow(step);
      for (auto [me, other, rank] : {std::tuple{"w1", "w2", 0u}, std::tuple{"w2", "w1", 1u}}) {
        const bool slow_other = std::string(other) == "w2" ? slow2 : !slow2;
        auto raised = tracker_->Record(Report(me, rank, step, 100), p, 5000,
                                       {{other, slow_other ? 300.0f : 0.0f}});
        events.insert(events.end(), raised.begin(), raised.end());
        if (p.straggler_ms() >= kStragglerEventMs) named.insert(p.straggler_worker());
      }
    }
  };
  // Turns of 8 steps each, for 100 steps.
  run(100, [](uint64_t s) { return (s / 8) % 2 == 1; });
  EXPECT_EQ(named, (std::set<std::string>{"w1", "w2"})) << "each is the straggler in turn";
  EXPECT_THAT(events, IsEmpty());
  // w2 slow from now on.
  run(kStragglerSustainedSteps + 10, [](uint64_t) { return true; });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "straggler");
  EXPECT_THAT(events[0].message, ::testing::HasSubstr("w2: the other ranks wait"));
}

// Waits too short to matter name a straggler but raise no event.
TEST_F(ProgressTrackerTest, ShortWaitsRaiseNoStragglerEvent) {
  v1::JobProgress& p = tracker_->For(job_);
  for (uint64_t step = 1; step <= 30; ++step) {
    EXPECT_THAT(tracker_->Record(Report("w1", 0, step, 100), p, 5000, {{"w2", 20}}), IsEmpty());
    EXPECT_THAT(tracker_->Record(Report("w2", 1, step, 100), p, 5000, {{"w1", 0}}), IsEmpty());
  }
  EXPECT_EQ(p.straggler_worker(), "w2");
  EXPECT_NEAR(p.straggler_ms(), 20, 1);
}

TEST_F(ProgressTrackerTest, EpochAccountsFromAnyRankAreOneEventPerEpoch) {
  v1::JobProgress& p = tracker_->For(job_);
  v1::EpochAccount a;
  a.set_epoch(1);
  a.set_first_step(10);
  a.set_end_step(25);
  a.set_epoch_steps(15);
  a.set_pairs(600);
  a.set_trained(600);
  a.set_distinct(600);
  v1::ProgressReport r1 = Report("w2", 1, 25, 100);
  *r1.add_epoch_accounts() = a;
  auto raised = tracker_->Record(r1, p, 0);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, "epoch_end");
  EXPECT_EQ(raised[0].message,
            "epoch 1 (steps 11-25): 600 pairs, 600 trained once, 0 twice or more, 0 never "
            "(600 trainings): every pair exactly once");
  // Rank 0 reports the same epoch, and w2 sends it again: no second event.
  v1::ProgressReport r0 = Report("w1", 0, 25, 100);
  *r0.add_epoch_accounts() = a;
  EXPECT_THAT(tracker_->Record(r0, p, 0), IsEmpty());
  EXPECT_THAT(tracker_->Record(r1, p, 0), IsEmpty());
  // An account of the same epoch that differs is told again (tests compare them).
  a.set_trained(610);
  a.set_repeated(10);
  a.set_distinct(600);
  *r0.mutable_epoch_accounts(0) = a;
  raised = tracker_->Record(r0, p, 0);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_THAT(raised[0].message, ::testing::HasSubstr("10 twice or more"));
}

TEST_F(ProgressTrackerTest, DivergingReplicasAreAnEvent) {
  v1::JobProgress& p = tracker_->For(job_);
  EXPECT_THAT(tracker_->Record(Report("w1", 0, 3, 100, 7), p, 0), IsEmpty());
  const std::vector<EventDraft> raised = tracker_->Record(Report("w2", 1, 3, 100, 8), p, 0);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, "divergence");
  EXPECT_EQ(raised[0].message, "step 3: parameter checksums of w1 and w2 differ");
  EXPECT_THAT(tracker_->Record(Report("w2", 1, 4, 100, 8), p, 0), IsEmpty())
      << "different steps are not compared";
}

// A disruption is followed by one "resumed" event at the first step of a generation that
// can resume it, timed from the first cause and from the last step before it.
TEST_F(ProgressTrackerTest, TheFirstStepAfterADisruptionSaysHowLongTrainingStoodStill) {
  v1::JobProgress& p = tracker_->For(job_);
  auto at = [&](uint64_t generation, uint64_t step) {
    v1::ProgressReport r = Report("w1", 0, step, 100);
    r.set_generation(generation);
    return r;
  };
  EXPECT_THAT(tracker_->Record(at(1, 10), p, 1000), IsEmpty()) << "nothing was disrupted";
  tracker_->Disrupted(job_.id(), "rank 1 reported a failed all-reduce", 2, 1500);
  tracker_->Disrupted(job_.id(), "worker w2 lost", 2, 2500);  // the first cause counts
  // A late report of the broken generation 1 is no resumption.
  EXPECT_THAT(tracker_->Record(at(1, 11), p, 1600), IsEmpty());
  std::vector<EventDraft> raised = tracker_->Record(at(2, 12), p, 3100);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, "resumed");
  EXPECT_EQ(raised[0].message,
            "step 12 in generation 2, 1.6 s after rank 1 reported a failed all-reduce; "
            "no step for 1.5 s");
  EXPECT_THAT(tracker_->Record(at(2, 13), p, 3200), IsEmpty()) << "once per disruption";

  // A later cause may only push the generation that resumes it further.
  tracker_->Disrupted(job_.id(), "the coordinator restarted", 2, 4000);
  tracker_->Disrupted(job_.id(), "worker w3 left", 3, 4100);
  EXPECT_THAT(tracker_->Record(at(2, 14), p, 4200), IsEmpty());
  raised = tracker_->Record(at(3, 15), p, 4500);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].message,
            "step 15 in generation 3, 0.5 s after the coordinator restarted; no step for 0.3 s");

  // Every replica lost: the job went back to its checkpoint, and the event says so.
  p.set_checkpoint_step(10);
  tracker_->Disrupted(job_.id(), "worker w1 lost", 4, 5000);
  raised = tracker_->Record(at(4, 11), p, 7000);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].message,
            "step 11 in generation 4, 2.0 s after worker w1 lost; no step for 2.5 s; back from "
            "step 15 to the checkpoint at step 10, 5 steps redone");

  // A restarted coordinator has seen no step before: only the time since the disruption.
  ProgressTracker fresh(store_.get(), dir_.path());
  v1::JobProgress& q = fresh.For(job_);
  fresh.Disrupted(job_.id(), "the coordinator restarted", 3, 10000);
  raised = fresh.Record(at(3, 16), q, 12000);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].message, "step 16 in generation 3, 2.0 s after the coordinator restarted");
  fresh.Disrupted(job_.id(), "worker w1 left", 4, 13000);
  fresh.Forget(job_.id());
  EXPECT_THAT(fresh.Record(at(4, 17), fresh.For(job_), 14000), IsEmpty()) << "forgotten";
}

// What the store holds of the job: its step and event kinds.
struct Stored {
  uint64_t step = 0;
  std::vector<std::string> kinds;
  size_t points = 0;
};

TEST_F(ProgressTrackerTest, ReportsWaitInMemoryAndFlushWritesOnceASecondOrAtEvents) {
  auto stored = [&] {
    Stored s;
    auto job = store_->GetJob(job_.id());
    EXPECT_OK(job.status());
    if (job.ok()) s.step = job->progress().step();
    auto events = store_->ListEvents(job_.id(), 0, 0);
    EXPECT_OK(events.status());
    if (events.ok()) {
      for (const auto& e : *events) s.kinds.push_back(e.kind());
    }
    auto points = store_->ListMetrics(job_.id());
    if (points.ok()) s.points = points->size();
    return s;
  };
  v1::JobProgress& p = tracker_->For(job_);
  const int64_t t = 1'000'000;
  tracker_->Record(Report("w1", 0, 1, 100), p, t);
  EXPECT_EQ(stored().step, 0u) << "a report alone writes nothing";
  EXPECT_TRUE(tracker_->Waiting(job_.id()));
  ASSERT_OK(tracker_->Flush(t));
  EXPECT_EQ(stored().step, 1u) << "never written yet: the first Flush writes it";
  EXPECT_EQ(stored().points, 1u);
  EXPECT_FALSE(tracker_->Waiting(job_.id()));

  tracker_->Record(Report("w1", 0, 2, 100), p, t + 500);
  tracker_->Record(Report("w2", 1, 2, 100), p, t + 600);
  EXPECT_EQ(tracker_->Pending(job_.id()).size(), 1u) << "curve points come from rank 0 only";
  ASSERT_OK(tracker_->Flush(t + 600));
  EXPECT_EQ(stored().step, 1u) << "written 600 ms ago: not due";
  EXPECT_TRUE(tracker_->Waiting(job_.id()));

  // An event makes the job due at once, with the progress and points waiting before it.
  v1::ProgressReport validation = Report("w1", 0, 3, 100);
  validation.set_has_validation(true);
  validation.set_valid_loss(1.5f);
  validation.set_valid_bleu(12.345f);
  const std::vector<EventDraft> raised = tracker_->Record(validation, p, t + 700);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].message, "step 3: validation loss 1.500, BLEU 12.35");
  EXPECT_FLOAT_EQ(p.best_valid_bleu(), 12.345f);
  EXPECT_EQ(p.valid_step(), 3u);
  ASSERT_OK(tracker_->Flush(t + 700));
  Stored after = stored();
  EXPECT_EQ(after.step, 3u);
  EXPECT_EQ(after.points, 3u);
  EXPECT_EQ(after.kinds.back(), "validation");
  EXPECT_THAT(tracker_->Pending(job_.id()), IsEmpty());
  EXPECT_EQ(ListFiles(dir_.path() + "/jobs/" + job_.id() + "/tensorboard", ".tandem").size(), 1u);

  // A second later every job with new progress is written.
  tracker_->Record(Report("w1", 0, 4, 100), p, t + 900);
  ASSERT_OK(tracker_->Flush(t + 950));
  EXPECT_EQ(stored().step, 3u);
  ASSERT_OK(tracker_->Flush(t + 1000));
  EXPECT_EQ(stored().step, 4u);
  EXPECT_EQ(stored().kinds, after.kinds) << "events are written once";
}

TEST_F(ProgressTrackerTest, OneFlushWritesEveryJobInOneTransaction) {
  std::vector<v1::JobInfo> jobs = {job_};
  for (int i = 0; i < 4; ++i) {
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_tsv("/x.tsv");
    ASSERT_OK_AND_ASSIGN(const std::string id, store_->CreateJob(spec, 0));
    ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store_->GetJob(id));
    jobs.push_back(job);
  }
  for (const v1::JobInfo& job : jobs) {
    v1::ProgressReport r = Report("w1", 0, 5, 100);
    r.set_job_id(job.id());
    tracker_->Record(r, tracker_->For(job), 2000);
  }
  // A job deleted meanwhile is skipped, not an error.
  v1::JobInfo gone = jobs.back();
  gone.set_state(v1::JOB_STATE_CANCELLED);
  ASSERT_OK(store_->UpdateJob(gone, {}, 2000));
  ASSERT_OK(store_->DeleteJob(gone.id()).status());
  ASSERT_OK(tracker_->Flush(2000));
  for (size_t i = 0; i + 1 < jobs.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(const v1::JobInfo stored, store_->GetJob(jobs[i].id()));
    EXPECT_EQ(stored.progress().step(), 5u) << jobs[i].id();
    EXPECT_EQ(stored.state(), jobs[i].state()) << "only progress is replaced";
    EXPECT_FALSE(tracker_->Waiting(jobs[i].id()));
  }
}

// A coordinator that runs for months keeps nothing in memory for jobs that ended: once all
// of an ended job is written, the tracker forgets it; a running job, or an ended one with
// progress not yet written, is kept.
TEST_F(ProgressTrackerTest, EndedJobsAreForgottenOnceWritten) {
  v1::JobSpec spec;
  spec.mutable_corpus()->set_train_tsv("/x.tsv");
  ASSERT_OK_AND_ASSIGN(const std::string other_id, store_->CreateJob(spec, 0));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo other, store_->GetJob(other_id));
  tracker_->Record(Report("w1", 0, 5, 100), tracker_->For(job_), 1000);
  v1::ProgressReport r = Report("w2", 0, 3, 100);
  r.set_job_id(other_id);
  tracker_->Record(r, tracker_->For(other), 1000);
  tracker_->Disrupted("restarted-job", "the coordinator restarted", 2, 1000);

  std::set<std::string> ended;
  auto is_ended = [&ended](const std::string& id) { return ended.count(id) > 0; };
  EXPECT_EQ(tracker_->ForgetEnded(is_ended), 0) << "every job runs";
  ended = {job_.id(), "restarted-job"};
  EXPECT_EQ(tracker_->ForgetEnded(is_ended), 1)
      << "the disrupted job goes; job_'s step 5 is not written yet";
  v1::JobInfo merged = job_;
  tracker_->MergeInto(merged);
  EXPECT_EQ(merged.progress().step(), 5u) << "kept until written";

  ASSERT_OK(tracker_->Flush(1000, /*everything=*/true));
  EXPECT_EQ(tracker_->ForgetEnded(is_ended), 1);
  EXPECT_EQ(tracker_->ForgetEnded(is_ended), 0) << "nothing of it is left";
  merged = job_;
  tracker_->MergeInto(merged);
  EXPECT_EQ(merged.progress().step(), 0u) << "readers get the store's progress now";
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo stored, store_->GetJob(job_.id()));
  EXPECT_EQ(stored.progress().step(), 5u) << "what it held is in the store";
  v1::JobInfo still = other;
  tracker_->MergeInto(still);
  EXPECT_EQ(still.progress().step(), 3u) << "the running job is kept";
}

TEST_F(ProgressTrackerTest, PersistWritesTheJobWithWhatWaitedForIt) {
  v1::JobProgress& p = tracker_->For(job_);
  v1::ProgressReport r = Report("w1", 0, 2, 100);
  r.set_has_validation(true);
  tracker_->Record(r, p, 100);
  v1::JobInfo job = job_;
  *job.mutable_progress() = p;
  job.set_state(v1::JOB_STATE_CANCELLED);
  ASSERT_OK(tracker_->Persist(job, {{"note", "x"}}, 200));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo stored, store_->GetJob(job_.id()));
  EXPECT_EQ(stored.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(stored.progress().step(), 2u);
  ASSERT_OK_AND_ASSIGN(const auto events, store_->ListEvents(job_.id(), 0, 0));
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e.kind());
  EXPECT_THAT(kinds, ::testing::ElementsAre("submitted", "validation", "note", "state"));
  ASSERT_OK_AND_ASSIGN(const auto points, store_->ListMetrics(job_.id()));
  EXPECT_EQ(points.size(), 1u);
  EXPECT_FALSE(tracker_->Waiting(job_.id()));
}

// Each point carries every rank's own tokens per second as rank 0's report found them (the
// dashboard's per-worker curves), and points read back from after a step.
TEST_F(ProgressTrackerTest, PointsCarryEachWorkersTokensPerSecondAndReadBackFromAStep) {
  v1::JobProgress& p = tracker_->For(job_);
  tracker_->Record(Report("w1", 0, 1, 100), p, 1000);  // w2 has not reported yet
  v1::ProgressReport w2 = Report("w2", 1, 1, 100);
  w2.set_tokens_per_second(600);
  tracker_->Record(w2, p, 1010);
  for (uint64_t step = 2; step <= 4; ++step) {
    tracker_->Record(Report("w1", 0, step, 100), p, 1000 + step);
  }
  ASSERT_OK(tracker_->Flush(5000, true));
  ASSERT_OK_AND_ASSIGN(const auto all, store_->ListMetrics(job_.id()));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].worker_tokens_per_second().size(), 1u);
  EXPECT_FLOAT_EQ(all[0].worker_tokens_per_second().at("w1"), 1000);
  EXPECT_FLOAT_EQ(all[1].worker_tokens_per_second().at("w2"), 600);
  EXPECT_FLOAT_EQ(all[1].tokens_per_second(), 1600);
  ASSERT_OK_AND_ASSIGN(const auto after, store_->ListMetrics(job_.id(), 2));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].step(), 3u);
  EXPECT_EQ(after[1].step(), 4u);
  ASSERT_OK_AND_ASSIGN(const auto none, store_->ListMetrics(job_.id(), 4));
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace tandem
