// Scheduling decisions as a plain function: no store, no threads.
#include "coordinator/scheduler.h"

#include "coordinator/stall_detector.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "model/model_spec.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::JobInfo Job(const std::string& id, v1::JobState state, uint32_t min = 1, uint32_t max = 1) {
  v1::JobInfo job;
  job.set_id(id);
  job.set_state(state);
  job.mutable_spec()->mutable_workers()->set_min(min);
  job.mutable_spec()->mutable_workers()->set_max(max);
  return job;
}

// Free workers whose memory is not known.
std::vector<FreeWorker> Free(const std::vector<std::string>& ids) {
  std::vector<FreeWorker> out;
  for (const auto& id : ids) out.push_back({id, 0});
  return out;
}

std::vector<std::string> Ids(const std::vector<v1::JobInfo>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id());
  return ids;
}

TEST(SchedulerTest, PreparesOldestFirstAndOnlyWhenNothingIsPreparing) {
  // Newest first, as the store lists them; job-1 was interrupted by a restart.
  const std::vector<v1::JobInfo> jobs = {Job("job-3", v1::JOB_STATE_QUEUED),
                                         Job("job-2", v1::JOB_STATE_SUCCEEDED),
                                         Job("job-1", v1::JOB_STATE_PREPARING)};
  EXPECT_THAT(Ids(PlanSchedule(jobs, {}, 0, false, 0).prepare), ElementsAre("job-1", "job-3"));
  EXPECT_THAT(PlanSchedule(jobs, {}, 0, true, 0).prepare, IsEmpty());
}

TEST(SchedulerTest, WaitingJobsTakeFreeWorkersFirstComeFirstServed) {
  const std::vector<v1::JobInfo> jobs = {Job("job-3", v1::JOB_STATE_WAITING_FOR_WORKERS, 1, 1),
                                         Job("job-2", v1::JOB_STATE_WAITING_FOR_WORKERS, 2, 3),
                                         Job("job-1", v1::JOB_STATE_RUNNING, 1, 4)};
  const SchedulePlan plan = PlanSchedule(jobs, Free({"w-1", "w-2", "w-3", "w-4"}), 6, false, 0);
  ASSERT_EQ(plan.start.size(), 2u);
  EXPECT_EQ(plan.start[0].job.id(), "job-2");
  EXPECT_THAT(plan.start[0].members, ElementsAre("w-1", "w-2", "w-3")) << "up to workers.max";
  EXPECT_EQ(plan.start[1].job.id(), "job-3");
  EXPECT_THAT(plan.start[1].members, ElementsAre("w-4"));
  EXPECT_THAT(plan.waiting, IsEmpty());
}

// A running job's members, in rank order.
v1::JobInfo Running(const std::string& id, uint32_t min, uint32_t max,
                    std::vector<std::string> members) {
  v1::JobInfo job = Job(id, v1::JOB_STATE_RUNNING, min, max);
  for (const std::string& m : members) job.add_assignments()->set_worker_id(m);
  return job;
}

TEST(SchedulerTest, RunningJobsBelowTheirMaximumGrowWithWhatWaitingJobsLeave) {
  const std::vector<v1::JobInfo> jobs = {Job("job-4", v1::JOB_STATE_WAITING_FOR_WORKERS, 1, 1),
                                         Running("job-3", 1, 4, {"w-7"}),
                                         Running("job-2", 1, 2, {"w-5", "w-6"}),
                                         Running("job-1", 1, 3, {"w-9", "w-8"})};
  SchedulePlan plan = PlanSchedule(jobs, Free({"w-1", "w-2", "w-3"}), 9, false, 0);
  // The waiting job first; then the oldest running job below its maximum (job-1, 2 of 3),
  // then job-3; job-2 is at its maximum.
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_THAT(plan.start[0].members, ElementsAre("w-1"));
  ASSERT_EQ(plan.grow.size(), 2u);
  EXPECT_EQ(plan.grow[0].job.id(), "job-1");
  EXPECT_THAT(plan.grow[0].members, ElementsAre("w-9", "w-8", "w-2")) << "members keep ranks";
  EXPECT_EQ(plan.grow[1].job.id(), "job-3");
  EXPECT_THAT(plan.grow[1].members, ElementsAre("w-7", "w-3"));
  // Nothing free, or everyone at the maximum: no growth.
  EXPECT_THAT(PlanSchedule(jobs, {}, 9, false, 0).grow, IsEmpty());
  EXPECT_THAT(PlanSchedule({Running("job-2", 1, 2, {"w-5", "w-6"})}, Free({"w-1"}), 3, false, 0).grow,
              IsEmpty());
}

// A worker sitting a job out after a stall (StallDetector) is not given to that job, waiting
// or running, but other jobs may take it.
TEST(SchedulerTest, AWorkerSittingAJobOutIsNotGivenToThatJob) {
  const SitOuts out = {{"job-1", {"w-2"}}};
  SchedulePlan plan = PlanSchedule({Running("job-1", 1, 3, {"w-1"})}, Free({"w-2", "w-3"}), 3,
                                   false, 0, out);
  ASSERT_EQ(plan.grow.size(), 1u);
  EXPECT_THAT(plan.grow[0].members, ElementsAre("w-1", "w-3"));
  // Waiting: w-2 does not count towards the minimum, and the message says why.
  plan = PlanSchedule({Job("job-1", v1::JOB_STATE_WAITING_FOR_WORKERS, 2, 2)}, Free({"w-2", "w-3"}),
                      3, false, 0, out);
  EXPECT_THAT(plan.start, IsEmpty());
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].message(),
            "waiting for workers: needs at least 2, 1 free of 3 registered; 1 free worker(s) sit "
            "this job out after a stall (cut off from their peers)");
  // Another job takes it.
  plan = PlanSchedule({Job("job-2", v1::JOB_STATE_WAITING_FOR_WORKERS, 2, 2)}, Free({"w-2", "w-3"}),
                      3, false, 0, out);
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_THAT(plan.start[0].members, ElementsAre("w-2", "w-3"));
}

TEST(SchedulerTest, AJobThatStillWaitsSaysWhyOnceTheReasonChanges) {
  v1::JobInfo job = Job("job-1", v1::JOB_STATE_WAITING_FOR_WORKERS, 3, 3);
  SchedulePlan plan = PlanSchedule({job}, Free({"w-1"}), 2, false, 0);
  EXPECT_THAT(plan.start, IsEmpty());
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].message(),
            "waiting for workers: needs at least 3, 1 free of 2 registered (the job asks for "
            "more workers than exist)");
  job.set_message(plan.waiting[0].message());
  EXPECT_THAT(PlanSchedule({job}, Free({"w-1"}), 2, false, 0).waiting, IsEmpty()) << "unchanged";
  plan = PlanSchedule({job}, Free({"w-1"}), 3, false, 0);
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_EQ(plan.waiting[0].message(),
            "waiting for workers: needs at least 3, 1 free of 3 registered");
}

// A job whose model needs more memory than a free worker has never gets that worker, waiting
// or running; a waiting job's message names the worker, its memory and the floor. Workers
// whose memory is not known, or is enough, are taken as before.
TEST(SchedulerTest, AWorkerWithTooLittleMemoryIsNotGivenTheJob) {
  v1::JobInfo job = Job("job-1", v1::JOB_STATE_WAITING_FOR_WORKERS, 1, 2);
  v1::ModelSpec& model = *job.mutable_spec()->mutable_model();
  model.set_cell("gru");
  model.set_attention("bahdanau");
  model.set_embedding_dim(512);
  model.set_hidden_dim(512);
  model.set_encoder_layers(1);
  model.set_decoder_layers(1);
  job.mutable_spec()->mutable_tokenizer()->set_vocab_size(32000);
  const uint64_t floor = model::TrainingMemoryFloorBytes(job.spec());
  ASSERT_GT(floor, model::kTrainingRuntimeBytes + (uint64_t{200} << 20)) << "a 512-wide model";
  const uint64_t small = uint64_t{256} << 20, big = uint64_t{8} << 30;

  SchedulePlan plan = PlanSchedule({job}, {{"w-small", small}}, 1, false, 0);
  EXPECT_THAT(plan.start, IsEmpty());
  ASSERT_EQ(plan.waiting.size(), 1u);
  EXPECT_THAT(plan.waiting[0].message(),
              ::testing::AllOf(::testing::HasSubstr("0 free of 1 registered"),
                               ::testing::HasSubstr("w-small: 256 MiB"),
                               ::testing::HasSubstr(absl::StrCat((floor >> 20), " MiB"))));

  // The small worker is passed over; the others take ranks in order.
  plan = PlanSchedule({job}, {{"w-small", small}, {"w-big", big}, {"w-unknown", 0}}, 3, false, 0);
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_THAT(plan.start[0].members, ElementsAre("w-big", "w-unknown"));

  // Growth passes it over too.
  v1::JobInfo running = job;
  running.set_state(v1::JOB_STATE_RUNNING);
  running.add_assignments()->set_worker_id("w-1");
  EXPECT_THAT(PlanSchedule({running}, {{"w-small", small}}, 2, false, 0).grow, IsEmpty());
  plan = PlanSchedule({running}, {{"w-small", small}, {"w-big", big}}, 3, false, 0);
  ASSERT_EQ(plan.grow.size(), 1u);
  EXPECT_THAT(plan.grow[0].members, ElementsAre("w-1", "w-big"));

  // Exactly the floor is enough.
  plan = PlanSchedule({job}, {{"w-exact", floor}}, 1, false, 0);
  ASSERT_EQ(plan.start.size(), 1u);
}

// A waiting job with workers.wait_timeout fails once it has waited that long since it began
// waiting, with the reason why it waited; without one it waits for ever; in time it starts.
TEST(SchedulerTest, AJobThatWaitsPastItsWaitTimeoutFails) {
  v1::JobInfo job = Job("job-1", v1::JOB_STATE_WAITING_FOR_WORKERS, 2, 2);
  job.mutable_spec()->mutable_workers()->set_wait_timeout("90s");
  job.set_waiting_since_unix_ms(1'000'000);

  SchedulePlan plan = PlanSchedule({job}, Free({"w-1"}), 1, false, 1'000'000 + 89'999);
  EXPECT_THAT(plan.timed_out, IsEmpty()) << "1 ms early";
  ASSERT_EQ(plan.waiting.size(), 1u);

  plan = PlanSchedule({job}, Free({"w-1"}), 1, false, 1'000'000 + 90'000);
  ASSERT_EQ(plan.timed_out.size(), 1u);
  EXPECT_THAT(plan.waiting, IsEmpty());
  EXPECT_EQ(plan.timed_out[0].state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(plan.timed_out[0].message(),
            "no workers within workers.wait_timeout 90s: waiting for workers: needs at least 2, "
            "1 free of 1 registered (the job asks for more workers than exist)");

  // Enough workers at the deadline: it starts instead.
  plan = PlanSchedule({job}, Free({"w-1", "w-2"}), 2, false, 1'000'000 + 90'000);
  EXPECT_THAT(plan.timed_out, IsEmpty());
  ASSERT_EQ(plan.start.size(), 1u);

  // No timeout, or no record of when it began waiting (a job from before this field): waits.
  job.mutable_spec()->mutable_workers()->clear_wait_timeout();
  EXPECT_THAT(PlanSchedule({job}, Free({"w-1"}), 1, false, 1'000'000'000).timed_out, IsEmpty());
  job.mutable_spec()->mutable_workers()->set_wait_timeout("1s");
  job.set_waiting_since_unix_ms(0);
  EXPECT_THAT(PlanSchedule({job}, Free({"w-1"}), 1, false, 1'000'000'000).timed_out, IsEmpty());
}

}  // namespace
}  // namespace tandem
