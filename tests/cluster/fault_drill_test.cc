// The fault drill of issue [8] on real processes on 127.0.0.1: a job runs once with no
// faults, then again (same spec, same seed) while a worker is killed and started again, a
// worker is frozen past the heartbeat timeout and resumed, the coordinator is killed and
// restarted on its port, a worker is stopped with SIGTERM, and at last every worker is
// killed. Both runs must end with the same bits in the final model (parameters, Adam state
// and step), no replica may go back to a checkpoint while one survives, and the job's events
// must tell what happened and how long training stood still each time.
#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "client/job_client.h"
#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ChildProcess;
using testing::WaitFor;

class FaultDrillTest : public testing::ClusterFixture {
 protected:
  // Long enough that every fault lands mid-job on a loaded machine; checkpoints every 100
  // steps, so a rollback to one would show.
  static constexpr uint32_t kSteps = 1500;
};

TEST_F(FaultDrillTest, KilledFrozenDrainedWorkersAndARestartedCoordinatorChangeNoBit) {
  auto w1 = StartWorkerLogging("cache1", "w1.log");
  auto w2 = StartWorkerLogging("cache2", "w2.log");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 2; }, std::chrono::seconds(20)));
  v1::JobSpec spec = TinySpec(kSteps, 100);  // workers.min 1, max 2
  // Validation (collective: every rank decodes a share) every 100 steps, so faults also
  // land in it.
  std::filesystem::create_directories(dir_.Join("valid"));
  testing::WriteToyCorpus(dir_.Join("valid"), 40, /*seed=*/7);
  spec.mutable_corpus()->set_valid_source(dir_.Join("valid/train.en"));
  spec.mutable_corpus()->set_valid_target(dir_.Join("valid/train.es"));
  spec.mutable_training()->set_validation_interval_steps(100);

  auto reference = client_->Submit(spec);
  ASSERT_OK(reference);
  const std::string expected = FinalModel(*reference, kSteps, "reference");
  ASSERT_GT(expected.size(), 1000u);
  const std::map<int, std::string> expected_accounts = EpochAccounts(*reference);
  ExpectEveryPairOncePerEpoch(expected_accounts);

  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  // Each fault: the step seen just before it (training must resume at a later step).
  std::vector<std::pair<std::string, uint64_t>> faults;

  // 1. A worker killed mid-job, and started again on its cache: the job grows back to two.
  faults.push_back({"kill", WaitForStep(*id, 150, 2)});
  w2->Kill(SIGKILL);
  EXPECT_EQ(w2->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  auto w2b = StartWorkerLogging("cache2", "w2b.log");

  // 2. A worker frozen past the heartbeat timeout, then resumed: its stale steps must not
  // reach the new generation; it comes back as a new member.
  faults.push_back({"freeze", WaitForStep(*id, 400, 2)});
  w1->Kill(SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(kWorkerTimeoutMs + 1500));
  w1->Kill(SIGCONT);

  // 3. The coordinator killed and restarted on its port: workers keep their replicas.
  faults.push_back({"coordinator", WaitForStep(*id, 650, 2)});
  coordinator_->Kill(SIGKILL);
  EXPECT_EQ(coordinator_->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  StartCoordinator(std::to_string(port_));

  // 4. SIGTERM drains a worker: it leaves at a step boundary and exits by itself.
  faults.push_back({"drain", WaitForStep(*id, 900, 2)});
  w2b->Kill(SIGTERM);
  EXPECT_EQ(w2b->Wait(std::chrono::seconds(30)), 0) << testing::ReadText(dir_.Join("w2b.log"));

  // 5. Every worker killed: fresh workers (new processes, empty caches) resume from the
  // newest checkpoint; the job says it went back, and still ends with the same bits.
  faults.push_back({"all", WaitForStep(*id, 1150, 1)});
  w1->Kill(SIGKILL);
  // The fresh worker starts once the coordinator has seen the job lose every member (else
  // it may join the dying generation first and load the checkpoint there).
  EXPECT_TRUE(WaitFor([&] { return Job(*id).state() == v1::JOB_STATE_WAITING_FOR_WORKERS; },
                      std::chrono::seconds(30)))
      << Job(*id).message();
  auto w3 = StartWorkerLogging("cache3", "w3.log");

  const std::string got = FinalModel(*id, kSteps, "faulty");
  EXPECT_TRUE(got == expected) << "the final model differs from the fault-free run's ("
                               << got.size() << " and " << expected.size() << " bytes)";
  // Per-epoch data accounting: the faulted run trained the same pairs in every epoch as the
  // fault-free one, every pair exactly once.
  EXPECT_EQ(EpochAccounts(*id), expected_accounts);

  // Until every worker was killed, some replica survived each fault: none went back to a
  // checkpoint before that.
  EXPECT_THAT(testing::ReadText(dir_.Join("w3.log")), HasSubstr("(the checkpoint)"));
  const std::string logs = testing::ReadText(dir_.Join("w1.log")) +
                           testing::ReadText(dir_.Join("w2.log")) +
                           testing::ReadText(dir_.Join("w2b.log"));
  EXPECT_THAT(logs, Not(HasSubstr("(the checkpoint)")));
  EXPECT_THAT(testing::ReadText(dir_.Join("w1.log")), HasSubstr("joining again"))
      << "the frozen worker was declared lost and came back as a new member";

  // The events tell the story: who left and why, who joined, the restart, and for each
  // disruption when training resumed, at a step past the one seen before the fault.
  auto events = client_->Events(*id, 0, 0);
  ASSERT_OK(events);
  std::vector<uint64_t> resumed_at;
  std::string story;
  for (const auto& e : *events) {
    if (e.kind() == "resumed") {
      std::smatch m;
      const std::string message = e.message();
      ASSERT_TRUE(std::regex_search(message, m, std::regex("^step (\\d+) in generation")))
          << message;
      resumed_at.push_back(std::stoull(m[1]));
    }
    story += e.kind() + ": " + e.message() + "\n";
  }
  std::printf("%s", story.c_str());
  EXPECT_THAT(story, HasSubstr("collective_failure: "));
  EXPECT_THAT(story, HasSubstr("recovered: coordinator restarted"));
  EXPECT_THAT(story, HasSubstr(" left"));
  EXPECT_THAT(story, HasSubstr("below workers.max 2"));
  EXPECT_THAT(story, HasSubstr("after the coordinator restarted"));
  EXPECT_THAT(story, Not(HasSubstr("divergence")));
  EXPECT_THAT(story, HasSubstr(" to the checkpoint at step "));
  EXPECT_THAT(story, HasSubstr("validation: step 1500"));
  // At least one resumption per fault, plus the growths back to two workers.
  ASSERT_GE(resumed_at.size(), faults.size());
  for (const auto& [fault, step] : faults) {
    if (fault == "all") continue;  // back to the checkpoint: checked above
    bool after = false;
    for (uint64_t s : resumed_at) after |= s > step;
    EXPECT_TRUE(after) << fault << ": no resumption after step " << step;
  }
  // Steps never went back, except to the checkpoint once every replica was lost.
  for (size_t i = 1; i + 1 < resumed_at.size(); ++i) {
    EXPECT_GE(resumed_at[i], resumed_at[i - 1]) << "training went back between resumptions";
  }
}

// The coordinator killed while it prepares the job (the preparation is redone) and again
// right as a generation forms (a worker joining mid-job): the job ends with the fault-free
// run's bytes.
TEST_F(FaultDrillTest, ACoordinatorKilledWhilePreparingOrFormingAGenerationChangesNoBit) {
  auto w1 = StartWorkerLogging("cache1", "w1.log");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  constexpr uint32_t kShort = 400;
  // A corpus large enough that preparing it (SentencePiece, shards) takes a while to hit.
  std::filesystem::create_directories(dir_.Join("big"));
  testing::WriteToyCorpus(dir_.Join("big"), 60000);
  v1::JobSpec spec = TinySpec(kShort, 100);
  spec.mutable_corpus()->set_train_source(dir_.Join("big/train.en"));
  spec.mutable_corpus()->set_train_target(dir_.Join("big/train.es"));
  auto reference = client_->Submit(spec);
  ASSERT_OK(reference);
  const std::string expected = FinalModel(*reference, kShort, "reference");
  // Streams of 8 and 7 shards; 400 steps end inside the first epoch.
  const std::map<int, std::string> expected_accounts = EpochAccounts(*reference);
  ASSERT_EQ(expected_accounts.size(), 1u);
  EXPECT_THAT(expected_accounts.begin()->second, HasSubstr(" 0 twice or more"));

  auto restart = [&] {
    coordinator_->Kill(SIGKILL);
    EXPECT_EQ(coordinator_->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
    StartCoordinator(std::to_string(port_));
  };
  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  ASSERT_TRUE(WaitFor([&] { return Job(*id).state() == v1::JOB_STATE_PREPARING; },
                      std::chrono::seconds(30)));
  restart();
  WaitForStep(*id, 100, 1);
  auto w2 = StartWorkerLogging("cache2", "w2.log");
  ASSERT_TRUE(WaitFor([&] { return Job(*id).assignments_size() == 2; },
                      std::chrono::seconds(60)));
  restart();  // the new generation's members are fetching, synchronising or stepping
  EXPECT_TRUE(FinalModel(*id, kShort, "faulty") == expected)
      << "the final model differs from the fault-free run's";
  EXPECT_EQ(EpochAccounts(*id), expected_accounts);
  auto events = client_->Events(*id, 0, 0);
  ASSERT_OK(events);
  std::string story;
  for (const auto& e : *events) story += e.kind() + ": " + e.message() + "\n";
  EXPECT_THAT(story, HasSubstr("restarted during preparation; preparing again")) << story;
  EXPECT_THAT(story, HasSubstr("after the coordinator restarted")) << story;
}

// Three data streams (workers.max 3): the job goes from three workers to two, to one, and
// back to three, and ends with the bits of the run that kept its three workers throughout.
// With three or more streams only the ordered sum (training/README.md, "Stream order")
// makes the world's size irrelevant to float rounding.
TEST_F(FaultDrillTest, ThreeStreamsOnThreeTwoAndOneWorkersChangeNoBit) {
  auto w1 = StartWorkerLogging("cache1", "w1.log");
  auto w2 = StartWorkerLogging("cache2", "w2.log");
  auto w3 = StartWorkerLogging("cache3", "w3.log");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 3; }, std::chrono::seconds(20)));
  constexpr uint32_t kShort = 500;
  v1::JobSpec spec = TinySpec(kShort, 100);
  spec.mutable_workers()->set_min(1);
  spec.mutable_workers()->set_max(3);
  auto reference = client_->Submit(spec);
  ASSERT_OK(reference);
  WaitForStep(*reference, 50, 3);
  const std::string expected = FinalModel(*reference, kShort, "reference");
  ASSERT_GT(expected.size(), 1000u);
  const std::map<int, std::string> expected_accounts = EpochAccounts(*reference);
  ASSERT_FALSE(expected_accounts.empty());

  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  WaitForStep(*id, 100, 3);
  w3->Kill(SIGKILL);  // three -> two: one rank holds two streams
  EXPECT_EQ(w3->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  WaitForStep(*id, 220, 2);
  w2->Kill(SIGKILL);  // two -> one: the survivor holds all three
  EXPECT_EQ(w2->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  WaitForStep(*id, 320, 1);
  auto w2b = StartWorkerLogging("cache2", "w2b.log");
  auto w3b = StartWorkerLogging("cache3", "w3b.log");
  WaitForStep(*id, 380, 3);  // and back to three
  EXPECT_TRUE(FinalModel(*id, kShort, "faulty") == expected)
      << "the final model differs from the three-worker run's";
  EXPECT_EQ(EpochAccounts(*id), expected_accounts);
  const std::string logs = testing::ReadText(dir_.Join("w1.log"));
  EXPECT_THAT(logs, Not(HasSubstr("(the checkpoint)"))) << "a replica survived every fault";
}

// The coordinator cannot store checkpoints (here its checkpoints folder is a file, as a full
// or broken disk would refuse the write): each failure is an event, training goes on, and the
// job ends with its final model.
TEST_F(FaultDrillTest, CheckpointsTheCoordinatorCannotStoreDoNotStopTraining) {
  auto w1 = StartWorkerLogging("cache1", "w1.log");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  auto id = client_->Submit(TinySpec(150, 50));
  ASSERT_OK(id);
  const std::string job_dir = dir_.Join("coord/jobs/" + *id);
  ASSERT_TRUE(WaitFor([&] { return PathExists(job_dir); }, std::chrono::seconds(30)));
  testing::WriteText(job_dir + "/checkpoints", "not a folder");
  const std::string model = FinalModel(*id, 150, "model");
  EXPECT_GT(model.size(), 1000u);
  auto events = client_->Events(*id, 0, 0);
  ASSERT_OK(events);
  int failed = 0;
  for (const auto& e : *events) {
    if (e.kind() != "checkpoint_failed") continue;
    ++failed;
    EXPECT_THAT(e.message(), HasSubstr("was not stored: "));
  }
  EXPECT_EQ(failed, 2) << "steps 50 and 100";
  EXPECT_EQ(Job(*id).progress().checkpoint_step(), 0u);
  EXPECT_THAT(testing::ReadText(dir_.Join("w1.log")), HasSubstr("(training goes on)"));
}

}  // namespace
}  // namespace tandem
