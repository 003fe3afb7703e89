// The trainer with real SentencePiece models and a tiny real model (no sockets).
#include "worker/trainer.h"

#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/files.h"
#include "common/job_spec.h"
#include "coordinator/preparer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteToyCorpus(dir_.path(), 600, 5);
    spec_.mutable_corpus()->set_train_source(dir_.Join("train.en"));
    spec_.mutable_corpus()->set_train_target(dir_.Join("train.es"));
    spec_.mutable_corpus()->set_valid_source(dir_.Join("train.en"));
    spec_.mutable_corpus()->set_valid_target(dir_.Join("train.es"));
    spec_.mutable_tokenizer()->set_vocab_size(40);
    spec_.mutable_model()->set_embedding_dim(16);
    spec_.mutable_model()->set_hidden_dim(16);
    spec_.mutable_training()->set_batch_tokens(300);
    spec_.mutable_training()->set_max_steps(40);
    spec_.mutable_training()->set_learning_rate(0.01f);
    spec_.mutable_training()->set_seed(11);
    spec_.mutable_workers()->set_max(2);  // two shards
    ApplyDefaults(spec_);
    ASSERT_TRUE(ValidateSpec(spec_).ok());
    auto prepared = PrepareJob(spec_, dir_.Join("job"));
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    for (const auto& s : prepared->shards) {
      shards_.push_back(*ArtifactPath(dir_.Join("job"), ShardArtifactName(s.index())));
    }
  }

  TrainerConfig Config(std::vector<std::string> shards, uint64_t shard_id) {
    TrainerConfig c;
    c.spec = spec_;
    c.source_model = dir_.Join("job/tokenizer/source.model");
    c.target_model = dir_.Join("job/tokenizer/target.model");
    c.shard_files = std::move(shards);
    c.shard_id = shard_id;
    c.threads = 1;
    return c;
  }

  std::unique_ptr<Trainer> Make(const v1::JobSpec& spec) {
    TrainerConfig c;
    c.spec = spec;
    c.source_model = dir_.Join("job/tokenizer/source.model");
    c.target_model = dir_.Join("job/tokenizer/target.model");
    c.shard_files = shards_;
    c.valid_file = dir_.Join("job/valid.tsv");
    c.valid_bleu_sentences = 50;
    c.threads = 1;
    auto t = Trainer::Create(c);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }

  testing::TempDir dir_;
  v1::JobSpec spec_;
  std::vector<std::string> shards_;
};

TEST_F(TrainerTest, LossFallsAndValidationTranslates) {
  auto t = Make(spec_);
  ASSERT_NE(t, nullptr);
  double first = 0, last = 0;
  while (!t->Finished()) {
    auto s = t->Step();
    ASSERT_TRUE(s.ok()) << s.status();
    if (s->step == 1) first = s->loss;
    last = s->loss;
    EXPECT_GT(s->tokens, 0);
  }
  EXPECT_EQ(t->step(), 40);
  EXPECT_LT(last, first - 1.0) << "first " << first << " last " << last;
  auto v = t->Validate();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->sentences, 50);
  EXPECT_GT(v->bleu, 0.0);
  auto out = t->Translate({"the dog runs", "a small bird sings"}, 3);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), 2u);
}

TEST_F(TrainerTest, ResumedRunMatchesAnUninterruptedOneStepForStep) {
  std::vector<double> uninterrupted;
  {
    auto t = Make(spec_);
    for (int i = 0; i < 24; ++i) uninterrupted.push_back(t->Step()->loss);
  }
  std::vector<double> resumed;
  {
    auto t = Make(spec_);
    for (int i = 0; i < 12; ++i) resumed.push_back(t->Step()->loss);
    ASSERT_TRUE(t->SaveCheckpoint(dir_.Join("mid.ckpt")).ok());
  }
  auto t = Make(spec_);
  ASSERT_TRUE(t->LoadCheckpoint(dir_.Join("mid.ckpt")).ok());
  EXPECT_EQ(t->step(), 12);
  for (int i = 0; i < 12; ++i) resumed.push_back(t->Step()->loss);
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_EQ(resumed[i], uninterrupted[i]) << "step " << i + 1;
  }
}

TEST_F(TrainerTest, EpochLimitEndsTraining) {
  v1::JobSpec spec = spec_;
  spec.mutable_training()->set_max_steps(0);
  spec.mutable_training()->set_epochs(1);
  auto t = Make(spec);
  int steps = 0;
  while (!t->Finished() && steps < 10000) {
    ASSERT_TRUE(t->Step().ok());
    ++steps;
  }
  EXPECT_GT(steps, 1);
  EXPECT_LT(steps, 10000);
}

TEST_F(TrainerTest, BadCheckpointsAreRefusedAndChangeNothing) {
  auto t = Make(spec_);
  ASSERT_TRUE(t->Step().ok());
  ASSERT_TRUE(t->SaveCheckpoint(dir_.Join("good.ckpt")).ok());
  const uint64_t before = t->ParameterChecksum();

  const std::string bytes = *ReadFile(dir_.Join("good.ckpt"));
  testing::WriteText(dir_.Join("truncated.ckpt"), bytes.substr(0, bytes.size() / 2));
  absl::Status s = t->LoadCheckpoint(dir_.Join("truncated.ckpt"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("truncated.ckpt"));
  EXPECT_EQ(t->ParameterChecksum(), before);

  v1::JobSpec bigger = spec_;
  bigger.mutable_model()->set_hidden_dim(24);
  auto other = Make(bigger);
  ASSERT_TRUE(other->SaveCheckpoint(dir_.Join("other.ckpt")).ok());
  s = t->LoadCheckpoint(dir_.Join("other.ckpt"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("another model shape"));
  EXPECT_EQ(t->ParameterChecksum(), before);

  EXPECT_EQ(t->LoadCheckpoint(dir_.Join("missing.ckpt")).code(), absl::StatusCode::kNotFound);
}

TEST(EarlyStoppingTest, StopsAfterPatienceValidationsWithoutImprovement) {
  EarlyStopping never(0);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(never.ShouldStop(1.0));
  EarlyStopping two(2);
  EXPECT_FALSE(two.ShouldStop(5.0));
  EXPECT_FALSE(two.ShouldStop(4.0));  // 1 bad
  EXPECT_FALSE(two.ShouldStop(6.0));  // improvement resets
  EXPECT_FALSE(two.ShouldStop(6.0));  // equal is not better: 1 bad
  EXPECT_TRUE(two.ShouldStop(2.0));   // 2 bad
  EXPECT_EQ(two.bad_validations(), 2u);
}

TEST_F(TrainerTest, SameSeedSameParameters) {
  auto a = Make(spec_);
  auto b = Make(spec_);
  EXPECT_EQ(a->ParameterChecksum(), b->ParameterChecksum());
  ASSERT_TRUE(a->Step().ok());
  EXPECT_NE(a->ParameterChecksum(), b->ParameterChecksum());
}

// An in-process summing all-reduce for two threads (a barrier with a shared sum).
struct TwoRankSum {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<float> sum;
  int arrived = 0, departed = 0;
  uint64_t round = 0;
  absl::Status operator()(float* data, size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return departed == 0; });
    if (arrived == 0) sum.assign(n, 0.0f);
    for (size_t i = 0; i < n; ++i) sum[i] += data[i];
    const uint64_t my_round = round;
    if (++arrived == 2) {
      ++round;
      cv.notify_all();
    }
    cv.wait(lock, [&] { return round != my_round; });
    std::copy(sum.begin(), sum.end(), data);
    if (++departed == 2) {
      arrived = departed = 0;
      cv.notify_all();
    }
    return absl::OkStatus();
  }
};

TEST_F(TrainerTest, ReplicasWithASummingAllReduceStayIdentical) {
  // Dropout masks come from each process's generator; without dropout the arithmetic of the
  // two setups is the same, so the comparison below is exact up to float rounding.
  spec_.mutable_model()->set_dropout(0);
  TwoRankSum sum;
  std::vector<std::unique_ptr<Trainer>> replicas;
  for (int rank = 0; rank < 2; ++rank) {
    TrainerConfig c = Config({shards_[static_cast<size_t>(rank)]}, static_cast<uint64_t>(rank));
    c.all_reduce = [&sum](float* d, size_t n) { return sum(d, n); };
    replicas.push_back(std::move(*Trainer::Create(c)));
  }
  ASSERT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum());
  // One process that accumulates the same two batches per update (streams for ranks 0, 1).
  TrainerConfig single_config = Config({shards_[0]}, 0);
  single_config.more_streams = {{{shards_[1]}, 1}};
  auto single = std::move(*Trainer::Create(single_config));
  ASSERT_EQ(single->ParameterChecksum(), replicas[0]->ParameterChecksum());
  for (int step = 0; step < 5; ++step) {
    std::vector<absl::StatusOr<StepStats>> stats(2, absl::UnknownError("not run"));
    std::thread other([&] { stats[1] = replicas[1]->Step(); });
    stats[0] = replicas[0]->Step();
    other.join();
    ASSERT_TRUE(stats[0].ok() && stats[1].ok());
    EXPECT_EQ(stats[0]->loss, stats[1]->loss);
    EXPECT_EQ(stats[0]->tokens, stats[1]->tokens);
    EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum()) << step;
    auto alone = single->Step();
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(alone->tokens, stats[0]->tokens) << "the union of both ranks' batches";
    EXPECT_NEAR(alone->loss, stats[0]->loss, 1e-5);
  }
  // Data parallel over 2 ranks = one process on the union of their batches.
  const std::vector<float> a = replicas[0]->FlatParameters();
  const std::vector<float> b = single->FlatParameters();
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0;
  for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double{std::fabs(a[i] - b[i])});
  EXPECT_LT(max_diff, 1e-5);
}

}  // namespace
}  // namespace tandem
