// A generation as plain functions of a JobInfo: streams, heartbeat assignments, ready reports.
#include "coordinator/generation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::StatusIs;

// A running job at generation 3: 5 shards, 2 streams, members w-a (rank 0, streams 0 and 1)
// ... or with `two_members`, w-a (stream 0) and w-b (stream 1).
v1::JobInfo RunningJob(bool two_members) {
  v1::JobInfo job;
  job.set_id("job-000007");
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_generation(3);
  job.mutable_spec()->mutable_workers()->set_max(2);
  for (uint32_t i = 0; i < 5; ++i) {
    v1::ShardInfo& s = *job.add_shards();
    s.set_index(i);
    s.set_sha256("sha" + std::to_string(i));
  }
  (*job.mutable_artifacts())["source.model"] = "sha-src";
  auto add = [&job](const std::string& id, uint32_t rank, std::vector<uint32_t> streams) {
    v1::Assignment& a = *job.add_assignments();
    a.set_worker_id(id);
    a.set_rank(rank);
    a.set_address("127.0.0.1:" + std::to_string(1000 + rank));
    for (uint32_t stream : streams) {
      a.add_streams(stream);
      for (uint32_t s : StreamShards(job, stream)) a.add_shards(s);
    }
  };
  if (two_members) {
    add("w-a", 0, {0});
    add("w-b", 1, {1});
  } else {
    add("w-a", 0, {0, 1});
  }
  return job;
}

TEST(GenerationTest, StreamsAreFixedByWorkersMax) {
  v1::JobInfo job = RunningJob(true);
  EXPECT_EQ(NumStreams(job), 2u);
  EXPECT_THAT(StreamShards(job, 0), ElementsAre(0u, 2u, 4u));
  EXPECT_THAT(StreamShards(job, 1), ElementsAre(1u, 3u));
  job.mutable_spec()->mutable_workers()->set_max(0);
  EXPECT_EQ(NumStreams(job), 1u) << "at least one stream";
}

TEST(GenerationTest, AssignmentCarriesTheMembersAndThisWorkersData) {
  const v1::JobInfo job = RunningJob(false);
  const v1::WorkAssignment a = AssignmentFor(job, "w-a");
  EXPECT_EQ(a.job_id(), "job-000007");
  EXPECT_EQ(a.generation(), 3u);
  EXPECT_EQ(a.world_size(), 1u);
  EXPECT_EQ(a.rank(), 0u);
  ASSERT_EQ(a.members_size(), 1);
  EXPECT_EQ(a.members(0).address(), "127.0.0.1:1000");
  ASSERT_EQ(a.shards_size(), 5);
  EXPECT_EQ(a.shards(1).sha256(), "sha2") << "stream 0's shards first";
  ASSERT_EQ(a.streams_size(), 2);
  EXPECT_EQ(a.streams(1).index(), 1u);
  EXPECT_THAT(a.streams(1).shards(), ElementsAre(1u, 3u));
  EXPECT_EQ(a.artifacts().at("source.model"), "sha-src");

  const v1::WorkAssignment b = AssignmentFor(RunningJob(true), "w-b");
  EXPECT_EQ(b.rank(), 1u);
  EXPECT_EQ(b.world_size(), 2u);
  EXPECT_EQ(b.shards_size(), 2);
}

TEST(GenerationTest, ReadyReportsOfTheCurrentGenerationOnly) {
  v1::JobInfo job = RunningJob(true);
  v1::ReportReadyRequest r;
  r.set_worker_id("w-a");
  r.set_generation(2);
  EXPECT_THAT(MarkReady(job, r), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("is at generation 3 (running), not 2")));
  r.set_generation(3);
  r.set_fetched_artifacts(2);
  r.set_cached_artifacts(4);
  ASSERT_OK_AND_ASSIGN(std::vector<EventDraft> events, MarkReady(job, r));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "worker_ready");
  EXPECT_EQ(events[0].message,
            "rank 0 (w-a) has its 3 shards and the tokenizer (2 fetched, 4 from its cache)");
  ASSERT_OK_AND_ASSIGN(events, MarkReady(job, r));
  EXPECT_TRUE(events.empty()) << "a repeated report";
  r.set_worker_id("w-c");
  EXPECT_THAT(MarkReady(job, r),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("w-c is not a member")));
  r.set_worker_id("w-b");
  ASSERT_OK_AND_ASSIGN(events, MarkReady(job, r));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, "all_ready");
  EXPECT_EQ(job.message(), "all 2 workers have their shards (generation 3)");
}

TEST(GenerationTest, AssignedEventNamesRanksShardsAndTheCheckpoint) {
  v1::JobInfo job = RunningJob(true);
  EXPECT_EQ(AssignedEvent(job, "workers available").message,
            "generation 3 (workers available): ranks w-a, w-b; 5 shards");
  (*job.mutable_artifacts())["checkpoint"] = "sha-ckpt";
  job.mutable_progress()->set_checkpoint_step(40);
  const EventDraft e = AssignedEvent(job, "all-reduce failed");
  EXPECT_EQ(e.kind, "assigned");
  EXPECT_THAT(e.message, HasSubstr("; 5 shards; newest checkpoint: step 40"));
}

}  // namespace
}  // namespace tandem
