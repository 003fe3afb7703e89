// The Coordinator facade without gRPC: real SQLite, real SentencePiece, a fake clock. The
// roles have their own tests (membership_test, generation_test, scheduler_test,
// progress_tracker_test, model_store_test); these go through the facade as the services do.
#include "coordinator/coordinator.h"

#include <set>
#include <atomic>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/coordinator/coordinator_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;
using CoordinatorTest = testing::CoordinatorFixture;

TEST_F(CoordinatorTest, BadSubmissionsStoreNothing) {
  v1::JobSpec missing = Spec();
  missing.mutable_corpus()->set_train_target(dir_.Join("absent.es"));
  EXPECT_THAT(coordinator_->SubmitJob(missing),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("absent.es")));

  testing::WriteText(dir_.Join("short.es"), "uno\n");
  v1::JobSpec misaligned = Spec();
  misaligned.mutable_corpus()->set_train_target(dir_.Join("short.es"));
  EXPECT_THAT(coordinator_->SubmitJob(misaligned),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has 400 lines but")));

  v1::JobSpec bad_rate = Spec();
  bad_rate.mutable_training()->set_learning_rate(-0.5f);
  EXPECT_THAT(coordinator_->SubmitJob(bad_rate),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("training.learning_rate")));

  EXPECT_EQ(coordinator_->ListJobs()->jobs_size(), 0);
}

TEST_F(CoordinatorTest, PreparesAssignsAndReportsReady) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  const std::string w2 = JoinWorker("127.0.0.1:1002");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(2)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, coordinator_->GetJob(id));
  EXPECT_EQ(job.generation(), 1u);
  ASSERT_EQ(job.assignments_size(), 2);
  EXPECT_EQ(job.preparation().kept_pairs(), 400u);
  EXPECT_EQ(job.preparation().source_vocab(), 40u);
  // Every prepared line is in exactly one shard, and each shard file matches its checksum.
  uint64_t lines = 0;
  for (const auto& s : job.shards()) {
    lines += s.num_lines();
    ASSERT_OK_AND_ASSIGN(const std::string path,
                         coordinator_->ArtifactFile(w1, id, "shard/" + std::to_string(s.index())));
    EXPECT_THAT(Sha256OfFile(path), testing::IsOkAndHolds(s.sha256()));
  }
  EXPECT_EQ(lines, 400u);
  // The heartbeat carries the assignment.
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse beat, coordinator_->Heartbeat(w2));
  EXPECT_EQ(beat.assignment().job_id(), id);
  EXPECT_EQ(beat.assignment().world_size(), 2u);
  EXPECT_EQ(beat.assignment().artifacts().count("source.model"), 1u);
  // Ready reports: a stale generation is refused; both ranks make the job "all ready".
  v1::ReportReadyRequest ready;
  ready.set_worker_id(w1);
  ready.set_job_id(id);
  ready.set_generation(7);
  EXPECT_THAT(coordinator_->ReportReady(ready),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not 7")));
  ready.set_generation(1);
  ASSERT_OK(coordinator_->ReportReady(ready));
  ASSERT_OK(coordinator_->ReportReady(ready));  // repeated: no second event
  EXPECT_EQ(CountEvents(id, "worker_ready"), 1);
  EXPECT_EQ(CountEvents(id, "all_ready"), 0);
  ready.set_worker_id(w2);
  ASSERT_OK(coordinator_->ReportReady(ready));
  EXPECT_EQ(CountEvents(id, "all_ready"), 1);
}

// An epoch's account is written before the report is answered (the worker sends it until
// one is): a coordinator killed right after loses none. Read here from the SQLite file by a
// second store, with no Tick (no Flush) in between.
TEST_F(CoordinatorTest, AnEpochAccountIsStoredBeforeTheReportIsAnswered) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  v1::ProgressReport r;
  r.set_worker_id(w1);
  r.set_job_id(id);
  r.set_generation(1);
  r.set_step(12);
  v1::EpochAccount& a = *r.add_epoch_accounts();
  a.set_epoch(0);
  a.set_end_step(12);
  a.set_epoch_steps(12);
  a.set_pairs(400);
  a.set_trained(400);
  a.set_distinct(400);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK(coordinator_->ReportProgress(r));  // sent again: one event
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir_.Join("coord/state.db")));
  ASSERT_OK_AND_ASSIGN(const auto events, store->ListEvents(id, 0, 0));
  int accounts = 0;
  for (const auto& e : events) {
    if (e.kind() != "epoch_end") continue;
    ++accounts;
    EXPECT_EQ(e.message(),
              "epoch 0 (steps 1-12): 400 pairs, 400 trained once, 0 twice or more, 0 never "
              "(400 trainings): every pair exactly once");
  }
  EXPECT_EQ(accounts, 1);
  // A restarted coordinator remembers it: the worker, whose report was never answered in
  // its view, sends the account again, and no second event is made. A different account of
  // the same epoch (not expected, but possible) still is.
  Open();
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse beat, coordinator_->Heartbeat(w1));
  ASSERT_EQ(beat.assignment().job_id(), id);
  ASSERT_OK(coordinator_->ReportProgress(r));
  a.set_trained(401);
  a.set_repeated(1);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK_AND_ASSIGN(const auto after, coordinator_->ListEvents(id, 0, 0));
  std::vector<std::string> texts;
  for (const auto& e : after) {
    if (e.kind() == "epoch_end") texts.push_back(e.message());
  }
  ASSERT_EQ(texts.size(), 2u) << ::testing::PrintToString(texts);
  EXPECT_THAT(texts[1], HasSubstr("1 twice or more"));
}

// A summary listing keeps what `tandem list` shows, with a running job's live step, and drops
// the rest (spec beyond name and workers, shards, artifacts, per-worker progress).
TEST_F(CoordinatorTest, SummaryListingKeepsWhatAListingShows) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  v1::JobSpec spec = Spec(1);
  spec.set_name("summarised");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  v1::ProgressReport r;
  r.set_worker_id(w1);
  r.set_job_id(id);
  r.set_generation(1);
  r.set_step(3);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse whole, coordinator_->ListJobs());
  v1::ListJobsRequest summarised;
  summarised.set_summary(true);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse summary, coordinator_->ListJobs(summarised));
  ASSERT_EQ(whole.jobs_size(), 1);
  ASSERT_EQ(summary.jobs_size(), 1);
  const v1::JobInfo& full = whole.jobs(0);
  const v1::JobInfo& s = summary.jobs(0);
  EXPECT_EQ(s.id(), id);
  EXPECT_EQ(s.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(s.message(), full.message());
  EXPECT_EQ(s.created_unix_ms(), full.created_unix_ms());
  EXPECT_EQ(s.generation(), 1u);
  EXPECT_EQ(s.spec().name(), "summarised");
  EXPECT_EQ(s.spec().workers().min(), 1u);
  EXPECT_EQ(s.preparation().kept_pairs(), 400u);
  ASSERT_EQ(s.assignments_size(), 1);
  EXPECT_EQ(s.assignments(0).worker_id(), w1);
  EXPECT_EQ(s.progress().step(), 3u) << "the live step, before it is stored";
  EXPECT_EQ(s.shards_size(), 0);
  EXPECT_TRUE(s.artifacts().empty());
  EXPECT_FALSE(s.spec().has_corpus());
  EXPECT_TRUE(s.progress().worker_step().empty());
  EXPECT_LT(s.ByteSizeLong() * 4, full.ByteSizeLong());
}

// --- ListJobs: filters and pages -----------------------------------------------------------

class ListJobsTest : public testing::CoordinatorFixture {
 protected:
  // Submits `n` unnamed jobs, two per millisecond of the fake clock (so ties are ordered by
  // id), labelled team=nlp (the 1st, 3rd, ...) or team=mt; returns their ids newest first, as
  // a listing orders them.
  std::vector<std::string> Submit(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      if (i % 2 == 0) ++now_;
      v1::JobSpec spec = Spec();
      (*spec.mutable_labels())["team"] = i % 2 == 0 ? "nlp" : "mt";
      absl::StatusOr<std::string> id = coordinator_->SubmitJob(spec);
      EXPECT_OK(id);
      ids.insert(ids.begin(), id.ok() ? *id : "");
    }
    return ids;
  }

  // Follows next_page_token from `request` to the last page: the ids of each page, and
  // each page's total.
  void Pages(v1::ListJobsRequest request, std::vector<std::vector<std::string>>* pages,
             std::vector<uint64_t>* totals) {
    for (int i = 0; i < 100; ++i) {  // a bound, should the token never come back empty
      absl::StatusOr<v1::ListJobsResponse> page = coordinator_->ListJobs(request);
      ASSERT_OK(page);
      pages->emplace_back();
      for (const auto& job : page->jobs()) pages->back().push_back(job.id());
      totals->push_back(page->total());
      if (page->next_page_token().empty()) return;
      request.set_page_token(page->next_page_token());
    }
    FAIL() << "no last page";
  }

  static std::vector<std::string> Ids(const v1::ListJobsResponse& r) {
    std::vector<std::string> ids;
    for (const auto& job : r.jobs()) ids.push_back(job.id());
    return ids;
  }

  void CancelAndDelete(const std::string& id) {
    ASSERT_OK(coordinator_->CancelJob(id));
    ASSERT_OK(coordinator_->DeleteJob(id));
  }
};

TEST_F(ListJobsTest, PagesAreNewestFirstWithoutRepeatsOrGaps) {
  const std::vector<std::string> ids = Submit(7);
  v1::ListJobsRequest request;
  request.set_summary(true);
  request.set_limit(3);
  std::vector<std::vector<std::string>> pages;
  std::vector<uint64_t> totals;
  Pages(request, &pages, &totals);
  using ::testing::ElementsAre;
  EXPECT_THAT(pages, ElementsAre(ElementsAre(ids[0], ids[1], ids[2]),
                                 ElementsAre(ids[3], ids[4], ids[5]), ElementsAre(ids[6])));
  EXPECT_THAT(totals, ElementsAre(7u, 7u, 7u));
  // A page that ends at the last job says there is no more.
  request.set_limit(7);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse exact, coordinator_->ListJobs(request));
  EXPECT_EQ(exact.jobs_size(), 7);
  EXPECT_EQ(exact.next_page_token(), "");
  // Summaries or whole jobs: the same page.
  request.set_summary(false);
  request.set_limit(2);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse whole, coordinator_->ListJobs(request));
  EXPECT_THAT(Ids(whole), ElementsAre(ids[0], ids[1]));
  EXPECT_TRUE(whole.jobs(0).spec().has_corpus());
}

TEST_F(ListJobsTest, DeletionsBetweenPagesNeitherSkipNorRepeat) {
  const std::vector<std::string> ids = Submit(7);
  v1::ListJobsRequest request;
  request.set_limit(3);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse first, coordinator_->ListJobs(request));
  EXPECT_THAT(Ids(first), ::testing::ElementsAre(ids[0], ids[1], ids[2]));
  // The last job of the page (the token's), one before it and one the next page would show.
  CancelAndDelete(ids[2]);
  CancelAndDelete(ids[0]);
  CancelAndDelete(ids[4]);
  request.set_page_token(first.next_page_token());
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse second, coordinator_->ListJobs(request));
  EXPECT_THAT(Ids(second), ::testing::ElementsAre(ids[3], ids[5], ids[6]));
  EXPECT_EQ(second.total(), 4u);
  EXPECT_EQ(second.next_page_token(), "");
  // A job submitted meanwhile is newer than the token: a later page never shows it.
  ++now_;
  ASSERT_OK(coordinator_->SubmitJob(Spec()));
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse again, coordinator_->ListJobs(request));
  EXPECT_THAT(Ids(again), ::testing::ElementsAre(ids[3], ids[5], ids[6]));
  EXPECT_EQ(again.total(), 5u);
}

TEST_F(ListJobsTest, FiltersApplyBeforePagingAndTotalCountsMatches) {
  const std::vector<std::string> ids = Submit(7);  // ids[0], [2], [4], [6]: team=nlp
  ASSERT_OK(coordinator_->CancelJob(ids[2]));
  v1::ListJobsRequest request;
  request.set_limit(2);
  request.add_labels("team=nlp");
  std::vector<std::vector<std::string>> pages;
  std::vector<uint64_t> totals;
  Pages(request, &pages, &totals);
  using ::testing::ElementsAre;
  EXPECT_THAT(pages, ElementsAre(ElementsAre(ids[0], ids[2]), ElementsAre(ids[4], ids[6])));
  EXPECT_THAT(totals, ElementsAre(4u, 4u));

  request.set_state("active");
  pages.clear();
  totals.clear();
  Pages(request, &pages, &totals);
  EXPECT_THAT(pages, ElementsAre(ElementsAre(ids[0], ids[4]), ElementsAre(ids[6])));
  EXPECT_THAT(totals, ElementsAre(3u, 3u));

  request.set_state("cancelled");
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse cancelled, coordinator_->ListJobs(request));
  EXPECT_THAT(Ids(cancelled), ElementsAre(ids[2]));
  EXPECT_EQ(cancelled.next_page_token(), "");

  v1::ListJobsRequest labelled;
  labelled.add_labels("team=mt");
  labelled.add_labels("team");
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse mt, coordinator_->ListJobs(labelled));
  EXPECT_THAT(Ids(mt), ElementsAre(ids[1], ids[3], ids[5]));
  EXPECT_EQ(mt.total(), 3u);
  labelled.add_labels("exp");
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse none, coordinator_->ListJobs(labelled));
  EXPECT_EQ(none.jobs_size(), 0);
  EXPECT_EQ(none.total(), 0u);

  v1::JobSpec spec = Spec();
  spec.set_name("named");
  ASSERT_OK_AND_ASSIGN(const std::string named, coordinator_->SubmitJob(spec));
  v1::ListJobsRequest by_name;
  by_name.set_name("named");
  by_name.set_limit(1);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse found, coordinator_->ListJobs(by_name));
  EXPECT_THAT(Ids(found), ElementsAre(named));
  EXPECT_EQ(found.total(), 1u);
  EXPECT_EQ(found.next_page_token(), "");
}

TEST_F(ListJobsTest, LimitZeroIsEveryJobAndSmallCasesEnd) {
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse empty, coordinator_->ListJobs());
  EXPECT_EQ(empty.jobs_size(), 0);
  EXPECT_EQ(empty.total(), 0u);
  EXPECT_EQ(empty.next_page_token(), "");
  v1::ListJobsRequest one;
  one.set_limit(1);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse still_empty, coordinator_->ListJobs(one));
  EXPECT_EQ(still_empty.jobs_size(), 0);
  EXPECT_EQ(still_empty.next_page_token(), "");

  const std::vector<std::string> ids = Submit(7);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse all, coordinator_->ListJobs());
  EXPECT_EQ(Ids(all), ids);
  EXPECT_EQ(all.total(), 7u);
  EXPECT_EQ(all.next_page_token(), "");

  std::vector<std::vector<std::string>> pages;
  std::vector<uint64_t> totals;
  Pages(one, &pages, &totals);
  ASSERT_EQ(pages.size(), 7u);
  for (size_t i = 0; i < pages.size(); ++i) EXPECT_THAT(pages[i], ::testing::ElementsAre(ids[i]));

  v1::ListJobsRequest more_than_all;
  more_than_all.set_limit(1000);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse listed, coordinator_->ListJobs(more_than_all));
  EXPECT_EQ(Ids(listed), ids);
  EXPECT_EQ(listed.next_page_token(), "");
  // Past the oldest job: an empty last page.
  more_than_all.set_page_token(absl::StrCat(1, "/", "job-000000"));
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse past, coordinator_->ListJobs(more_than_all));
  EXPECT_EQ(past.jobs_size(), 0);
  EXPECT_EQ(past.total(), 7u);
}

TEST_F(ListJobsTest, BadRequestsAreRefusedNamingTheField) {
  Submit(2);
  auto refused = [&](const v1::ListJobsRequest& r, const std::string& message) {
    EXPECT_THAT(coordinator_->ListJobs(r),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)))
        << r.ShortDebugString();
  };
  for (const std::string token : {"garbage", "12/", "/job-000001", "x1/job-000001", "12"}) {
    v1::ListJobsRequest r;
    r.set_page_token(token);
    refused(r, "page_token: '" + token + "' is not a token");
  }
  v1::ListJobsRequest r;
  r.set_page_token(std::string(300, '1'));
  refused(r, "page_token: 300 bytes; at most 256");
  r = {};
  r.set_state("Running");
  refused(r, "state: 'Running' is not one of active, ended, queued");
  r.set_state(std::string(1000, 'x'));
  refused(r, "state: 1000 bytes; at most 256");
  r = {};
  r.set_name(std::string(257, 'n'));
  refused(r, "name: 257 bytes; at most 256");
  r = {};
  for (int i = 0; i < 33; ++i) r.add_labels("team");
  refused(r, "labels: 33 given; at most 32");
  r = {};
  r.add_labels("Team=x");
  refused(r, "labels: 'Team=x': 'Team' is not a label name");
  r = {};
  r.add_labels("team=" + std::string(300, 'v'));
  refused(r, "the value of 'team' is 300 bytes; at most 256");
}

TEST_F(CoordinatorTest, ArtifactsOnlyForMembersAndKnownNames) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  const std::string outsider = JoinWorker("127.0.0.1:1002");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, coordinator_->GetJob(id));
  const std::string member = job.assignments(0).worker_id();
  const std::string other = member == w1 ? outsider : w1;
  EXPECT_OK(coordinator_->ArtifactFile(member, id, "source.model"));
  EXPECT_THAT(coordinator_->ArtifactFile(other, id, "source.model"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("not a member of job")));
  EXPECT_THAT(coordinator_->ArtifactFile(member, id, "../../state.db"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(coordinator_->ArtifactFile("w-nobody", id, "source.model"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("w-nobody")));
}

TEST_F(CoordinatorTest, WaitsForMinimumWorkersAndSaysWhy) {
  JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(3)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_WAITING_FOR_WORKERS));
  coordinator_->Tick();
  EXPECT_THAT(coordinator_->GetJob(id)->message(),
              HasSubstr("needs at least 3, 1 free of 1 registered (the job asks for more workers "
                        "than exist)"));
  JoinWorker("127.0.0.1:1002");
  JoinWorker("127.0.0.1:1003");
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
}

TEST_F(CoordinatorTest, SilentWorkerIsLostAndTheGenerationReformed) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  const std::string w2 = JoinWorker("127.0.0.1:1002");
  v1::JobSpec spec = Spec(1);
  spec.mutable_workers()->set_max(2);
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_EQ(coordinator_->GetJob(id)->assignments_size(), 2);
  // Two data streams (workers.max), one per rank; stream s holds shards s, s + 2, ...
  const v1::JobInfo first = *coordinator_->GetJob(id);
  for (const auto& a : first.assignments()) {
    ASSERT_EQ(a.streams_size(), 1);
    EXPECT_EQ(a.streams(0), a.rank());
  }
  // Progress from both ranks: the slower one is the straggler, by the compute difference.
  for (const auto& [worker, rank, compute] :
       {std::tuple{w1, 0u, 100.0f}, std::tuple{w2, 1u, 150.0f}}) {
    v1::ProgressReport r;
    r.set_worker_id(worker);
    r.set_job_id(id);
    r.set_generation(1);
    r.set_rank(rank);
    r.set_step(1);
    r.set_loss(5);
    r.set_tokens_per_second(1000);
    r.set_compute_ms(compute);
    r.set_comm_wait_ms(200 - compute);
    ASSERT_OK(coordinator_->ReportProgress(r));
  }
  v1::JobProgress progress = coordinator_->GetJob(id)->progress();
  EXPECT_FLOAT_EQ(progress.straggler_ms(), 50.0f);
  EXPECT_EQ(progress.straggler_worker(), w2);
  EXPECT_FLOAT_EQ(progress.worker_wait_ms().at(w1), 100.0f);
  EXPECT_FLOAT_EQ(progress.tokens_per_second(), 2000.0f);
  // One short step of w2 moves its average, not the whole figure: 0.8 * 150 + 0.2 * 50.
  {
    v1::ProgressReport r;
    r.set_worker_id(w2);
    r.set_job_id(id);
    r.set_generation(1);
    r.set_rank(1);
    r.set_step(2);
    r.set_tokens_per_second(1000);
    r.set_compute_ms(50);
    ASSERT_OK(coordinator_->ReportProgress(r));
  }
  progress = coordinator_->GetJob(id)->progress();
  EXPECT_FLOAT_EQ(progress.worker_compute_ms().at(w2), 130.0f);
  EXPECT_FLOAT_EQ(progress.straggler_ms(), 30.0f);
  // w1 keeps beating, w2 goes silent past the timeout.
  now_ += 600;
  ASSERT_OK(coordinator_->Heartbeat(w1));
  now_ += 600;
  coordinator_->Tick();
  v1::JobInfo job = *coordinator_->GetJob(id);
  EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(job.generation(), 2u);
  ASSERT_EQ(job.assignments_size(), 1);
  EXPECT_EQ(job.assignments(0).worker_id(), w1);
  EXPECT_EQ(job.assignments(0).shards_size(), job.shards_size()) << "survivor takes every shard";
  // ... as both data streams, each with its own shards; the lost worker's figures are gone.
  EXPECT_THAT(job.assignments(0).streams(), ::testing::ElementsAre(0u, 1u));
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse survivor_beat, coordinator_->Heartbeat(w1));
  const auto& streams = survivor_beat.assignment().streams();
  ASSERT_EQ(streams.size(), 2);
  for (const auto& ds : streams) {
    ASSERT_GT(ds.shards_size(), 0);
    for (uint32_t shard : ds.shards()) EXPECT_EQ(shard % 2, ds.index()) << "stream s: s, s + 2, ...";
  }
  EXPECT_EQ(streams[0].shards_size() + streams[1].shards_size(), job.shards_size());
  EXPECT_EQ(job.progress().straggler_ms(), 0.0f);
  EXPECT_EQ(job.progress().worker_tokens_per_second().count(w2), 0u);
  EXPECT_FLOAT_EQ(job.progress().tokens_per_second(), 1000.0f) << "the survivor's only";
  // The lost worker's heartbeats are refused: it must join again.
  EXPECT_THAT(coordinator_->Heartbeat(w2),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("join again")));
  bool lost = false;
  for (const auto& w : coordinator_->ListWorkers()) {
    if (w.id() == w2) lost = w.state() == v1::WORKER_STATE_LOST;
  }
  EXPECT_TRUE(lost);
  // Losing the last member sends the job back to waiting.
  now_ += 2000;
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->state(), v1::JOB_STATE_WAITING_FOR_WORKERS);
}

// A broken all-reduce: the new generation holds only the members heard from since (a report
// or a heartbeat), formed as soon as all are heard from or after a short grace, not after the
// heartbeat timeout with a dead member still in it.
TEST_F(CoordinatorTest, ABrokenAllReduceReformsWithTheMembersHeardFromSince) {
  const ThreeWorkerJob job3 = StartThreeWorkerJob();
  const std::string &w1 = job3.w1, &w2 = job3.w2, &w3 = job3.w3, &id = job3.id;
  auto broken = [&](const std::string& worker, uint64_t generation) {
    return ReportBrokenAllReduce(id, worker, generation);
  };
  // All three alive: w1 and w3 report, w2 beats; the generation re-forms with all three at
  // once, before any grace ran out.
  now_ += 100;
  ASSERT_OK(broken(w1, 1));
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 1u) << "w2 and w3 not heard from yet";
  ASSERT_OK(broken(w3, 1));
  ASSERT_OK(coordinator_->Heartbeat(w2));
  coordinator_->Tick();
  v1::JobInfo job = *coordinator_->GetJob(id);
  EXPECT_EQ(job.generation(), 2u);
  EXPECT_EQ(job.assignments_size(), 3);

  // w2 dies: w1 reports at once, w3 beats; w2 stays silent. Within the grace (2 heartbeat
  // intervals + 250 ms = 650 ms) nothing changes; after it, a generation of w1 and w3, well
  // before w2's heartbeat timeout (1000 ms) would have noticed.
  now_ += 100;
  ASSERT_OK(broken(w1, 2));
  ASSERT_OK(coordinator_->Heartbeat(w3));
  now_ += 500;
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 2u);
  now_ += 200;
  ASSERT_OK(coordinator_->Heartbeat(w1));
  ASSERT_OK(coordinator_->Heartbeat(w3));
  coordinator_->Tick();
  job = *coordinator_->GetJob(id);
  EXPECT_EQ(job.generation(), 3u);
  ASSERT_EQ(job.assignments_size(), 2);
  EXPECT_EQ(job.assignments(0).worker_id(), w1);
  EXPECT_EQ(job.assignments(1).worker_id(), w3);
  // w2 was declared lost (800 ms after its last heartbeat); if it was alive after all, it is
  // told to join again.
  EXPECT_THAT(coordinator_->Heartbeat(w2),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("join again")));
  const auto events = coordinator_->ListEvents(id, 0, 0);
  ASSERT_OK(events);
  EXPECT_THAT(events->back().message(), HasSubstr(w2 + " silent since, lost"));
  // A late report from the old generation changes nothing.
  ASSERT_OK(broken(w3, 2));
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 3u);
}

// A member whose stream broke (the report names its rank: its process most likely ended) and
// that stays silent is left out after 150 ms, not after the 650 ms grace a heartbeat needs;
// one that is heard from within them stays.
TEST_F(CoordinatorTest, AMemberWhoseStreamBrokeAndStaysSilentIsLeftOutAtOnce) {
  const ThreeWorkerJob job3 = StartThreeWorkerJob();
  const std::string &w1 = job3.w1, &w2 = job3.w2, &w3 = job3.w3, &id = job3.id;
  auto broken = [&](const std::string& worker, uint64_t generation, const std::string& peer) {
    return ReportBrokenAllReduce(id, worker, generation, peer);
  };
  // w2's stream broke but it beats within the 150 ms: it stays (with w1 and w3 heard from).
  now_ += 100;
  ASSERT_OK(broken(w1, 1, w2));
  ASSERT_OK(broken(w3, 1, w2));
  now_ += 100;
  ASSERT_OK(coordinator_->Heartbeat(w2));
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 2u);
  EXPECT_EQ(coordinator_->GetJob(id)->assignments_size(), 3);

  // Now w2 dies: w1 and w3 both name it; 160 ms later it is out, far inside the grace a
  // silent member would otherwise get (2 heartbeats + 250 ms = 650 ms here).
  now_ += 100;
  ASSERT_OK(broken(w1, 2, w2));
  ASSERT_OK(broken(w3, 2, w2));
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 2u) << "within the 150 ms";
  now_ += 160;
  coordinator_->Tick();
  v1::JobInfo job = *coordinator_->GetJob(id);
  EXPECT_EQ(job.generation(), 3u);
  ASSERT_EQ(job.assignments_size(), 2);
  for (const auto& a : job.assignments()) EXPECT_NE(a.worker_id(), w2);
  const auto events = coordinator_->ListEvents(id, 0, 0);
  ASSERT_OK(events);
  EXPECT_THAT(events->back().message(), HasSubstr(w2 + " silent since its stream broke, lost"));

  // A silent member nobody named keeps the whole grace: w3 dies, w1 names no one.
  now_ += 100;
  ASSERT_OK(broken(w1, 3, ""));
  now_ += 160;
  ASSERT_OK(coordinator_->Heartbeat(w1));
  coordinator_->Tick();
  EXPECT_EQ(coordinator_->GetJob(id)->generation(), 3u) << "w3 unnamed: the 650 ms grace";
}

TEST_F(CoordinatorTest, CancelReleasesWorkersAndRefusesUnknownOrEnded) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo cancelled, coordinator_->CancelJob(id));
  EXPECT_EQ(cancelled.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_FALSE(coordinator_->Heartbeat(w1)->has_assignment());
  EXPECT_THAT(coordinator_->CancelJob(id),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("has already ended")));
  EXPECT_THAT(coordinator_->CancelJob("job-424242"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("job-424242")));
}

// A job that leaves out its model's size gets one chosen from the corpus when it is prepared
// (400 pairs: the smallest size, and a vocabulary the corpus can support); resubmitting the
// same job file finds it although its stored spec now holds the chosen sizing.
TEST_F(CoordinatorTest, SizingLeftOutIsChosenFromTheCorpusWhenPrepared) {
  v1::JobSpec spec = Spec(2);
  spec.set_name("sized");
  spec.mutable_tokenizer()->clear_vocab_size();
  spec.mutable_training()->set_learning_rate(0.002f);  // given: kept
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo queued, coordinator_->GetJob(id));
  EXPECT_THAT(queued.auto_sized(),
              ::testing::ElementsAre("tokenizer.vocab_size", "model.embedding_dim",
                                     "model.hidden_dim", "model.dropout", "training.batch_tokens"));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_WAITING_FOR_WORKERS));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, coordinator_->GetJob(id));
  EXPECT_EQ(job.spec().model().embedding_dim(), 128u);
  EXPECT_EQ(job.spec().model().hidden_dim(), 128u);
  EXPECT_FLOAT_EQ(job.spec().model().dropout(), 0.3f);
  EXPECT_EQ(job.spec().training().batch_tokens(), 2048u);
  EXPECT_FLOAT_EQ(job.spec().training().learning_rate(), 0.002f);
  EXPECT_EQ(job.spec().tokenizer().vocab_size(), 2000u);
  // 400 short pairs cannot support 2,000 pieces: the chosen vocabulary is an upper bound.
  EXPECT_GT(job.preparation().source_vocab(), 16u);
  EXPECT_LT(job.preparation().source_vocab(), 2000u);
  ASSERT_EQ(job.preparation().chosen_size(), 5);
  EXPECT_THAT(job.preparation().chosen(1),
              HasSubstr("model.embedding_dim 128: 400 training pairs (under 10000)"));
  EXPECT_EQ(CountEvents(id, "sized"), 1);
  bool existing = false;
  EXPECT_THAT(coordinator_->SubmitJob(spec, &existing), testing::IsOkAndHolds(id));
  EXPECT_TRUE(existing);
  // A job that gives its model's size keeps the fixed defaults for the rest.
  v1::JobSpec fixed = Spec(2);
  fixed.mutable_model()->set_hidden_dim(64);
  ASSERT_OK_AND_ASSIGN(const std::string fixed_id, coordinator_->SubmitJob(fixed));
  ASSERT_TRUE(TickUntil(fixed_id, v1::JOB_STATE_WAITING_FOR_WORKERS));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo kept, coordinator_->GetJob(fixed_id));
  EXPECT_TRUE(kept.auto_sized().empty());
  EXPECT_TRUE(kept.preparation().chosen().empty());
  EXPECT_EQ(kept.spec().model().embedding_dim(), tandem::kDefaultEmbeddingDim);
  EXPECT_EQ(kept.spec().model().hidden_dim(), 64u);
}

TEST_F(CoordinatorTest, VocabularyTooLargeFailsTheJobWithTheField) {
  v1::JobSpec spec = Spec();
  spec.mutable_tokenizer()->set_vocab_size(20000);
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_FAILED));
  EXPECT_THAT(coordinator_->GetJob(id)->message(),
              HasSubstr("tokenizer.vocab_size: 20000 is larger than this corpus allows"));
}

// DESIGN.md section 8: a worker acts only for itself (its session), with the rank the
// coordinator recorded, and only the current rank 0 stores checkpoints.
TEST_F(CoordinatorTest, SessionsIdentifyWorkers) {
  v1::JoinRequest r;
  r.set_address("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const v1::JoinResponse a, coordinator_->Join(r));
  ASSERT_OK_AND_ASSIGN(const v1::JoinResponse b, coordinator_->Join(r));
  EXPECT_EQ(a.session_token().size(), 64u);
  EXPECT_NE(a.session_token(), b.session_token());
  EXPECT_OK(coordinator_->AuthenticateWorker(a.worker_id(), a.session_token()));
  EXPECT_THAT(coordinator_->AuthenticateWorker(a.worker_id(), b.session_token()),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(a.worker_id())));
  EXPECT_THAT(coordinator_->AuthenticateWorker(a.worker_id(), ""),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(coordinator_->AuthenticateWorker("w-999999", a.session_token()),
              StatusIs(absl::StatusCode::kNotFound));
  // Clients never see the digest; a restarted coordinator still knows the session.
  for (const auto& w : coordinator_->ListWorkers()) EXPECT_EQ(w.session_sha256(), "");
  Open();
  EXPECT_OK(coordinator_->AuthenticateWorker(a.worker_id(), a.session_token()));
  EXPECT_THAT(coordinator_->AuthenticateWorker(b.worker_id(), a.session_token()),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(CoordinatorTest, CollectiveKeysDifferByGenerationAndSurviveARestart) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse beat, coordinator_->Heartbeat(w1));
  const std::string key = beat.assignment().collective_key();
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, coordinator_->CollectiveKey(id, 1));
  EXPECT_NE(key, coordinator_->CollectiveKey(id, 2));
  EXPECT_NE(key, coordinator_->CollectiveKey("other", 1));
  Open();
  EXPECT_EQ(coordinator_->CollectiveKey(id, 1), key);
  // Another coordinator (another data directory) derives other keys.
  CoordinatorOptions o;
  o.data_dir = dir_.Join("other-coord");
  ASSERT_OK_AND_ASSIGN(auto other, Coordinator::Create(o));
  EXPECT_NE(other->CollectiveKey(id, 1), key);
}

TEST_F(CoordinatorTest, RanksAreTheCoordinatorsRecordAndOnlyRankZeroUploads) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  const std::string w2 = JoinWorker("127.0.0.1:1002");
  const std::string outsider = JoinWorker("127.0.0.1:1003");
  v1::JobSpec spec = Spec(2);
  spec.mutable_workers()->set_max(2);
  spec.mutable_training()->set_max_steps(50);
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, coordinator_->GetJob(id));
  std::string rank0, rank1;
  for (const auto& a : job.assignments()) (a.rank() == 0 ? rank0 : rank1) = a.worker_id();
  ASSERT_FALSE(rank0.empty());
  ASSERT_FALSE(rank1.empty());
  EXPECT_NE(rank0, outsider);
  EXPECT_NE(rank1, outsider);

  // Rank 1 claims to be rank 0 and to have finished: the claim is ignored.
  v1::ProgressReport claim;
  claim.set_worker_id(rank1);
  claim.set_job_id(id);
  claim.set_generation(job.generation());
  claim.set_rank(0);
  claim.set_step(1);
  claim.set_finished(true);
  ASSERT_OK(coordinator_->ReportProgress(claim));
  ASSERT_OK_AND_ASSIGN(job, coordinator_->GetJob(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_OK(coordinator_->GetMetrics(id));
  EXPECT_THAT(*coordinator_->GetMetrics(id), ::testing::IsEmpty());  // no rank-0 curve point

  const uint64_t gen = job.generation();
  auto upload = [&](const std::string& w, uint64_t g, uint64_t step) {
    return coordinator_->StoreCheckpoint(w, id, g, step, false, "bytes");
  };
  EXPECT_THAT(upload(rank1, gen, 1), StatusIs(absl::StatusCode::kPermissionDenied,
                                             HasSubstr("only rank 0")));
  EXPECT_THAT(upload(outsider, gen, 1), StatusIs(absl::StatusCode::kPermissionDenied,
                                                HasSubstr("not a member")));
  EXPECT_THAT(upload(rank0, gen + 1, 1), StatusIs(absl::StatusCode::kPermissionDenied,
                                                 HasSubstr("generation")));
  EXPECT_THAT(upload(rank0, gen - 1, 1), StatusIs(absl::StatusCode::kPermissionDenied));
  // Rank 0 has reported no step: it may store step 1 (it uploads before it reports) but not 2.
  EXPECT_THAT(upload(rank0, gen, 2), StatusIs(absl::StatusCode::kPermissionDenied,
                                             HasSubstr("reached")));
  EXPECT_THAT(upload(rank0, gen, 0), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(coordinator_->CheckUploader(rank1, id, gen, 1),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(CountEvents(id, "checkpoint"), 0);
  ASSERT_OK_AND_ASSIGN(job, coordinator_->GetJob(id));
  EXPECT_EQ(job.artifacts().count("checkpoint"), 0u);  // nothing stored by the refusals

  EXPECT_OK(coordinator_->CheckUploader(rank0, id, gen, 1));
  EXPECT_OK(upload(rank0, gen, 1));
  v1::ProgressReport step;
  step.set_worker_id(rank0);
  step.set_job_id(id);
  step.set_generation(gen);
  step.set_rank(1);  // a wrong claim the other way: still rank 0's report
  step.set_step(10);
  ASSERT_OK(coordinator_->ReportProgress(step));
  EXPECT_OK(upload(rank0, gen, 11));
  EXPECT_THAT(upload(rank0, gen, 51), StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(const auto points, coordinator_->GetMetrics(id));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].step(), 10u);
}

TEST_F(CoordinatorTest, AWorkersErrorTextIsBoundedInTheJobsMessage) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  v1::ProgressReport r;
  r.set_worker_id(w1);
  r.set_job_id(id);
  r.set_generation(1);
  std::string error;
  for (int i = 0; i < 5000; ++i) error += "\xc3\xa9";  // "é": two bytes each
  r.set_error(error);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, coordinator_->GetJob(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_FAILED);
  EXPECT_LT(job.message().size(), kMaxErrorBytes + 100);
  EXPECT_THAT(job.message(), ::testing::EndsWith("\xc3\xa9..."));  // cut between characters
}

TEST_F(CoordinatorTest, EveryJobsEventsOrOneUsersOnly) {
  ASSERT_OK_AND_ASSIGN(const std::string alices, coordinator_->SubmitJob(Spec(1), nullptr, {}, "alice"));
  ASSERT_OK_AND_ASSIGN(const std::string bobs, coordinator_->SubmitJob(Spec(1), nullptr, {}, "bob"));
  ASSERT_OK_AND_ASSIGN(auto all, coordinator_->ListEvents("", 0, 0));
  ASSERT_OK_AND_ASSIGN(auto bobs_events, coordinator_->ListEvents("", 0, 0, "bob"));
  std::set<std::string> jobs, bob_jobs;
  for (const auto& e : all) jobs.insert(e.job_id());
  for (const auto& e : bobs_events) bob_jobs.insert(e.job_id());
  EXPECT_EQ(jobs, (std::set<std::string>{alices, bobs}));
  EXPECT_EQ(bob_jobs, std::set<std::string>{bobs});
  ASSERT_FALSE(bobs_events.empty());
  EXPECT_EQ(bobs_events[0].message(), "job submitted by bob");
  // The limit counts the user's events, not the ones skipped.
  ASSERT_OK_AND_ASSIGN(auto one, coordinator_->ListEvents("", 0, 1, "bob"));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].job_id(), bobs);
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, coordinator_->GetJob(bobs));
  EXPECT_EQ(job.owner(), "bob");
  EXPECT_THAT(coordinator_->JobOwner(bobs), testing::IsOkAndHolds(std::string("bob")));
  EXPECT_THAT(coordinator_->JobOwner("job-999999"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->JobOwner("../x"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// What a user sees of others: workers on another user's job show no job; jobs of no owner
// (submitted before users) are everyone's, in listings and events alike.
TEST_F(CoordinatorTest, AUsersViewHidesOtherUsersJobsAndShowsJobsOfNoOwner) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string alices,
                       coordinator_->SubmitJob(Spec(1), nullptr, {}, "alice"));
  ASSERT_TRUE(TickUntil(alices, v1::JOB_STATE_RUNNING));
  ASSERT_OK_AND_ASSIGN(const std::string nobodys, coordinator_->SubmitJob(Spec(1)));
  for (const auto& [viewer, shown] : std::vector<std::pair<std::string, std::string>>{
           {"", alices}, {"alice", alices}, {"bob", ""}}) {
    const std::vector<v1::WorkerInfo> workers = coordinator_->ListWorkers(viewer);
    ASSERT_EQ(workers.size(), 1u);
    EXPECT_EQ(workers[0].job_id(), shown) << viewer;
  }
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse bobs, coordinator_->ListJobs({}, "bob"));
  ASSERT_EQ(bobs.jobs_size(), 1);
  EXPECT_EQ(bobs.jobs(0).id(), nobodys);
  EXPECT_EQ(bobs.total(), 1u);
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse alices_view, coordinator_->ListJobs({}, "alice"));
  EXPECT_EQ(alices_view.jobs_size(), 2);
  ASSERT_OK_AND_ASSIGN(auto bob_events, coordinator_->ListEvents("", 0, 0, "bob"));
  ASSERT_FALSE(bob_events.empty());
  for (const auto& e : bob_events) EXPECT_EQ(e.job_id(), nobodys);
  // An explicit owner filter is exact: jobs of no owner are not alice's.
  v1::ListJobsRequest only_alice;
  only_alice.set_owner("alice");
  ASSERT_OK_AND_ASSIGN(const v1::ListJobsResponse filtered, coordinator_->ListJobs(only_alice));
  ASSERT_EQ(filtered.jobs_size(), 1);
  EXPECT_EQ(filtered.jobs(0).id(), alices);
}

TEST_F(CoordinatorTest, MalformedJobIdsAreRefusedBeforeUse) {
  for (const std::string id : {std::string("../coord"), std::string(""), std::string("a/b"),
                               std::string(".."), std::string(300, 'j')}) {
    EXPECT_THAT(coordinator_->GetJob(id), StatusIs(absl::StatusCode::kInvalidArgument)) << id;
    EXPECT_THAT(coordinator_->CancelJob(id), StatusIs(absl::StatusCode::kInvalidArgument));
    if (!id.empty()) {  // an empty id asks for every job's events (ListEventsRequest.job_id)
      EXPECT_THAT(coordinator_->ListEvents(id, 0, 0),
                  StatusIs(absl::StatusCode::kInvalidArgument));
    }
    EXPECT_THAT(coordinator_->GetMetrics(id), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(coordinator_->ModelFiles(id), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST_F(CoordinatorTest, AnEventKindLongerThanAnyIsRefused) {
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  EXPECT_THAT(coordinator_->ListEvents(id, 0, 0, "", {std::string(65, 'k')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event kind")));
  EXPECT_THAT(coordinator_->ListEvents("", 0, 0, "", {std::string(65, 'k')}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(const auto events,
                       coordinator_->ListEvents(id, 0, 0, "", {std::string(64, 'k')}));
  EXPECT_TRUE(events.empty());
}

TEST_F(CoordinatorTest, UnknownWorkerIdsAreRefused) {
  EXPECT_THAT(coordinator_->Heartbeat("w-999"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->Leave("w-999"), StatusIs(absl::StatusCode::kNotFound));
  v1::JoinRequest bad;
  EXPECT_THAT(coordinator_->Join(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(CoordinatorTest, RestartKeepsJobsEventsAndWorkers) {
  const std::string w1 = JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  const size_t events = coordinator_->ListEvents(id, 0, 0)->size();
  Open();  // a new Coordinator on the same data directory
  EXPECT_EQ(coordinator_->GetJob(id)->state(), v1::JOB_STATE_RUNNING);
  // Every event kept, and one more that says the coordinator restarted.
  ASSERT_OK_AND_ASSIGN(const auto after, coordinator_->ListEvents(id, 0, 0));
  ASSERT_EQ(after.size(), events + 1);
  EXPECT_EQ(after.back().kind(), "recovered");
  EXPECT_THAT(after.back().message(),
              HasSubstr("coordinator restarted; generation 1 goes on, its 1 worker(s) reconnecting"));
  // The worker reconnects with its old id and still has its assignment.
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse beat, coordinator_->Heartbeat(w1));
  EXPECT_EQ(beat.assignment().job_id(), id);
}

}  // namespace
}  // namespace tandem
