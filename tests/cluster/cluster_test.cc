// A real coordinator and real worker processes on 127.0.0.1 with system-chosen ports.
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "client/job_client.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/version.h"
#include "common/grpc_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster/cluster_fixture.h"
#include "tandem/v1/control_service.grpc.pb.h"
#include "tandem/v1/job_service.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"
#include "training/trainer.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::IsOkAndHolds;
using testing::StatusIs;
using testing::ChildProcess;
using testing::WaitFor;

using ClusterTest = testing::ClusterFixture;

// `t` carries a target x source attention matrix whose rows each sum to one.
void ExpectAnAttentionMatrix(const v1::Translation& t) {
  const int cols = t.source_pieces_size(), rows = t.target_pieces_size();
  ASSERT_GT(cols, 0);
  ASSERT_GT(rows, 0);
  ASSERT_EQ(t.weights_size(), rows * cols);
  for (int r = 0; r < rows; ++r) {
    double sum = 0;
    for (int c = 0; c < cols; ++c) sum += t.weights(r * cols + c);
    EXPECT_NEAR(sum, 1.0, 1e-4) << "row " << r;
  }
}

TEST_F(ClusterTest, ShardsDeliveredCachedSurviveCoordinatorKillAndWorkerLoss) {
  auto w1 = StartWorker("cache1");
  auto w2 = StartWorker("cache2");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 2; }, std::chrono::seconds(20)));

  auto id = client_->Submit(Spec());
  ASSERT_OK(id);
  ASSERT_TRUE(WaitFor([&] { return HasEvent(*id, "all_ready"); }, std::chrono::seconds(60)))
      << testing::ReadText(dir_.Join("coordinator.log"));

  // Every shard and the tokenizer sit in the right worker's cache under their checksum.
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, client_->Get(*id));
  ASSERT_EQ(job.assignments_size(), 2);
  for (const auto& member : job.assignments()) {
    std::string cache;
    for (const char* c : {"cache1", "cache2"}) {
      if (PathExists(dir_.Join(c) + "/" + job.shards(static_cast<int>(member.shards(0))).sha256())) {
        cache = dir_.Join(c);
      }
    }
    ASSERT_FALSE(cache.empty()) << "rank " << member.rank() << " has no cached shard";
    for (uint32_t s : member.shards()) {
      const std::string sha = job.shards(static_cast<int>(s)).sha256();
      EXPECT_THAT(Sha256OfFile(cache + "/" + sha), IsOkAndHolds(sha));
    }
    for (const auto& [name, sha] : job.artifacts()) {
      EXPECT_THAT(Sha256OfFile(cache + "/" + sha), IsOkAndHolds(sha)) << name;
    }
  }

  // SIGKILL the coordinator, restart it on the same port: jobs and events are intact (and
  // one more says it restarted) and the workers reconnect with their ids.
  const auto events_before = *client_->Events(*id, 0, 0);
  const auto jobs_before = *client_->List();
  coordinator_->Kill(SIGKILL);
  ASSERT_EQ(coordinator_->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  StartCoordinator(std::to_string(port_));
  const auto events_after = *client_->Events(*id, 0, 0);
  ASSERT_GT(events_after.size(), events_before.size());
  for (size_t i = 0; i < events_before.size(); ++i) {
    EXPECT_EQ(events_after[i].SerializeAsString(), events_before[i].SerializeAsString());
  }
  EXPECT_EQ(events_after[events_before.size()].kind(), "recovered");
  EXPECT_THAT(events_after[events_before.size()].message(), HasSubstr("coordinator restarted"));
  ASSERT_EQ(client_->List()->size(), jobs_before.size());
  EXPECT_EQ(client_->Get(*id)->state(), v1::JOB_STATE_RUNNING);
  // The restarted coordinator gave every worker a full timeout from its recovery (before
  // `restarted`); a worker still active with a heartbeat later than that timeout kept
  // beating to it and was never declared lost.
  const int64_t restarted = NowMs();
  std::vector<std::string> members;
  for (const auto& m : job.assignments()) members.push_back(m.worker_id());
  ASSERT_TRUE(WaitFor([&] { return BeatingSince(members, restarted + kWorkerTimeoutMs); },
                      std::chrono::seconds(20)))
      << testing::ReadText(dir_.Join("coordinator.log"));
  EXPECT_EQ(ActiveWorkers(), 2u) << "workers kept heartbeating to the restarted coordinator";

  // Kill one worker: it is declared lost and the survivor forms generation 2 alone, fetching
  // only the shard it lacked.
  w2->Kill(SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->generation() >= 2; },
                      std::chrono::seconds(20)));
  ASSERT_TRUE(WaitFor([&] { return HasEvent(*id, "all_ready", 2); }, std::chrono::seconds(30)))
      << testing::ReadText(dir_.Join("coordinator.log")) << testing::ReadText(dir_.Join("cache1.log"));
  job = *client_->Get(*id);
  EXPECT_EQ(job.assignments_size(), 1);
  bool lost = false;
  const auto all_workers = client_->Workers();
  for (const auto& w : *all_workers) lost |= w.state() == v1::WORKER_STATE_LOST;
  EXPECT_TRUE(lost);
  bool cached_reported = false;
  const auto all_events = client_->Events(*id, 0, 0);
  for (const auto& e : *all_events) {
    if (e.kind() == "worker_ready" && e.message().find("1 fetched, 3 from its cache") !=
                                          std::string::npos) {
      cached_reported = true;
    }
  }
  EXPECT_TRUE(cached_reported) << "the survivor fetched only the lost rank's shard";
}

// A job on one worker trains to the end; the model is downloaded and translates.
TEST_F(ClusterTest, TrainsToAUsableModel) {
  auto w1 = StartWorker("cache1");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  v1::JobSpec spec = Spec();
  spec.mutable_workers()->set_max(1);
  spec.mutable_corpus()->set_valid_source(dir_.Join("train.en"));
  spec.mutable_corpus()->set_valid_target(dir_.Join("train.es"));
  spec.mutable_model()->set_embedding_dim(24);
  spec.mutable_model()->set_hidden_dim(24);
  spec.mutable_model()->set_dropout_set(true);
  spec.mutable_training()->set_batch_tokens(600);
  spec.mutable_training()->set_max_steps(150);
  spec.mutable_training()->set_learning_rate(0.005f);
  spec.mutable_training()->set_validation_interval_steps(75);
  spec.mutable_training()->set_checkpoint_interval_steps(50);
  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->state() == v1::JOB_STATE_SUCCEEDED; },
                      std::chrono::seconds(180)))
      << client_->Get(*id)->message() << "\n"
      << testing::ReadText(dir_.Join("cache1.log"));
  const v1::JobInfo job = *client_->Get(*id);
  EXPECT_EQ(job.progress().step(), 150u);
  EXPECT_GT(job.progress().valid_bleu(), 0.0f);
  EXPECT_TRUE(job.progress().model_ready());
  EXPECT_EQ(job.progress().checkpoint_step(), 100u) << "the newest periodic checkpoint";
  EXPECT_TRUE(HasEvent(*id, "validation", 2));
  EXPECT_EQ(ActiveWorkers(), 1u);
  // The worker is released and idle again.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto workers = client_->Workers();
        return workers.ok() && workers->size() == 1 &&
               (*workers)[0].state() == v1::WORKER_STATE_IDLE;
      },
      std::chrono::seconds(10)));

  auto bytes = client_->DownloadModel(*id, dir_.Join("model"));
  ASSERT_OK(bytes);
  for (const char* f : {"job.json", "source.model", "target.model", "model.ckpt"}) {
    EXPECT_TRUE(PathExists(dir_.Join("model/") + f)) << f;
  }
  ChildProcess translate({testing::BinDir() + "/tandem-local", "translate", "--model",
                          dir_.Join("model"), "--beam", "2", "the dog sings"},
                         dir_.Join("translate.out"));
  ASSERT_EQ(translate.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("translate.out"));
  EXPECT_FALSE(testing::ReadText(dir_.Join("translate.out")).empty());

  // The training curve was recorded, one point per step, and plots.
  auto points = client_->Metrics(*id);
  ASSERT_OK(points);
  ASSERT_EQ(points->size(), 150u);
  EXPECT_EQ(points->back().step(), 150u);
  int validations = 0;
  for (const auto& p : *points) validations += p.has_validation();
  EXPECT_EQ(validations, 2);
  ChildProcess plot({testing::BinDir() + "/tandem", "plot", *id, "-o", dir_.Join("curves.svg"),
                     "--coordinator", address_},
                    dir_.Join("plot.out"));
  ASSERT_EQ(plot.Wait(std::chrono::seconds(30)), 0) << testing::ReadText(dir_.Join("plot.out"));
  EXPECT_THAT(testing::ReadText(dir_.Join("curves.svg")), HasSubstr("<polyline"));

  // The coordinator translates with the job's model (--job): the same text as the downloaded
  // model gives locally with the same beam.
  ChildProcess local({testing::BinDir() + "/tandem-local", "translate", "--model",
                      dir_.Join("model"), "--beam", "1", "the cat eats fish"},
                     dir_.Join("local.out"), dir_.Join("local.err"));
  ASSERT_EQ(local.Wait(std::chrono::seconds(60)), 0);
  ChildProcess by_job({testing::BinDir() + "/tandem", "translate", "--job", *id, "--beam", "1",
                       "--coordinator", address_, "the cat eats fish"},
                      dir_.Join("by_job.out"), dir_.Join("by_job.err"));
  ASSERT_EQ(by_job.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("by_job.err"));
  EXPECT_THAT(testing::ReadText(dir_.Join("by_job.err")), HasSubstr("final model of job"));
  EXPECT_FALSE(testing::ReadText(dir_.Join("by_job.out")).empty());
  EXPECT_EQ(testing::ReadText(dir_.Join("by_job.out")), testing::ReadText(dir_.Join("local.out")));
  // The decoding options take the same code on both paths: n-best lists (Moses lines, best
  // first), a length penalty, replace-unknown and the int8 output layer give the same output.
  {
    const std::vector<std::string> options = {"--beam", "4", "--n_best", "3", "--length_penalty",
                                              "0.6", "--replace_unk", "--int8",
                                              "the cat eats fish", "the dog sings"};
    std::vector<std::string> local_args = {testing::BinDir() + "/tandem-local", "translate",
                                           "--model", dir_.Join("model")};
    std::vector<std::string> job_args = {testing::BinDir() + "/tandem", "translate", "--job", *id,
                                         "--coordinator", address_};
    local_args.insert(local_args.end(), options.begin(), options.end());
    job_args.insert(job_args.end(), options.begin(), options.end());
    ChildProcess local_n(local_args, dir_.Join("local_n.out"), dir_.Join("local_n.err"));
    ChildProcess job_n(job_args, dir_.Join("job_n.out"), dir_.Join("job_n.err"));
    ASSERT_EQ(local_n.Wait(std::chrono::seconds(60)), 0)
        << testing::ReadText(dir_.Join("local_n.err"));
    ASSERT_EQ(job_n.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("job_n.err"));
    const std::string lines = testing::ReadText(dir_.Join("job_n.out"));
    EXPECT_EQ(lines, testing::ReadText(dir_.Join("local_n.out")));
    const std::vector<std::string> rows = absl::StrSplit(lines, '\n', absl::SkipEmpty());
    // Up to 3 candidates of each sentence, in sentence order, each sentence's best first.
    std::map<int, std::vector<double>> scores;
    int last_sentence = 0;
    for (const std::string& row : rows) {
      const std::vector<std::string> fields = absl::StrSplit(row, " ||| ");
      ASSERT_EQ(fields.size(), 3u) << row;
      int sentence = -1;
      double score = 0;
      ASSERT_TRUE(absl::SimpleAtoi(fields[0], &sentence)) << row;
      ASSERT_TRUE(absl::SimpleAtod(fields[2], &score)) << row;
      EXPECT_GE(sentence, last_sentence) << lines;
      last_sentence = sentence;
      if (!scores[sentence].empty()) EXPECT_LE(score, scores[sentence].back()) << lines;
      scores[sentence].push_back(score);
    }
    ASSERT_EQ(scores.size(), 2u) << lines;
    for (const auto& [sentence, s] : scores) EXPECT_LE(s.size(), 3u) << lines;
  }

  // The RPC: several sentences in order, the model named, attention matrices on request.
  v1::TranslateRequest treq;
  treq.set_job_id(*id);
  treq.add_sentences("the cat eats fish");
  treq.add_sentences("the dog sings");
  treq.set_beam_size(1);
  auto tr = client_->Translate(treq);
  ASSERT_OK(tr);
  ASSERT_EQ(tr->translations_size(), 2);
  EXPECT_EQ(tr->translations(0).text() + "\n", testing::ReadText(dir_.Join("local.out")));
  EXPECT_EQ(tr->model(), "final");
  EXPECT_EQ(tr->model_step(), 150u);
  EXPECT_EQ(tr->translations(0).weights_size(), 0) << "no attention unless asked";
  // Requests decode side by side on the loaded model, each with the same answer.
  {
    std::vector<absl::StatusOr<v1::TranslateResponse>> answers(8, absl::UnknownError("not run"));
    std::vector<std::thread> clients;
    for (size_t i = 0; i < answers.size(); ++i) {
      clients.emplace_back([&, i] { answers[i] = client_->Translate(treq); });
    }
    for (std::thread& t : clients) t.join();
    for (const auto& a : answers) {
      ASSERT_OK(a);
      ASSERT_EQ(a->translations_size(), 2);
      EXPECT_EQ(a->translations(0).text(), tr->translations(0).text());
      EXPECT_EQ(a->translations(1).text(), tr->translations(1).text());
    }
  }
  treq.set_attention(true);
  auto ta = client_->Translate(treq);
  ASSERT_OK(ta);
  ASSERT_EQ(ta->translations_size(), 2);
  for (const auto& t : ta->translations()) ExpectAnAttentionMatrix(t);
  ChildProcess heatmap({testing::BinDir() + "/tandem", "attention", "--job", *id, "-o",
                        dir_.Join("att.svg"), "--coordinator", address_, "the dog sings"},
                       dir_.Join("att.out"));
  ASSERT_EQ(heatmap.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("att.out"));
  EXPECT_THAT(testing::ReadText(dir_.Join("att.svg")), HasSubstr("<svg"));
  // Each head's attention on request: this RNN model has one, equal to its attention.
  treq.set_heads(true);
  auto th = client_->Translate(treq);
  ASSERT_OK(th);
  EXPECT_EQ(th->translations(0).head_count(), 1u);
  EXPECT_THAT(th->translations(0).head_weights(),
              ::testing::ElementsAreArray(th->translations(0).weights()));
  ChildProcess head({testing::BinDir() + "/tandem", "attention", "--job", *id, "-o",
                     dir_.Join("head.svg"), "--head", "2", "--coordinator", address_,
                     "the dog sings"},
                    dir_.Join("head.out"));
  EXPECT_EQ(head.Wait(std::chrono::seconds(60)), 2);  // bad input
  EXPECT_THAT(testing::ReadText(dir_.Join("head.out")),
              HasSubstr("--head 2: this model has a single attention map (an RNN model"));

  // Bad requests are refused before any translation, naming the sentence and the limit.
  v1::TranslateRequest bad;
  bad.set_job_id(*id);
  bad.add_sentences("the dog sings");
  bad.add_sentences(" ");
  auto empty_rpc = client_->Translate(bad);
  EXPECT_THAT(empty_rpc, StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("sentence 2: cannot translate an empty")));
  bad.set_sentences(1, std::string(5000, 'a'));
  EXPECT_THAT(client_->Translate(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("4096 bytes")));
  bad.clear_sentences();
  EXPECT_THAT(client_->Translate(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no sentence")));
  bad.add_sentences("the dog");
  bad.set_beam_size(65);
  EXPECT_THAT(client_->Translate(bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range 1..64")));
  bad.set_job_id("job-999999");
  bad.set_beam_size(1);
  EXPECT_THAT(client_->Translate(bad),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("job-999999")));

  // An over-long sentence is refused with the limit named.
  std::string long_sentence;
  for (int i = 0; i < 300; ++i) long_sentence += "dog ";
  ChildProcess too_long({testing::BinDir() + "/tandem-local", "translate", "--model",
                         dir_.Join("model"), long_sentence},
                        dir_.Join("long.out"));
  EXPECT_EQ(too_long.Wait(std::chrono::seconds(60)), 2);
  EXPECT_THAT(testing::ReadText(dir_.Join("long.out")), HasSubstr("the limit is 200 words"));

  // An empty sentence is refused with a clear message.
  ChildProcess empty({testing::BinDir() + "/tandem-local", "translate", "--model",
                      dir_.Join("model"), " "},
                     dir_.Join("empty.out"));
  EXPECT_EQ(empty.Wait(std::chrono::seconds(60)), 2);
  EXPECT_THAT(testing::ReadText(dir_.Join("empty.out")), HasSubstr("empty sentence"));

  // Downloading a job without a model says why, and leaves no empty folder behind.
  auto none = client_->DownloadModel("job-999999", dir_.Join("none"));
  EXPECT_THAT(none, StatusIs(absl::StatusCode::kNotFound, HasSubstr("job-999999")));
  EXPECT_FALSE(PathExists(dir_.Join("none")));
}

// Losing a worker mid-training: the survivor forms a new generation and continues from its own
// replica (no rollback to the checkpoint, no restart), takes over the lost worker's data
// stream, and the job still finishes.
TEST_F(ClusterTest, SurvivorContinuesFromItsOwnReplicaAfterALostWorker) {
  auto w1 = StartWorker("cache1");
  auto w2 = StartWorker("cache2");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 2; }, std::chrono::seconds(20)));
  v1::JobSpec spec = TinySpec(300, 40);
  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  // Kill between two checkpoints, so a checkpoint resume would visibly roll back.
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto p = client_->Get(*id)->progress();
        return p.checkpoint_step() >= 40 && p.step() >= p.checkpoint_step() + 15;
      },
      std::chrono::seconds(120)));
  const auto before = client_->Get(*id)->progress();
  w2->Kill(SIGKILL);
  uint64_t lowest_after = before.step();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto j = client_->Get(*id);
        if (j->progress().step() > 0) lowest_after = std::min(lowest_after, j->progress().step());
        return j->state() == v1::JOB_STATE_SUCCEEDED;
      },
      std::chrono::seconds(180)))
      << client_->Get(*id)->message();
  EXPECT_GE(lowest_after, before.step()) << "progress went back to the checkpoint at step "
                                         << before.checkpoint_step();
  EXPECT_GE(client_->Get(*id)->generation(), 2u);
  // The generation formed after the broken all-reduce holds the survivor alone: the dead
  // worker, silent since, was not taken into it to be timed out later.
  auto events = client_->Events(*id, 0, 0);
  ASSERT_OK(events);
  bool failed = false, checked = false;
  for (const auto& e : *events) {
    failed |= e.kind() == "collective_failure";
    if (failed && !checked && e.kind() == "assigned") {
      EXPECT_THAT(e.message(), ::testing::AllOf(HasSubstr("all-reduce failed"),
                                                Not(HasSubstr(", w-"))));
      checked = true;
    }
  }
  EXPECT_TRUE(checked) << "no generation after the failure";
  const std::string log =
      testing::ReadText(dir_.Join("cache1.log")) + testing::ReadText(dir_.Join("cache2.log"));
  EXPECT_THAT(log, HasSubstr("(its own replica)"));
  EXPECT_THAT(log, Not(HasSubstr("(the checkpoint)")));
  EXPECT_EQ(client_->Get(*id)->progress().step(), 300u);
}

// The proof of the training semantics across real processes: 2 workers summing gradients over
// the gRPC ring end with the parameters of one process (`tandem-local train` on the same job
// file, which runs both data streams) within float rounding: same data order, same dropout
// masks, same updates.
// Two workers and one process on the same job, side by side.
class TwoWorkersAndOneProcessTest : public ClusterTest {
 protected:
  // Trains `spec` on two workers (the model downloaded to dir_/distributed) and, with its
  // defaults applied, in one `tandem-local train` process (dir_/local); `spec` becomes the
  // spec both trained, `*id` the job.
  void TrainBothWays(v1::JobSpec& spec, std::string* id) {
    workers_.push_back(StartWorker("cache1"));
    workers_.push_back(StartWorker("cache2"));
    ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 2; }, std::chrono::seconds(20)));
    spec.mutable_workers()->set_min(2);
    auto submitted = client_->Submit(spec);
    ASSERT_OK(submitted);
    *id = *submitted;
    ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->state() == v1::JOB_STATE_SUCCEEDED; },
                        std::chrono::seconds(120)))
        << client_->Get(*id)->message();
    ASSERT_OK(client_->DownloadModel(*id, dir_.Join("distributed")));
    ApplyDefaults(spec);
    testing::WriteText(dir_.Join("job.json"), SpecToJson(spec));
    ChildProcess local({testing::BinDir() + "/tandem-local", "train", dir_.Join("job.json"),
                        "--out", dir_.Join("local"), "--threads", "1"},
                       dir_.Join("local.out"));
    ASSERT_EQ(local.Wait(std::chrono::seconds(120)), 0)
        << testing::ReadText(dir_.Join("local.out"));
  }

  // A trainer of `spec` holding `dir`'s model.ckpt (its tokenizers, the same preparation),
  // which must be at `step`.
  std::unique_ptr<Trainer> Load(const v1::JobSpec& spec, const std::string& dir, int64_t step) {
    TrainerConfig c;
    c.spec = spec;
    c.source_model = dir + "/source.model";
    c.target_model = dir + "/target.model";
    c.threads = 1;
    auto t = Trainer::Create(c);
    EXPECT_OK(t);
    if (!t.ok()) return nullptr;
    EXPECT_OK((*t)->LoadCheckpoint(dir + "/model.ckpt"));
    EXPECT_EQ((*t)->step(), step);
    return std::move(*t);
  }

  // The parameters of `spec`'s model in `dir` (at `step`).
  std::vector<float> Params(const v1::JobSpec& spec, const std::string& dir, int64_t step = 12) {
    std::unique_ptr<Trainer> t = Load(spec, dir, step);
    return t == nullptr ? std::vector<float>() : t->FlatParameters();
  }

  // The largest difference between a parameter of the distributed and of the local model,
  // which must have the same (nonzero) count.
  double MaxDistributedLocalDiff(const v1::JobSpec& spec) {
    const std::vector<float> a = Params(spec, dir_.Join("distributed"));
    const std::vector<float> b = Params(spec, dir_.Join("local"));
    EXPECT_EQ(a.size(), b.size());
    EXPECT_FALSE(a.empty());
    if (a.size() != b.size() || a.empty()) return INFINITY;
    double max_diff = 0;
    for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double{std::fabs(a[i] - b[i])});
    return max_diff;
  }

  std::vector<std::unique_ptr<ChildProcess>> workers_;
};

TEST_F(TwoWorkersAndOneProcessTest, TwoWorkersEqualOneProcessOnTheSameJob) {
  v1::JobSpec spec = TinySpec(12, 100);
  std::string id;
  ASSERT_NO_FATAL_FAILURE(TrainBothWays(spec, &id));
  const double max_diff = MaxDistributedLocalDiff(spec);
  EXPECT_LT(max_diff, 1e-4);
  const std::vector<float> a = Params(spec, dir_.Join("distributed"));
  // The parameters moved far more than that from their (shared) initial values.
  v1::JobSpec one_step = spec;
  one_step.mutable_training()->set_max_steps(1);
  testing::WriteText(dir_.Join("one.json"), SpecToJson(one_step));
  ChildProcess none({testing::BinDir() + "/tandem-local", "train", dir_.Join("one.json"), "--out",
                     dir_.Join("one-step"), "--threads", "1"},
                    dir_.Join("one.out"));
  ASSERT_EQ(none.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("one.out"));
  const std::vector<float> c = Params(spec, dir_.Join("one-step"), 1);
  double moved = 0;
  for (size_t i = 0; i < a.size(); ++i) moved = std::max(moved, double{std::fabs(a[i] - c[i])});
  std::printf("max |distributed - local| %.3g, max move over 11 steps %.3g\n", max_diff, moved);
  EXPECT_GT(moved, 100 * max_diff);
}

// model.architecture transformer on real workers: the same semantics as the recurrent model
// (two workers over the gRPC collective end with one process's parameters within float
// rounding), and the coordinator translates with the job's Transformer, with attention.
TEST_F(TwoWorkersAndOneProcessTest, ATransformerOnTwoWorkersEqualsOneProcessAndTranslates) {
  v1::JobSpec spec = TinySpec(12, 100);
  spec.mutable_model()->set_architecture("transformer");
  spec.mutable_model()->set_hidden_dim(0);
  spec.mutable_model()->set_heads(2);
  spec.mutable_model()->set_ff_dim(32);
  spec.mutable_model()->set_encoder_layers(2);
  spec.mutable_model()->set_decoder_layers(2);
  spec.mutable_training()->set_warmup_steps(4);
  spec.mutable_training()->set_lr_schedule("inverse_sqrt");
  std::string id;
  ASSERT_NO_FATAL_FAILURE(TrainBothWays(spec, &id));
  EXPECT_LT(MaxDistributedLocalDiff(spec), 1e-4);
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, client_->Get(id));
  EXPECT_EQ(job.spec().model().architecture(), "transformer");

  v1::TranslateRequest request;
  request.set_job_id(id);
  request.add_sentences("the cat eats fish");
  request.add_sentences("the dog sings");
  request.set_beam_size(3);
  ASSERT_OK_AND_ASSIGN(v1::TranslateResponse beam, client_->Translate(request));
  ASSERT_EQ(beam.translations_size(), 2);
  EXPECT_EQ(beam.model(), "final");
  request.set_beam_size(1);
  request.set_attention(true);
  ASSERT_OK_AND_ASSIGN(v1::TranslateResponse att, client_->Translate(request));
  ASSERT_EQ(att.translations_size(), 2);
  for (const auto& t : att.translations()) ExpectAnAttentionMatrix(t);
}

// training.ema_decay on real workers: the downloaded model's average and training weights are
// what one process computes; then `tandem average` over the local run's kept checkpoints gives a
// model directory that `tandem translate` uses.
TEST_F(TwoWorkersAndOneProcessTest, WithEmaTwoWorkersEqualOneProcessAndAveragedCheckpointsTranslate) {
  v1::JobSpec spec = TinySpec(12, 4);
  spec.mutable_training()->set_ema_decay(0.9);
  std::string job_id;
  ASSERT_NO_FATAL_FAILURE(TrainBothWays(spec, &job_id));
  struct Weights {
    std::vector<float> params, ema;
  };
  auto weights = [&](const std::string& dir) {
    std::unique_ptr<Trainer> t = Load(spec, dir, 12);
    return t == nullptr ? Weights{} : Weights{t->FlatParameters(), t->FlatEmaParameters()};
  };
  const Weights a = weights(dir_.Join("distributed"));
  const Weights b = weights(dir_.Join("local"));
  ASSERT_EQ(a.params.size(), b.params.size());
  ASSERT_EQ(a.ema.size(), a.params.size());
  ASSERT_EQ(b.ema.size(), a.params.size());
  double params_diff = 0, ema_diff = 0, ema_vs_params = 0;
  for (size_t i = 0; i < a.params.size(); ++i) {
    params_diff = std::max(params_diff, double{std::fabs(a.params[i] - b.params[i])});
    ema_diff = std::max(ema_diff, double{std::fabs(a.ema[i] - b.ema[i])});
    ema_vs_params = std::max(ema_vs_params, double{std::fabs(a.ema[i] - a.params[i])});
  }
  EXPECT_LT(params_diff, 1e-4);
  EXPECT_LT(ema_diff, 1e-4);
  EXPECT_GT(ema_vs_params, 100 * ema_diff) << "the average is not the training weights";

  ChildProcess average({testing::BinDir() + "/tandem", "average", "--model", dir_.Join("local"),
                        "--last", "3", "-o", dir_.Join("averaged")},
                       dir_.Join("average.out"), dir_.Join("average.err"));
  ASSERT_EQ(average.Wait(std::chrono::seconds(60)), 0)
      << testing::ReadText(dir_.Join("average.err"));
  EXPECT_THAT(testing::ReadText(dir_.Join("average.out")),
              HasSubstr("averaged 3 checkpoints (steps 4, 8, 12)"));
  ChildProcess translate({testing::BinDir() + "/tandem", "translate", "--model",
                          dir_.Join("averaged"), "--beam", "2", "the cat eats fish"},
                         dir_.Join("translate.out"), dir_.Join("translate.err"));
  ASSERT_EQ(translate.Wait(std::chrono::seconds(60)), 0)
      << testing::ReadText(dir_.Join("translate.err"));
  EXPECT_FALSE(testing::ReadText(dir_.Join("translate.out")).empty());
  // The job's kept checkpoints come with `download --checkpoints`, in the layout of a local
  // run, and average the same way.
  ChildProcess download({testing::BinDir() + "/tandem", "download", job_id, dir_.Join("dl"),
                         "--checkpoints", "--coordinator", address_},
                        dir_.Join("dl.out"), dir_.Join("dl.err"));
  ASSERT_EQ(download.Wait(std::chrono::seconds(60)), 0) << testing::ReadText(dir_.Join("dl.err"));
  const std::vector<CheckpointFile> kept = ListCheckpoints(dir_.Join("dl/checkpoints"));
  ASSERT_GE(kept.size(), 2u);
  for (const CheckpointFile& c : kept) EXPECT_EQ(c.step % 4, 0) << c.path;
  EXPECT_FALSE(PathExists(dir_.Join("distributed/checkpoints"))) << "only when asked for";
  ChildProcess job_average({testing::BinDir() + "/tandem", "average", "--model", dir_.Join("dl"),
                            "--last", "2", "-o", dir_.Join("dl-averaged")},
                           dir_.Join("dl-average.out"), dir_.Join("dl-average.err"));
  ASSERT_EQ(job_average.Wait(std::chrono::seconds(60)), 0)
      << testing::ReadText(dir_.Join("dl-average.err"));
  EXPECT_THAT(testing::ReadText(dir_.Join("dl-average.out")), HasSubstr("averaged 2 checkpoints"));
  ChildProcess job_translate({testing::BinDir() + "/tandem", "translate", "--model",
                              dir_.Join("dl-averaged"), "the cat eats fish"},
                             dir_.Join("dl-translate.out"), dir_.Join("dl-translate.err"));
  ASSERT_EQ(job_translate.Wait(std::chrono::seconds(60)), 0)
      << testing::ReadText(dir_.Join("dl-translate.err"));
  EXPECT_FALSE(testing::ReadText(dir_.Join("dl-translate.out")).empty());

  ChildProcess too_many({testing::BinDir() + "/tandem", "average", "--model", dir_.Join("local"),
                         "--last", "4", "-o", dir_.Join("more")},
                        dir_.Join("more.out"), dir_.Join("more.err"));
  EXPECT_EQ(too_many.Wait(std::chrono::seconds(60)), 2);
  EXPECT_THAT(testing::ReadText(dir_.Join("more.err")),
              HasSubstr("holds 3 checkpoints (steps 4, 8, 12)"));
}

// All workers lost: a fresh worker resumes the job from its newest checkpoint.
TEST_F(ClusterTest, FreshWorkerResumesFromTheNewestCheckpoint) {
  auto w1 = StartWorker("cache1");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  v1::JobSpec spec = TinySpec(120, 30);
  spec.mutable_workers()->set_min(1);
  spec.mutable_workers()->set_max(1);
  auto id = client_->Submit(spec);
  ASSERT_OK(id);
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->progress().checkpoint_step() >= 30; },
                      std::chrono::seconds(120)));
  w1->Kill(SIGKILL);
  auto w2 = StartWorker("cache2");
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->state() == v1::JOB_STATE_SUCCEEDED; },
                      std::chrono::seconds(180)))
      << client_->Get(*id)->message();
  EXPECT_THAT(testing::ReadText(dir_.Join("cache2.log")), HasSubstr("(the checkpoint)"));
  EXPECT_EQ(client_->Get(*id)->progress().step(), 120u);
}

// Elastic growth: a worker that appears while a job runs below workers.max joins it in a new
// generation (taking the parameters from its peer, no checkpoint), and the job ends at its
// step count.
TEST_F(ClusterTest, AWorkerThatAppearsJoinsARunningJobBelowItsMaximum) {
  auto w1 = StartWorker("cache1");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  auto id = client_->Submit(TinySpec(200, 1000));
  ASSERT_OK(id);
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->progress().step() >= 20; },
                      std::chrono::seconds(120)));
  const uint64_t generation = client_->Get(*id)->generation();
  ASSERT_EQ(client_->Get(*id)->assignments_size(), 1);
  auto w2 = StartWorker("cache2");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto j = client_->Get(*id);
        return j->assignments_size() == 2 || j->state() == v1::JOB_STATE_SUCCEEDED;
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(client_->Get(*id)->assignments_size(), 2) << "the job ended before the worker joined";
  EXPECT_GT(client_->Get(*id)->generation(), generation);
  ASSERT_TRUE(WaitFor([&] { return client_->Get(*id)->state() == v1::JOB_STATE_SUCCEEDED; },
                      std::chrono::seconds(180)))
      << client_->Get(*id)->message();
  EXPECT_EQ(client_->Get(*id)->progress().step(), 200u);
  auto events = client_->Events(*id, 0, 0);
  ASSERT_OK(events);
  bool grew = false;
  for (const auto& e : *events) grew |= absl::StrContains(e.message(), "below workers.max 2");
  EXPECT_TRUE(grew);
  EXPECT_THAT(testing::ReadText(dir_.Join("cache2.log")), Not(HasSubstr("(the checkpoint)")));
}

TEST_F(ClusterTest, EveryProgramSaysItsVersion) {
  auto w1 = StartWorker("cache1");
  ASSERT_TRUE(WaitFor([&] { return ActiveWorkers() == 1; }, std::chrono::seconds(20)));
  EXPECT_THAT(client_->CoordinatorVersion(), IsOkAndHolds(TandemVersion()));
  ASSERT_OK_AND_ASSIGN(const auto workers, client_->Workers());
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].version(), TandemVersion());
  for (const char* program : {"/tandem-coordinator", "/tandem-worker"}) {
    ChildProcess p({testing::BinDir() + program, "--version"}, dir_.Join("version.out"));
    EXPECT_EQ(p.Wait(std::chrono::seconds(20)), 0) << program;
  }
  EXPECT_EQ(testing::ReadText(dir_.Join("version.out")),
            "tandem-coordinator " + TandemVersion() + "\ntandem-worker " + TandemVersion() + "\n");
}

TEST_F(ClusterTest, RpcErrorsAreClear) {
  // A heartbeat from an unknown worker id.
  auto control = v1::ControlService::NewStub(MakeChannel(address_));
  grpc::ClientContext ctx1;
  v1::HeartbeatRequest beat;
  beat.set_worker_id("w-nobody");
  v1::HeartbeatResponse beat_resp;
  grpc::Status s1 = control->Heartbeat(&ctx1, beat, &beat_resp);
  EXPECT_EQ(s1.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s1.error_message(), HasSubstr("unknown worker id 'w-nobody'"));

  // A message over the size limit is refused and changes nothing.
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  auto big_channel = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
  auto jobs = v1::JobService::NewStub(big_channel);
  grpc::ClientContext ctx2;
  v1::SubmitJobRequest req;
  *req.mutable_spec() = Spec();
  req.mutable_spec()->set_name(std::string(kMaxMessageBytes + 1, 'x'));
  v1::SubmitJobResponse resp;
  grpc::Status s2 = jobs->SubmitJob(&ctx2, req, &resp);
  EXPECT_EQ(s2.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s2.error_message();
  EXPECT_TRUE(client_->List()->empty());

  // Translating with a job that has no checkpoint yet says so.
  auto queued = client_->Submit(Spec());  // no worker: it waits
  ASSERT_OK(queued);
  v1::TranslateRequest treq;
  treq.set_job_id(*queued);
  treq.add_sentences("the dog sings");
  auto no_model = client_->Translate(treq);
  EXPECT_THAT(no_model,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no checkpoint yet")));

  // Cancelling an unknown job.
  auto cancel = client_->Cancel("job-123456");
  EXPECT_THAT(cancel, StatusIs(absl::StatusCode::kNotFound, HasSubstr("job-123456")));
}

}  // namespace
}  // namespace tandem
