// The fixture of the cluster tests: a real tandem-coordinator on 127.0.0.1 (system-chosen
// port, short heartbeats) on a temporary data directory with the toy corpus, a JobClient to
// it, and helpers to start real tandem-worker processes and wait on jobs and workers.
#ifndef TANDEM_TESTS_CLUSTER_CLUSTER_FIXTURE_H_
#define TANDEM_TESTS_CLUSTER_CLUSTER_FIXTURE_H_

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "client/job_client.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem::testing {

class ClusterFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kWorkerTimeoutMs = 1500;

  void SetUp() override {
    WriteToyCorpus(dir_.path(), 1500);
    StartCoordinator("0");
  }

  void StartCoordinator(const std::string& port) {
    std::remove(dir_.Join("port").c_str());
    std::vector<std::string> argv = {BinDir() + "/tandem-coordinator",
                                     "--data_dir=" + dir_.Join("coord"),
                                     "--listen=127.0.0.1:" + port,
                                     "--port_file=" + dir_.Join("port"), "--heartbeat_ms=200",
                                     "--worker_timeout_ms=" + std::to_string(kWorkerTimeoutMs)};
    argv.insert(argv.end(), coordinator_flags_.begin(), coordinator_flags_.end());
    coordinator_ = std::make_unique<ChildProcess>(argv, dir_.Join("coordinator.log"));
    ASSERT_TRUE(WaitFor([&] { return !ReadText(dir_.Join("port")).empty(); },
                        std::chrono::seconds(20)))
        << ReadText(dir_.Join("coordinator.log"));
    port_ = std::stoi(ReadText(dir_.Join("port")));
    address_ = "127.0.0.1:" + std::to_string(port_);
    client_ = std::make_unique<JobClient>(address_, std::chrono::seconds(5));
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& name) {
    return StartWorkerLogging(name, name + ".log");
  }

  // A worker on cache `cache` whose output goes to `log` (a restarted worker keeps its
  // cache and gets a new log).
  std::unique_ptr<ChildProcess> StartWorkerLogging(const std::string& cache,
                                                   const std::string& log) {
    std::vector<std::string> argv = {BinDir() + "/tandem-worker", "--coordinator=" + address_,
                                     "--cache_dir=" + dir_.Join(cache), "--threads=1"};
    argv.insert(argv.end(), worker_flags_.begin(), worker_flags_.end());
    return std::make_unique<ChildProcess>(argv, dir_.Join(log));
  }

  // The job as stored now (empty when the coordinator does not answer).
  v1::JobInfo Job(const std::string& id) {
    auto job = client_->Get(id);
    return job.ok() ? *job : v1::JobInfo();
  }

  // Waits until the job runs at step `step` or later on `workers` workers (0: any number);
  // returns the step it saw.
  uint64_t WaitForStep(const std::string& id, uint64_t step, int workers = 0) {
    uint64_t seen = 0;
    EXPECT_TRUE(WaitFor(
        [&] {
          const v1::JobInfo job = Job(id);
          seen = job.progress().step();
          return job.state() == v1::JOB_STATE_RUNNING && seen >= step &&
                 (workers == 0 || job.assignments_size() == workers);
        },
        std::chrono::seconds(120)))
        << "step " << seen << " of " << step << " on " << Job(id).assignments_size()
        << " workers; " << Job(id).message();
    return seen;
  }

  // Waits for the job to succeed at `steps` and downloads its final model into `dir`;
  // returns the model file's bytes (parameters, Adam state and step).
  std::string FinalModel(const std::string& id, uint64_t steps, const std::string& dir) {
    EXPECT_TRUE(WaitFor([&] { return Job(id).state() == v1::JOB_STATE_SUCCEEDED; },
                        std::chrono::seconds(180)))
        << Job(id).message();
    EXPECT_EQ(Job(id).progress().step(), steps);
    EXPECT_TRUE(client_->DownloadModel(id, dir_.Join(dir)).ok());
    return ReadText(dir_.Join(dir) + "/model.ckpt");
  }

  // The job's "epoch_end" events by epoch. An epoch may be told twice (a worker sends its
  // account again when it cannot tell whether the coordinator took it in; a job gone back to a
  // checkpoint trains epochs again), but always the same.
  std::map<int, std::string> EpochAccounts(const std::string& id) {
    std::map<int, std::string> out;
    auto events = client_->Events(id, 0, 0);
    EXPECT_OK(events);
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.kind() != "epoch_end") continue;
      std::smatch m;
      const std::string message = e.message();
      if (!std::regex_search(message, m, std::regex("^epoch (\\d+) \\(steps "))) {
        ADD_FAILURE() << "not an epoch account: " << message;
        continue;
      }
      auto [it, added] = out.try_emplace(std::stoi(m[1]), message);
      EXPECT_EQ(it->second, message) << "an epoch accounted twice, differently";
    }
    return out;
  }
  // Every epoch of a job of `steps` steps is accounted, in order; each whole one trained
  // every pair exactly once, the last (cut by max_steps) none twice.
  static void ExpectEveryPairOncePerEpoch(const std::map<int, std::string>& accounts) {
    ASSERT_GE(accounts.size(), 2u);
    int expected = 0;
    for (const auto& [epoch, text] : accounts) {
      EXPECT_EQ(epoch, expected++) << "an epoch without its account before " << text;
      if (epoch + 1 < static_cast<int>(accounts.size())) {
        EXPECT_THAT(text, ::testing::HasSubstr(": every pair exactly once")) << text;
      } else {
        EXPECT_THAT(text, ::testing::HasSubstr(" 0 twice or more")) << text;
      }
    }
  }

  // A job stopped mid-epoch (cancelled): every epoch it finished is accounted, in order from
  // 0, and trained every pair exactly once; at least `min_epochs` of them.
  static void ExpectWholeEpochsOnce(const std::map<int, std::string>& accounts,
                                    size_t min_epochs) {
    EXPECT_GE(accounts.size(), min_epochs);
    int expected = 0;
    for (const auto& [epoch, text] : accounts) {
      EXPECT_EQ(epoch, expected++) << "an epoch without its account before " << text;
      EXPECT_THAT(text, ::testing::HasSubstr(": every pair exactly once")) << text;
    }
  }

  size_t ActiveWorkers() {
    auto workers = client_->Workers();
    if (!workers.ok()) return 0;
    size_t n = 0;
    for (const auto& w : *workers) {
      n += w.state() == v1::WORKER_STATE_IDLE || w.state() == v1::WORKER_STATE_ASSIGNED;
    }
    return n;
  }

  // Whether every worker in `ids` is active and has beaten after `since_ms`.
  bool BeatingSince(const std::vector<std::string>& ids, int64_t since_ms) {
    auto workers = client_->Workers();
    if (!workers.ok()) return false;
    size_t beating = 0;
    for (const auto& w : *workers) {
      const bool active =
          w.state() == v1::WORKER_STATE_IDLE || w.state() == v1::WORKER_STATE_ASSIGNED;
      beating += active && w.last_heartbeat_unix_ms() > since_ms &&
                 std::find(ids.begin(), ids.end(), w.id()) != ids.end();
    }
    return beating == ids.size();
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  bool HasEvent(const std::string& id, const std::string& kind, int count = 1) {
    auto events = client_->Events(id, 0, 0);
    if (!events.ok()) return false;
    int n = 0;
    for (const auto& e : *events) n += e.kind() == kind;
    return n >= count;
  }

  // The model's size is given (the fixed defaults), so that no sizing is chosen from the
  // corpus: the tests' jobs keep the length they were written for.
  v1::JobSpec Spec() {
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_source(dir_.Join("train.en"));
    spec.mutable_corpus()->set_train_target(dir_.Join("train.es"));
    spec.mutable_tokenizer()->set_vocab_size(40);
    spec.mutable_model()->set_embedding_dim(kDefaultEmbeddingDim);
    spec.mutable_model()->set_hidden_dim(kDefaultHiddenDim);
    spec.mutable_workers()->set_min(1);
    spec.mutable_workers()->set_max(2);
    return spec;
  }
  // A tiny model that trains `max_steps` in seconds, checkpointing every `checkpoint_every`.
  v1::JobSpec TinySpec(uint32_t max_steps, uint32_t checkpoint_every) {
    v1::JobSpec spec = Spec();
    spec.mutable_model()->set_embedding_dim(16);
    spec.mutable_model()->set_hidden_dim(16);
    spec.mutable_training()->set_batch_tokens(300);
    spec.mutable_training()->set_max_steps(max_steps);
    spec.mutable_training()->set_checkpoint_interval_steps(checkpoint_every);
    return spec;
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> coordinator_;
  // Flags the coordinator gets besides the fixture's (set before SetUp starts it).
  std::vector<std::string> coordinator_flags_;
  std::vector<std::string> worker_flags_;  // added to every worker's command line
  std::unique_ptr<JobClient> client_;
  int port_ = 0;
  std::string address_;
};

}  // namespace tandem::testing

#endif  // TANDEM_TESTS_CLUSTER_CLUSTER_FIXTURE_H_
