#include "coordinator/prometheus.h"

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

TEST(PrometheusTest, EmptyCoordinatorStillExportsZeroes) {
  const std::string text = PrometheusText({}, {});
  EXPECT_THAT(text, HasSubstr("tandem_jobs{state=\"running\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("tandem_workers{state=\"idle\"} 0\n"));
}

}  // namespace
}  // namespace tandem
