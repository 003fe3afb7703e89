// StallDetector over reported waits: when a generation counts as stalled, who is left out,
// and how long a worker sits a job out.
#include "coordinator/stall_detector.h"

#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

v1::JobInfo Running(int members, uint64_t generation = 3) {
  v1::JobInfo job;
  job.set_id("job-000001");
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_generation(generation);
  for (int r = 0; r < members; ++r) {
    v1::Assignment& a = *job.add_assignments();
    a.set_worker_id("w-00000" + std::to_string(r + 1));
    a.set_rank(static_cast<uint32_t>(r));
  }
  return job;
}

std::optional<v1::CollectiveWait> Waits(int awaited, uint64_t waited_ms,
                                        uint64_t generation = 3,
                                        const std::string& job = "job-000001") {
  v1::CollectiveWait w;
  w.set_job_id(job);
  w.set_generation(generation);
  w.set_awaited_rank(awaited);
  w.set_waited_ms(waited_ms);
  return w;
}

TEST(StallDetectorTest, AllMembersWaitingPastTheTimeoutIsAStallAndTheMostAwaitedSitsOut) {
  StallDetector d(10'000);
  const v1::JobInfo job = Running(3);
  // Ranks 0 and 1 wait for rank 2, which waits for rank 0: rank 2 is cut off.
  auto stall = d.Check(job, {Waits(2, 12'000), Waits(2, 10'500), Waits(0, 11'000)}, 1'000);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000003");
  EXPECT_EQ(stall->sit_out_ms, 30'000);
  EXPECT_THAT(stall->why,
              AllOf(HasSubstr("generation 3 stalled: no progress for 10.5 s"),
                    HasSubstr("rank 0 (w-000001) for rank 2"), HasSubstr("rank 2 (w-000003) for rank 0"),
                    HasSubstr("w-000003 (rank 2, awaited by 2) is cut off from its peers and sits "
                              "this job out for 30 s")));
  EXPECT_THAT(d.SittingOut(1'000), ElementsAre(Pair("job-000001", ElementsAre("w-000003"))));
  EXPECT_THAT(d.SittingOut(31'000), IsEmpty()) << "the sit-out ends";
  // Again: twice as long, up to the maximum.
  for (int64_t want : {60'000, 120'000, 240'000, 480'000, 600'000, 600'000}) {
    stall = d.Check(job, {Waits(2, 12'000), Waits(2, 10'500), Waits(0, 11'000)}, 0);
    ASSERT_TRUE(stall.has_value());
    EXPECT_EQ(stall->sit_out_ms, want);
  }
  // An hour after its last sit-out ended, a worker's repeat count is forgotten.
  EXPECT_THAT(d.SittingOut(StallDetector::kForgetAfterMs + 600'001), IsEmpty());
  stall = d.Check(job, {Waits(2, 12'000), Waits(2, 10'500), Waits(0, 11'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->sit_out_ms, 30'000) << "forgotten after an hour";
  d.Forget("job-000001");
  stall = d.Check(job, {Waits(2, 12'000), Waits(2, 10'500), Waits(0, 11'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->sit_out_ms, 30'000) << "a forgotten job starts over";
}

// `wait` reporting the ranks its pings did not reach.
std::optional<v1::CollectiveWait> Unreached(std::optional<v1::CollectiveWait> wait,
                                            std::vector<int> ranks) {
  for (int r : ranks) wait->add_unreachable_ranks(r);
  return wait;
}

TEST(StallDetectorTest, WhoMostPeersCannotReachSitsOutWhateverTheWaitsSay) {
  StallDetector d(10'000);
  const v1::JobInfo job = Running(4);
  // The waits point at rank 3 (awaited by two), but ranks 0, 2 and 3 cannot reach rank 1,
  // which reaches nobody: rank 1 is the one cut off.
  auto stall = d.Check(job,
                       {Unreached(Waits(3, 12'000), {1}), Unreached(Waits(0, 12'000), {0, 2, 3}),
                        Unreached(Waits(3, 12'000), {1}), Unreached(Waits(2, 12'000), {1, 1})},
                       0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000002");
  EXPECT_THAT(stall->why, HasSubstr("w-000002 (rank 1, unreachable from 3 of 3 peers) is cut off "
                                    "from its peers"));
  // A rank named twice by one member counts once; ranks out of range and oneself not at all.
  stall = d.Check(job,
                  {Unreached(Waits(3, 12'000), {0, 9, -1}), Unreached(Waits(0, 12'000), {2, 2, 2}),
                   Waits(3, 12'000), Waits(2, 12'000)},
                  0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000003") << "rank 2: one vote; ranks 0, 9 and -1: none";
  // Two members that cannot reach each other (a symmetric cut): the higher rank.
  stall = d.Check(Running(2), {Unreached(Waits(1, 12'000), {1}), Unreached(Waits(0, 12'000), {0})},
                  0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000002");
  EXPECT_THAT(stall->why, HasSubstr("(rank 1, unreachable from 1 of 1 peers)"));
  // Everyone reached everyone: the waits decide, as without probes.
  stall = d.Check(job, {Waits(3, 12'000), Waits(0, 12'000), Waits(3, 12'000), Waits(2, 12'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000004");
  EXPECT_THAT(stall->why, HasSubstr("(rank 3, awaited by 2)"));
}

TEST(StallDetectorTest, AnyMemberNotWaitingLongInThisGenerationMeansNoStall) {
  StallDetector d(10'000);
  const v1::JobInfo job = Running(3);
  EXPECT_FALSE(d.Check(job, {Waits(2, 12'000), std::nullopt, Waits(0, 11'000)}, 0))
      << "a member computes (a straggler, a checkpoint upload)";
  EXPECT_FALSE(d.Check(job, {Waits(2, 12'000), Waits(2, 9'999), Waits(0, 11'000)}, 0));
  EXPECT_FALSE(d.Check(job, {Waits(2, 12'000), Waits(2, 12'000, 2), Waits(0, 11'000)}, 0))
      << "a wait of the previous generation";
  EXPECT_FALSE(d.Check(job, {Waits(2, 12'000), Waits(2, 12'000, 3, "job-000002"),
                             Waits(0, 11'000)},
                       0));
  EXPECT_FALSE(d.Check(job, {Waits(2, 12'000), Waits(2, 12'000)}, 0)) << "a wait per member";
  // One member: nobody to wait on. A job not running. The check switched off.
  EXPECT_FALSE(d.Check(Running(1), {Waits(0, 60'000)}, 0));
  v1::JobInfo waiting = job;
  waiting.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  EXPECT_FALSE(d.Check(waiting, {Waits(2, 12'000), Waits(2, 12'000), Waits(0, 12'000)}, 0));
  StallDetector off(0);
  EXPECT_FALSE(off.Check(job, {Waits(2, 12'000), Waits(2, 12'000), Waits(0, 12'000)}, 0));
  EXPECT_THAT(d.SittingOut(0), IsEmpty());
}

TEST(StallDetectorTest, TiesGoToTheHighestRankAndNobodyAwaitedLeavesEveryoneIn) {
  StallDetector d(1'000);
  // Two halves of four: {0, 1} wait for 2, {2, 3} wait for 1: two votes each; rank 2 sits out.
  auto stall =
      d.Check(Running(4), {Waits(2, 5'000), Waits(2, 5'000), Waits(1, 5'000), Waits(1, 5'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "w-000003");
  // Two members waiting on their sends, or on themselves or out-of-range ranks: a stall, but
  // nobody to leave out.
  stall = d.Check(Running(2), {Waits(-1, 5'000), Waits(7, 5'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "");
  EXPECT_THAT(stall->why, HasSubstr("rank 0 (w-000001) on its sends"));
  stall = d.Check(Running(2), {Waits(0, 5'000), Waits(1, 5'000)}, 0);
  ASSERT_TRUE(stall.has_value());
  EXPECT_EQ(stall->left_out, "");
}

}  // namespace
}  // namespace tandem
