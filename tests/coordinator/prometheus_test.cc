#include "coordinator/prometheus.h"

#include "absl/strings/str_format.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusTest, JobsWorkersAndProgress) {
  v1::JobInfo running;
  running.set_id("job-000001");
  running.set_state(v1::JOB_STATE_RUNNING);
  running.mutable_progress()->set_step(42);
  running.mutable_progress()->set_loss(3.5f);
  running.mutable_progress()->set_tokens_per_second(1200);
  (*running.mutable_progress()->mutable_worker_tokens_per_second())["w-1"] = 600;
  (*running.mutable_progress()->mutable_worker_wait_ms())["w-1"] = 250;
  running.mutable_progress()->set_straggler_ms(40);
  v1::JobInfo queued;
  queued.set_id("job-000002");
  queued.set_state(v1::JOB_STATE_QUEUED);
  v1::WorkerInfo w;
  w.set_id("w-1");
  w.set_state(v1::WORKER_STATE_ASSIGNED);
  const std::string text = PrometheusText({running, queued}, {w});
  EXPECT_THAT(text, HasSubstr("# TYPE tandem_jobs gauge\n"));
  EXPECT_THAT(text, HasSubstr("tandem_jobs{state=\"running\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tandem_jobs{state=\"queued\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tandem_jobs{state=\"failed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("tandem_job_step{job=\"job-000001\"} 42\n"));
  EXPECT_THAT(text, HasSubstr("tandem_job_loss{job=\"job-000001\"} 3.5\n"));
  EXPECT_THAT(text, HasSubstr("tandem_worker_tokens_per_second{job=\"job-000001\",worker=\"w-1\"} 600\n"));
  EXPECT_THAT(text, HasSubstr("tandem_worker_allreduce_wait_seconds{job=\"job-000001\",worker=\"w-1\"} 0.25\n"));
  EXPECT_THAT(text, HasSubstr("tandem_job_straggler_seconds{job=\"job-000001\"} 0.04\n"));
  EXPECT_THAT(text, HasSubstr("tandem_workers{state=\"assigned\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("job=\"job-000002\"")));
}

TEST(PrometheusTest, TranslationCounters) {
  const std::string text = TranslationPrometheusText(12, 5, 7);
  EXPECT_THAT(text, HasSubstr("# TYPE tandem_translate_requests_total counter\n"
                              "tandem_translate_requests_total 12\n"));
  EXPECT_THAT(text, HasSubstr("tandem_translate_batches_total 5\n"));
  EXPECT_THAT(text, HasSubstr("tandem_translate_joined_requests_total 7\n"));
}

TEST(PrometheusTest, EmptyCoordinatorStillExportsZeroes) {
  const std::string text = PrometheusText({}, {});
  EXPECT_THAT(text, HasSubstr("tandem_jobs{state=\"running\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("tandem_workers{state=\"idle\"} 0\n"));
}

// Counters, waiting times (only of jobs that wait and know since when), build information and
// the process's own CPU, memory and start time.
TEST(PrometheusTest, OperationsCountersWaitingBuildAndProcess) {
  JobCounters counters;
  counters.submitted = 7;
  counters.succeeded = 3;
  counters.failed = 2;
  counters.cancelled = 1;
  counters.generations = 9;
  v1::JobInfo waiting, old_waiting, running;
  waiting.set_id("job-000004");
  waiting.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  waiting.set_waiting_since_unix_ms(10'000);
  old_waiting.set_id("job-000003");
  old_waiting.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  running.set_id("job-000002");
  running.set_state(v1::JOB_STATE_RUNNING);
  running.set_waiting_since_unix_ms(1);
  const int64_t now_ms = 1'700'000'000'000;
  const std::string text =
      OperationsPrometheusText(counters, {waiting, old_waiting, running}, now_ms);
  EXPECT_THAT(text, HasSubstr("# TYPE tandem_jobs_submitted_total counter\n"
                              "tandem_jobs_submitted_total 7\n"));
  EXPECT_THAT(text, HasSubstr("tandem_jobs_ended_total{outcome=\"succeeded\"} 3\n"
                              "tandem_jobs_ended_total{outcome=\"failed\"} 2\n"
                              "tandem_jobs_ended_total{outcome=\"cancelled\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tandem_generations_formed_total 9\n"));
  EXPECT_THAT(text, HasSubstr(absl::StrFormat("tandem_job_waiting_seconds{job=\"job-000004\"} %.3f\n",
                                              (now_ms - 10'000) / 1000.0)));
  EXPECT_THAT(text, Not(HasSubstr("job-000003"))) << "no record of when it began waiting";
  EXPECT_THAT(text, Not(HasSubstr("job-000002"))) << "running";
  EXPECT_THAT(text, HasSubstr("tandem_build_info{version=\"" + TandemVersion() + "\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("process_start_time_seconds 1"));
  EXPECT_THAT(text, ::testing::ContainsRegex("process_resident_memory_bytes [1-9][0-9]{5,}\n"));
}

}  // namespace
}  // namespace tandem
