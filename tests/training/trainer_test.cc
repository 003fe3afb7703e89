// The trainer with real SentencePiece models and a tiny real model (no sockets).
#include "training/trainer.h"
#include "training/training_loop.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collective/in_process.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "data/preparer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/trained_model.h"
#include "model/bleu.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"
#include "tests/testing/toy_job.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = testing::ToyJobSpec(dir_, 600, 5, /*dim=*/16);
    spec_.mutable_training()->set_batch_tokens(300);
    spec_.mutable_training()->set_max_steps(40);
    spec_.mutable_training()->set_learning_rate(0.01f);
    spec_.mutable_training()->set_seed(11);
    spec_.mutable_workers()->set_max(Streams());  // as many shards
    ASSERT_OK_AND_ASSIGN(testing::ToyJob job, testing::PrepareToyJob(spec_, dir_.Join("job")));
    spec_ = job.spec;
    shards_ = job.shards;
    job_ = std::move(job);
  }

  // The job's data streams (workers.max).
  virtual uint32_t Streams() const { return 2; }

  // A trainer config whose streams are the given shard indices (stream id = shard index).
  TrainerConfig Config(std::vector<size_t> streams) {
    TrainerConfig c;
    c.spec = spec_;
    c.source_model = dir_.Join("job/tokenizer/source.model");
    c.target_model = dir_.Join("job/tokenizer/target.model");
    for (size_t s : streams) c.streams.push_back({{shards_[s]}, s});
    c.threads = 1;
    c.exchange.bucket_bytes = 2048;  // many buckets: the overlap path with several rounds in flight
    return c;
  }
  std::vector<TrainerConfig::Stream> Streams(std::vector<size_t> streams) {
    return Config(std::move(streams)).streams;
  }

  std::unique_ptr<Trainer> Make(const v1::JobSpec& spec) {
    TrainerConfig c = job_.TrainerConfigFor(spec, 50);
    auto t = Trainer::Create(c);
    EXPECT_OK(t);
    return t.ok() ? std::move(*t) : nullptr;
  }

  // Shared by the RNN and transformer tests (TransformerTrainerTest).
  void ExpectResumedRunMatchesAnUninterruptedOne();

  // Steps `t` to its end; the first and last step's losses (every step must succeed and see
  // tokens).
  static std::pair<double, double> TrainToEnd(Trainer& t) {
    double first = 0, last = 0;
    while (!t.Finished()) {
      auto s = t.Step();
      EXPECT_OK(s);
      if (!s.ok()) break;
      if (s->step == 1) first = s->loss;
      last = s->loss;
      EXPECT_GT(s->tokens, 0);
    }
    return {first, last};
  }

  testing::TempDir dir_;
  v1::JobSpec spec_;
  std::vector<std::string> shards_;
  testing::ToyJob job_;
};

TEST_F(TrainerTest, LossFallsAndValidationTranslates) {
  auto t = Make(spec_);
  ASSERT_NE(t, nullptr);
  const auto [first, last] = TrainToEnd(*t);
  EXPECT_EQ(t->step(), 40);
  EXPECT_LT(last, first - 1.0) << "first " << first << " last " << last;
  auto v = t->Validate();
  ASSERT_OK(v);
  EXPECT_EQ(v->sentences, 50);
  EXPECT_GT(v->bleu, 0.0);
  auto out = t->translator().Translate({"the dog runs", "a small bird sings"}, 3);
  ASSERT_OK(out);
  EXPECT_EQ(out->size(), 2u);
  // Sentences of many lengths, more than one chunk: decoded in length order, answered in
  // input order, each as it is alone.
  const std::vector<std::string> words = {"the", "a", "dog", "runs", "small", "bird", "sings",
                                          "house", "red", "fish"};
  std::vector<std::string> many;
  for (size_t i = 0; i < 45; ++i) {
    std::string s;
    for (size_t k = 0; k < 1 + (i * 7) % 9; ++k) {
      s += (k ? " " : "") + words[(i + k * 3) % words.size()];
    }
    many.push_back(s);
  }
  auto together = t->translator().Translate(many, 1);
  ASSERT_OK(together);
  ASSERT_EQ(together->size(), many.size());
  for (size_t i = 0; i < many.size(); ++i) {
    auto alone = t->translator().Translate({many[i]}, 1);
    ASSERT_OK(alone);
    EXPECT_EQ((*together)[i], alone->front()) << "sentence " << i << ": " << many[i];
  }
}

TEST_F(TrainerTest, ResumedRunMatchesAnUninterruptedOneStepForStep) {
  ExpectResumedRunMatchesAnUninterruptedOne();
}

void TrainerTest::ExpectResumedRunMatchesAnUninterruptedOne() {
  std::vector<double> uninterrupted;
  {
    auto t = Make(spec_);
    for (int i = 0; i < 24; ++i) uninterrupted.push_back(t->Step()->loss);
  }
  std::vector<double> resumed;
  {
    auto t = Make(spec_);
    for (int i = 0; i < 12; ++i) resumed.push_back(t->Step()->loss);
    ASSERT_OK(t->SaveCheckpoint(dir_.Join("mid.ckpt")));
  }
  auto t = Make(spec_);
  ASSERT_OK(t->LoadCheckpoint(dir_.Join("mid.ckpt")));
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
    ASSERT_OK(t->Step());
    ++steps;
  }
  EXPECT_GT(steps, 1);
  EXPECT_LT(steps, 10000);
}

TEST_F(TrainerTest, BadCheckpointsAreRefusedAndChangeNothing) {
  auto t = Make(spec_);
  ASSERT_OK(t->Step());
  ASSERT_OK(t->SaveCheckpoint(dir_.Join("good.ckpt")));
  const uint64_t before = t->ParameterChecksum();

  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadFile(dir_.Join("good.ckpt")));
  testing::WriteText(dir_.Join("truncated.ckpt"), bytes.substr(0, bytes.size() / 2));
  absl::Status s = t->LoadCheckpoint(dir_.Join("truncated.ckpt"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("truncated.ckpt")));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("truncated or not a")));
  EXPECT_EQ(t->ParameterChecksum(), before);

  v1::JobSpec bigger = spec_;
  bigger.mutable_model()->set_hidden_dim(24);
  auto other = Make(bigger);
  ASSERT_OK(other->SaveCheckpoint(dir_.Join("other.ckpt")));
  s = t->LoadCheckpoint(dir_.Join("other.ckpt"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another model shape")));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("other.ckpt")));
  EXPECT_EQ(t->ParameterChecksum(), before);

  EXPECT_THAT(t->LoadCheckpoint(dir_.Join("missing.ckpt")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.ckpt")));
}

TEST_F(TrainerTest, LoadCheckpointIfNewerSkipsOlderCheckpoints) {
  auto t = Make(spec_);
  ASSERT_OK(t->Step());
  ASSERT_OK(t->SaveCheckpoint(dir_.Join("one.ckpt")));
  ASSERT_OK(t->Step());
  ASSERT_OK(t->Step());
  ASSERT_OK(t->SaveCheckpoint(dir_.Join("three.ckpt")));
  const uint64_t at_three = t->ParameterChecksum();
  ASSERT_OK(t->Step());
  const uint64_t at_four = t->ParameterChecksum();
  auto older = t->LoadCheckpointIfNewer(dir_.Join("three.ckpt"));
  ASSERT_OK(older);
  EXPECT_FALSE(*older);
  EXPECT_EQ(t->step(), 4);
  EXPECT_EQ(t->ParameterChecksum(), at_four);
  auto fresh = Make(spec_);
  auto newer = fresh->LoadCheckpointIfNewer(dir_.Join("three.ckpt"));
  ASSERT_OK(newer);
  EXPECT_TRUE(*newer);
  EXPECT_EQ(fresh->step(), 3);
  EXPECT_EQ(fresh->ParameterChecksum(), at_three);
  EXPECT_THAT(fresh->LoadCheckpointIfNewer(dir_.Join("missing.ckpt")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.ckpt")));
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
  ASSERT_OK(a->Step());
  EXPECT_NE(a->ParameterChecksum(), b->ParameterChecksum());
}

// Runs fn(rank) on one thread per rank and returns the results.
template <typename Fn>
auto OnRanks(int world, Fn fn) {
  std::vector<decltype(fn(0))> out;
  for (int r = 0; r < world; ++r) out.emplace_back(absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int r = 1; r < world; ++r) threads.emplace_back([&, r] { out[r] = fn(r); });
  out[0] = fn(0);
  for (auto& t : threads) t.join();
  return out;
}

double MaxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    d = std::max(d, double{std::fabs(a[i] - b[i])});
  }
  return d;
}

// Two replicas with their streams and a communicator each, synchronised.
std::vector<std::unique_ptr<Trainer>> MakeReplicas(collective::InProcessGroup& group,
                                                   std::vector<TrainerConfig> configs) {
  std::vector<std::unique_ptr<Trainer>> replicas;
  for (size_t r = 0; r < configs.size(); ++r) {
    configs[r].communicator = group.rank(static_cast<int>(r));
    auto t = Trainer::Create(configs[r]);
    EXPECT_OK(t);
    replicas.push_back(std::move(*t));
  }
  auto roots = OnRanks(static_cast<int>(configs.size()),
                       [&](int r) { return replicas[static_cast<size_t>(r)]->Synchronize(); });
  for (const auto& root : roots) EXPECT_OK(root);
  return replicas;
}

// Run for the RNN (TrainerTest) and the transformer (TransformerTrainerTest).
void ExpectReplicasEqualOneProcessOnTheUnionOfTheirBatches(
    const std::function<TrainerConfig(std::vector<size_t>)>& Config) {
  // Dropout stays on (0.1): its masks are seeded from (seed, step, stream), so they are the
  // same whichever process runs a stream.
  ASSERT_GT(Config({0}).spec.model().dropout(), 0);
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  ASSERT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum());
  auto single = std::move(*Trainer::Create(Config({0, 1})));
  ASSERT_EQ(single->ParameterChecksum(), replicas[0]->ParameterChecksum());
  for (int step = 0; step < 5; ++step) {
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    EXPECT_EQ(stats[0]->loss, stats[1]->loss);
    EXPECT_EQ(stats[0]->tokens, stats[1]->tokens);
    EXPECT_GE(stats[0]->comm_seconds, 0.0);
    EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum()) << step;
    auto alone = single->Step();
    ASSERT_OK(alone);
    EXPECT_EQ(alone->tokens, stats[0]->tokens) << "the union of both ranks' batches";
    EXPECT_NEAR(alone->loss, stats[0]->loss, 1e-5);
    EXPECT_NEAR(alone->grad_norm, stats[0]->grad_norm, 1e-4 * alone->grad_norm);
  }
  EXPECT_LT(MaxDiff(replicas[0]->FlatParameters(), single->FlatParameters()), 1e-5);
}

TEST_F(TrainerTest, ReplicasOverAnAllReduceEqualOneProcessOnTheUnionOfTheirBatches) {
  ExpectReplicasEqualOneProcessOnTheUnionOfTheirBatches(
      [&](std::vector<size_t> streams) { return Config(std::move(streams)); });
}

// A job of four streams (workers.max 4): whatever the number of ranks and however the
// streams are dealt, every step ends with the bits of one process holding all four. Float
// addition of three or more terms depends on its order, so these gradients are summed in
// stream order, not by the all-reduce (GradientExchange.streams).
class FourStreamTrainerTest : public TrainerTest {
 protected:
  uint32_t Streams() const override { return 4; }
  void SetUp() override {
    TrainerTest::SetUp();
    ASSERT_GE(shards_.size(), 4u);
  }

  // Steps the ranks (one config each) and one process holding every stream together, and
  // expects the same parameter bits after every step.
  void ExpectBitsOfOneProcess(const std::vector<std::vector<size_t>>& deal) {
    const int world = static_cast<int>(deal.size());
    collective::InProcessGroup group(world);
    std::vector<TrainerConfig> configs;
    for (const auto& streams : deal) configs.push_back(Config(streams));
    auto replicas = MakeReplicas(group, configs);
    auto single = std::move(*Trainer::Create(Config({0, 1, 2, 3})));
    ASSERT_EQ(single->ParameterChecksum(), replicas[0]->ParameterChecksum());
    for (int step = 0; step < 6; ++step) {
      auto stats =
          OnRanks(world, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
      for (const auto& st : stats) ASSERT_OK(st);
      auto alone = single->Step();
      ASSERT_OK(alone);
      EXPECT_EQ(alone->tokens, stats[0]->tokens);
      for (int r = 0; r < world; ++r) {
        EXPECT_EQ(replicas[static_cast<size_t>(r)]->ParameterChecksum(),
                  single->ParameterChecksum())
            << "rank " << r << " of " << world << ", step " << step + 1;
      }
      EXPECT_EQ(stats[0]->grad_norm, alone->grad_norm) << step;
    }
    EXPECT_EQ(MaxDiff(replicas[0]->FlatParameters(), single->FlatParameters()), 0.0);
  }
};

TEST_F(FourStreamTrainerTest, TwoRanksEndWithTheBitsOfOneProcess) {
  ExpectBitsOfOneProcess({{0, 2}, {1, 3}});
}

TEST_F(FourStreamTrainerTest, ThreeRanksDealtUnevenlyEndWithTheBitsOfOneProcess) {
  ExpectBitsOfOneProcess({{0, 3}, {1}, {2}});
}

TEST_F(FourStreamTrainerTest, FourRanksAndALopsidedDealEndWithTheBitsOfOneProcess) {
  ExpectBitsOfOneProcess({{0}, {1}, {2}, {3}});
  ExpectBitsOfOneProcess({{0, 1, 3}, {2}});  // a survivor holding three streams
}

// The same trainer with model.architecture transformer (2+2 layers, 4 heads, learned
// positions so that every parameter kind takes part).
class TransformerTrainerTest : public TrainerTest {
 protected:
  void SetUp() override {
    TrainerTest::SetUp();
    auto& m = *spec_.mutable_model();
    m.set_architecture("transformer");
    m.clear_attention();
    m.clear_cell();
    m.set_encoder_layers(2);
    m.set_decoder_layers(2);
    m.set_heads(4);
    m.set_positions("learned");
    ASSERT_OK(ValidateSpec(spec_));
  }
};

TEST_F(TransformerTrainerTest, ReplicasOverAnAllReduceEqualOneProcessOnTheUnionOfTheirBatches) {
  ExpectReplicasEqualOneProcessOnTheUnionOfTheirBatches(
      [&](std::vector<size_t> streams) { return Config(std::move(streams)); });
}

TEST_F(TransformerTrainerTest, ResumedRunMatchesAnUninterruptedOneStepForStep) {
  ExpectResumedRunMatchesAnUninterruptedOne();
}

TEST_F(TransformerTrainerTest, LossFallsAndValidationTranslates) {
  auto t = Make(spec_);
  ASSERT_NE(t, nullptr);
  // It is the transformer (its learned positions alone are 2 x 1024 x 16 parameters), not
  // the RNN of the same embedding size.
  v1::JobSpec rnn = spec_;
  rnn.mutable_model()->clear_architecture();
  rnn.mutable_model()->clear_heads();
  rnn.mutable_model()->clear_positions();
  rnn.mutable_model()->set_encoder_layers(1);
  rnn.mutable_model()->set_decoder_layers(1);
  ApplyDefaults(rnn);
  ASSERT_OK(ValidateSpec(rnn));
  EXPECT_GT(t->NumParameters(), 2 * 1024 * 16);
  EXPECT_NE(t->NumParameters(), Make(rnn)->NumParameters());
  const auto [first, last] = TrainToEnd(*t);
  EXPECT_LT(last, first - 1.0) << "first " << first << " last " << last;
  auto v = t->Validate();
  ASSERT_OK(v);
  EXPECT_EQ(v->sentences, 50);
  auto out = t->translator().Translate({"the dog runs", "a small bird sings"}, 3);
  ASSERT_OK(out);
  EXPECT_EQ(out->size(), 2u);
}

// training.gradient_wire: bf16: the replicas still hold the same bits after every step (the
// in-process group rounds every contribution to bf16 as the wire would), the token counts stay
// exact, and the updates stay close to float32's.
TEST_F(TrainerTest, Bf16GradientWireKeepsReplicasIdenticalAndCloseToFloat32) {
  v1::JobSpec bf16_spec = spec_;
  bf16_spec.mutable_training()->set_gradient_wire("bf16");
  auto config = [&](const v1::JobSpec& spec, size_t stream) {
    TrainerConfig c = Config({stream});
    c.spec = spec;
    return c;
  };
  collective::InProcessGroup bf16_group(2), fp32_group(2);
  auto bf16 = MakeReplicas(bf16_group, {config(bf16_spec, 0), config(bf16_spec, 1)});
  auto fp32 = MakeReplicas(fp32_group, {config(spec_, 0), config(spec_, 1)});
  ASSERT_EQ(bf16[0]->ParameterChecksum(), fp32[0]->ParameterChecksum());
  for (int step = 0; step < 5; ++step) {
    auto b = OnRanks(2, [&](int r) { return bf16[static_cast<size_t>(r)]->Step(); });
    auto f = OnRanks(2, [&](int r) { return fp32[static_cast<size_t>(r)]->Step(); });
    for (int r = 0; r < 2; ++r) {
      ASSERT_OK(b[r]);
      ASSERT_OK(f[r]);
    }
    EXPECT_EQ(bf16[0]->ParameterChecksum(), bf16[1]->ParameterChecksum()) << step;
    EXPECT_EQ(b[0]->loss, b[1]->loss);
    EXPECT_EQ(b[0]->tokens, f[0]->tokens) << "token counts travel exactly";
    EXPECT_NEAR(b[0]->loss, f[0]->loss, 1e-2 * f[0]->loss) << step;
    EXPECT_NEAR(b[0]->grad_norm, f[0]->grad_norm, 2e-2 * f[0]->grad_norm) << step;
  }
  EXPECT_EQ(bf16[0]->FlatParameters(), bf16[1]->FlatParameters());
  const double diff = MaxDiff(bf16[0]->FlatParameters(), fp32[0]->FlatParameters());
  EXPECT_GT(diff, 0.0) << "bf16 changed nothing: did the gradients travel in bf16?";
  // Adam moves every parameter by up to about the learning rate (0.01) per step whatever its
  // gradient's size, so a parameter whose tiny gradient bf16 rounded differently can drift by
  // about one step's worth over these 5 steps (measured: 0.0098), not more.
  EXPECT_LT(diff, 2 * spec_.training().learning_rate());
}

TEST_F(TrainerTest, ValidationIsSharedByTheRanksAndAgreesWithOneProcess) {
  collective::InProcessGroup group(2);
  std::vector<TrainerConfig> configs = {Config({0}), Config({1})};
  for (auto& c : configs) {
    c.valid_file = dir_.Join("job/valid.tsv");
    c.valid_bleu_sentences = 51;  // odd: the ranks decode 26 and 25
  }
  auto replicas = MakeReplicas(group, configs);
  TrainerConfig one = Config({0, 1});
  one.valid_file = dir_.Join("job/valid.tsv");
  one.valid_bleu_sentences = 51;
  auto single = std::move(*Trainer::Create(one));
  for (int step = 0; step < 40; ++step) {  // long enough for BLEU above 0
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    ASSERT_OK(single->Step());
  }
  auto v = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Validate(); });
  ASSERT_OK(v[0]);
  ASSERT_OK(v[1]);
  // The same bits on both ranks.
  EXPECT_EQ(v[0]->loss, v[1]->loss);
  EXPECT_EQ(v[0]->bleu, v[1]->bleu);
  EXPECT_EQ(v[0]->sentences, 51);
  EXPECT_EQ(v[1]->sentences, 51);
  EXPECT_EQ(v[0]->decoded_here, 26);  // each rank decoded its share
  EXPECT_EQ(v[1]->decoded_here, 25);
  // And what one process with the same parameters computes over the whole set.
  auto alone = single->Validate();
  ASSERT_OK(alone);
  EXPECT_NEAR(v[0]->loss, alone->loss, 1e-4 * alone->loss);
  EXPECT_NEAR(v[0]->bleu, alone->bleu, 1e-9);
  EXPECT_GT(alone->bleu, 0.0);
}

TEST_F(TrainerTest, ARankWithNoValidationSentenceStillTakesPart) {
  collective::InProcessGroup group(2);
  std::vector<TrainerConfig> configs = {Config({0}), Config({1})};
  for (auto& c : configs) {
    c.valid_file = dir_.Join("job/valid.tsv");
    c.valid_bleu_sentences = 1;  // rank 1 decodes nothing
  }
  auto replicas = MakeReplicas(group, configs);
  auto v = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Validate(); });
  ASSERT_OK(v[0]);
  ASSERT_OK(v[1]);
  EXPECT_EQ(v[0]->decoded_here, 1);
  EXPECT_EQ(v[1]->decoded_here, 0);
  EXPECT_EQ(v[0]->bleu, v[1]->bleu);
  EXPECT_EQ(v[0]->loss, v[1]->loss);
  EXPECT_GT(v[0]->loss, 0.0);
}

TEST_F(TrainerTest, ASurvivorTakesOverALostRanksStreamAndContinuesExactly) {
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  for (int step = 0; step < 3; ++step) {
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
  }
  // Rank 1 is lost: rank 0 continues alone in a new generation with both streams, from its
  // own parameters (no checkpoint).
  Trainer& survivor = *replicas[0];
  survivor.SetCommunicator(nullptr);
  ASSERT_OK(survivor.SetStreams(Streams({0, 1})));
  auto single = std::move(*Trainer::Create(Config({0, 1})));
  std::vector<double> survivor_losses, single_losses;
  for (int step = 0; step < 6; ++step) {
    auto alone = single->Step();
    ASSERT_OK(alone);
    single_losses.push_back(alone->loss);
    if (step >= 3) {
      auto s = survivor.Step();
      ASSERT_OK(s);
      survivor_losses.push_back(s->loss);
    }
  }
  EXPECT_EQ(survivor.step(), 6);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(survivor_losses[i], single_losses[3 + i], 1e-5);
  EXPECT_LT(MaxDiff(survivor.FlatParameters(), single->FlatParameters()), 1e-5);
}

TEST_F(TrainerTest, SynchronizeHandsTheNewestStateToAFreshReplica) {
  // The survivor trained 4 steps; a fresh worker joins: it adopts the survivor's parameters,
  // Adam state and step, wherever the survivor sits in the ring.
  auto trained = std::move(*Trainer::Create(Config({0, 1})));
  for (int i = 0; i < 4; ++i) ASSERT_OK(trained->Step());
  ASSERT_OK(trained->SaveCheckpoint(dir_.Join("survivor.ckpt")));
  collective::InProcessGroup group(2);
  auto fresh = std::move(*Trainer::Create(Config({0})));
  fresh->SetCommunicator(group.rank(0));
  EXPECT_THAT(fresh->Step(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                      HasSubstr("Synchronize() the new generation first")));
  trained->SetCommunicator(group.rank(1));
  ASSERT_OK(trained->SetStreams(Streams({1})));
  auto roots = OnRanks(2, [&](int r) { return (r == 0 ? fresh : trained)->Synchronize(); });
  ASSERT_OK(roots[0]);
  ASSERT_OK(roots[1]);
  EXPECT_EQ(*roots[0], 1);
  EXPECT_EQ(*roots[1], 1);
  EXPECT_EQ(fresh->step(), 4);
  EXPECT_EQ(fresh->ParameterChecksum(), trained->ParameterChecksum());
  // Both continue identically, and as the one process would have (its checkpoint).
  auto reference = std::move(*Trainer::Create(Config({0, 1})));
  ASSERT_OK(reference->LoadCheckpoint(dir_.Join("survivor.ckpt")));
  for (int step = 0; step < 2; ++step) {
    auto stats = OnRanks(2, [&](int r) { return (r == 0 ? fresh : trained)->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    EXPECT_EQ(fresh->ParameterChecksum(), trained->ParameterChecksum());
    auto ref = reference->Step();
    ASSERT_OK(ref);
    EXPECT_NEAR(ref->loss, stats[0]->loss, 1e-5);
  }
  EXPECT_LT(MaxDiff(fresh->FlatParameters(), reference->FlatParameters()), 1e-5);
}

TEST_F(TrainerTest, RanksAgreeOnTheLastStepOfAnEpochLimit) {
  spec_.mutable_training()->set_max_steps(0);
  spec_.mutable_training()->set_epochs(1);
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  auto single = std::move(*Trainer::Create(Config({0, 1})));
  int steps = 0;
  while (!replicas[0]->Finished() && steps < 1000) {
    ASSERT_FALSE(replicas[1]->Finished()) << "both ranks stop at the same step";
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    ASSERT_OK(single->Step());
    ++steps;
  }
  EXPECT_TRUE(replicas[1]->Finished());
  EXPECT_TRUE(single->Finished()) << "the same epoch end as one process with both streams";
  EXPECT_GT(steps, 1);
}

// Streams of different sizes, as a job with 3 shards and workers.max 2 has them (stream 0
// cycles shards 0 and 2, stream 1 shard 1): every epoch trains every pair exactly once, in one
// process, on two ranks, and when a stream moves from one rank to another mid-epoch.
class EpochAccountingTest : public TrainerTest {
 protected:
  void SetUp() override {
    spec_ = testing::ToyJobSpec(dir_, 600, 5, /*dim=*/16);
    spec_.mutable_training()->set_batch_tokens(300);
    spec_.mutable_training()->set_max_steps(0);
    spec_.mutable_training()->set_epochs(3);
    spec_.mutable_training()->set_seed(11);
    spec_.mutable_workers()->set_max(3);  // three shards
    ASSERT_OK_AND_ASSIGN(testing::ToyJob job, testing::PrepareToyJob(spec_, dir_.Join("job")));
    spec_ = job.spec;
    ASSERT_EQ(job.shards.size(), 3u);
    job_ = std::move(job);
  }
  // Stream 0 = shards 0 and 2 (400 pairs), stream 1 = shard 1 (200 pairs).
  std::vector<TrainerConfig::Stream> StreamsOf(std::vector<uint64_t> ids) const {
    std::vector<TrainerConfig::Stream> out;
    for (uint64_t id : ids) {
      if (id == 0) out.push_back({{job_.shards[0], job_.shards[2]}, 0});
      if (id == 1) out.push_back({{job_.shards[1]}, 1});
    }
    return out;
  }
  TrainerConfig LayoutConfig(std::vector<uint64_t> ids) const {
    TrainerConfig c = job_.TrainerConfigFor(spec_, 10);
    c.streams = StreamsOf(std::move(ids));
    return c;
  }
  static void Collect(const absl::StatusOr<StepStats>& s, std::vector<EpochAccount>& out) {
    if (s.ok() && s->epoch_account.has_value()) out.push_back(*s->epoch_account);
  }
  static void ExpectEveryPairOncePerEpoch(const std::vector<EpochAccount>& accounts,
                                          int64_t last_step) {
    ASSERT_EQ(accounts.size(), 3u);
    int64_t next = 0;
    for (size_t e = 0; e < accounts.size(); ++e) {
      const EpochAccount& a = accounts[e];
      EXPECT_EQ(a.epoch, static_cast<int64_t>(e));
      EXPECT_EQ(a.first_step, next) << "epochs follow each other";
      EXPECT_EQ(a.pairs, 600);
      EXPECT_TRUE(a.exactly_once()) << DescribeEpochAccount(a);
      next = a.end_step;
    }
    EXPECT_EQ(next, last_step) << "the job ends with its last epoch";
  }
};

TEST_F(EpochAccountingTest, OneProcessTrainsEveryPairOncePerEpoch) {
  auto t = std::move(*Trainer::Create(LayoutConfig({0, 1})));
  std::vector<EpochAccount> accounts;
  int64_t steps = 0;
  while (!t->Finished() && steps < 10000) {
    auto s = t->Step();
    ASSERT_OK(s);
    Collect(s, accounts);
    ++steps;
  }
  ExpectEveryPairOncePerEpoch(accounts, t->step());
  EXPECT_EQ(steps, t->step());
}

TEST_F(EpochAccountingTest, TwoRanksAndAStreamMovingMidEpochGiveTheSameAccounts) {
  std::vector<EpochAccount> reference;
  {
    auto t = std::move(*Trainer::Create(LayoutConfig({0, 1})));
    while (!t->Finished()) {
      auto s = t->Step();
      ASSERT_OK(s);
      Collect(s, reference);
    }
  }
  ASSERT_EQ(reference.size(), 3u);
  const int64_t mid = reference[1].first_step + reference[1].epoch_steps / 2;
  collective::InProcessGroup group(2);
  std::vector<TrainerConfig> configs = {LayoutConfig({0}), LayoutConfig({1})};
  auto replicas = MakeReplicas(group, configs);
  std::vector<EpochAccount> on_ranks[2];
  while (replicas[0]->step() < mid) {
    ASSERT_FALSE(replicas[0]->Finished());
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    Collect(stats[0], on_ranks[0]);
    Collect(stats[1], on_ranks[1]);
  }
  EXPECT_EQ(on_ranks[0], on_ranks[1]) << "the same account on every rank";
  // Rank 1 is lost mid-epoch: rank 0 goes on alone with both streams (stream 1's pairs
  // trained so far in this epoch were trained on rank 1).
  std::vector<EpochAccount> accounts = on_ranks[0];
  replicas[0]->SetCommunicator(nullptr);
  ASSERT_OK(replicas[0]->SetStreams(StreamsOf({0, 1})));
  while (!replicas[0]->Finished()) {
    auto s = replicas[0]->Step();
    ASSERT_OK(s);
    Collect(s, accounts);
  }
  ASSERT_EQ(accounts.size(), reference.size());
  for (size_t e = 0; e < accounts.size(); ++e) {
    EXPECT_EQ(accounts[e], reference[e]) << DescribeEpochAccount(accounts[e]) << " vs "
                                         << DescribeEpochAccount(reference[e]);
  }
  ExpectEveryPairOncePerEpoch(accounts, replicas[0]->step());
}

// max_steps ending mid-epoch: the last account is partial and says so.
TEST_F(EpochAccountingTest, AJobEndingMidEpochAccountsItsPartialEpoch) {
  spec_.mutable_training()->set_epochs(0);
  auto probe = std::move(*Trainer::Create(LayoutConfig({0, 1})));
  int64_t first_epoch_end = 0;
  while (first_epoch_end == 0) {
    auto s = probe->Step();
    ASSERT_OK(s);
    if (s->epoch_account) first_epoch_end = s->epoch_account->end_step;
  }
  spec_.mutable_training()->set_max_steps(static_cast<uint64_t>(first_epoch_end + 3));
  auto t = std::move(*Trainer::Create(LayoutConfig({0, 1})));
  std::vector<EpochAccount> accounts;
  while (!t->Finished()) {
    auto s = t->Step();
    ASSERT_OK(s);
    Collect(s, accounts);
  }
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_TRUE(accounts[0].exactly_once());
  const EpochAccount& last = accounts[1];
  EXPECT_FALSE(last.complete());
  EXPECT_EQ(last.end_step, first_epoch_end + 3);
  EXPECT_EQ(last.repeated, 0);
  EXPECT_GT(last.never, 0);
  EXPECT_EQ(last.distinct + last.never, 600);
  EXPECT_THAT(DescribeEpochAccount(last), HasSubstr(" of "));
}

TEST_F(TrainerTest, AnyRankIsTrueOnEveryRankWhenOneRankSaysSo) {
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  for (const auto& [mine0, mine1] : {std::pair{false, false}, std::pair{true, false},
                                     std::pair{false, true}, std::pair{true, true}}) {
    auto any = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->AnyRank(r == 0 ? mine0 : mine1); });
    ASSERT_OK(any[0]);
    ASSERT_OK(any[1]);
    EXPECT_EQ(*any[0], mine0 || mine1);
    EXPECT_EQ(*any[1], mine0 || mine1);
  }
  auto alone = std::move(*Trainer::Create(Config({0, 1})));
  EXPECT_THAT(alone->AnyRank(true), testing::IsOkAndHolds(true));
  EXPECT_THAT(alone->AnyRank(false), testing::IsOkAndHolds(false));
}

// Records the steps of one rank's loop.
class StepsObserver : public TrainingObserver {
 public:
  absl::Status OnCheckpoint(const std::string&, int64_t, bool) override {
    return absl::OkStatus();
  }
  absl::StatusOr<bool> AfterStep(const StepReport& r) override {
    steps.push_back(r.stats.step);
    if (r.time_up) time_up.push_back(r.stats.step);
    if (r.validation.has_value()) validations.push_back(r.stats.step);
    return false;
  }
  std::vector<int64_t> steps, time_up, validations;
};

TEST_F(TrainerTest, RanksStopTogetherAtTheFirstStepAnyRanksClockPassesTheDeadline) {
  // Rank 0's clock passes the deadline after its step 3; rank 1's clock is 1 hour behind
  // and never does. Both end after step 3 with the same parameters.
  spec_.mutable_training()->set_max_steps(50);
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  const int64_t deadline = 1'000'000;
  std::vector<StepsObserver> observers(2);
  auto ends = OnRanks(2, [&](int r) {
    Trainer& trainer = *replicas[static_cast<size_t>(r)];
    TrainingLoopOptions o = TrainingLoopOptions::FromSpec(spec_.training());
    o.deadline_unix_ms = deadline;
    o.now_ms = [&trainer, r, deadline] {
      return deadline - 3 + trainer.step() - (r == 1 ? 3'600'000 : 0);
    };
    return RunTrainingLoop(trainer, o, observers[static_cast<size_t>(r)]);
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_THAT(ends[static_cast<size_t>(r)], testing::IsOkAndHolds(LoopEnd::kTimeUp)) << r;
    EXPECT_THAT(observers[static_cast<size_t>(r)].steps, ::testing::ElementsAre(1, 2, 3)) << r;
    EXPECT_THAT(observers[static_cast<size_t>(r)].time_up, ::testing::ElementsAre(3)) << r;
  }
  EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum());
  EXPECT_FALSE(replicas[0]->Finished());
}

// --- training.ema_decay: the moving average of the parameters --------------------------------

// The average the trainer keeps, recomputed here from the training weights after every step.
TEST_F(TrainerTest, EmaFollowsItsUpdateRuleFromTheInitialParameters) {
  EXPECT_TRUE(Make(spec_)->FlatEmaParameters().empty()) << "off by default";
  v1::JobSpec spec = spec_;
  // 0.3: Marian's warm-up (1 + t) / (10 + t) is below it for t <= 2 and above it after.
  spec.mutable_training()->set_ema_decay(0.3);
  auto t = Make(spec);
  std::vector<float> ema = t->FlatParameters();
  EXPECT_EQ(t->FlatEmaParameters(), ema) << "it starts as the initial parameters";
  for (int64_t step = 1; step <= 6; ++step) {
    ASSERT_OK(t->Step());
    const std::vector<float> p = t->FlatParameters();
    const double d = std::min(0.3, (1.0 + step) / (10.0 + step));
    const auto keep = static_cast<float>(d), take = static_cast<float>(1.0 - d);
    for (size_t i = 0; i < ema.size(); ++i) ema[i] = keep * ema[i] + take * p[i];
    ASSERT_EQ(t->FlatEmaParameters(), ema) << "step " << step;
  }
  EXPECT_GT(MaxDiff(t->FlatParameters(), ema), 0.0);
}

// The average changes nothing of training, validation scores it and puts the training weights
// back bit for bit, and the checkpoint's model weights are the average: the model the user
// translates with gives the BLEU that validation reported.
TEST_F(TrainerTest, WithEmaValidationAndTheCheckpointsModelAreTheAverage) {
  v1::JobSpec spec = spec_;
  spec.mutable_training()->set_ema_decay(0.5);
  auto with = Make(spec);
  auto without = Make(spec_);
  for (int i = 0; i < 50; ++i) {  // long enough for BLEU above 0
    auto a = with->Step();
    auto b = without->Step();
    ASSERT_OK(a);
    ASSERT_OK(b);
    ASSERT_EQ(a->loss, b->loss) << "the average leaves training alone";
  }
  ASSERT_EQ(with->FlatParameters(), without->FlatParameters());
  const uint64_t checksum = with->ParameterChecksum();
  const std::vector<float> ema = with->FlatEmaParameters();
  ASSERT_OK_AND_ASSIGN(ValidationStats averaged, with->Validate());
  ASSERT_OK_AND_ASSIGN(ValidationStats plain, without->Validate());
  EXPECT_EQ(with->ParameterChecksum(), checksum);
  EXPECT_EQ(with->FlatParameters(), without->FlatParameters());
  EXPECT_EQ(with->FlatEmaParameters(), ema);
  EXPECT_NE(averaged.loss, plain.loss) << "validation scored the average, not the weights";
  for (int i = 0; i < 3; ++i) {
    auto a = with->Step();
    auto b = without->Step();
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_EQ(a->loss, b->loss) << "training continues exactly after a validation";
  }
  // The model directory of this checkpoint translates with the average: greedy decoding of
  // the validation sentences scores the BLEU validation reported.
  ASSERT_OK_AND_ASSIGN(ValidationStats now, with->Validate());
  ASSERT_OK(with->SaveCheckpoint(dir_.Join("ema.ckpt")));
  ASSERT_OK(WriteFileAtomic(dir_.Join("job.json"), SpecToJson(spec)));
  inference::ModelPaths paths{dir_.Join("job.json"), job_.source_model(), job_.target_model(),
                              dir_.Join("ema.ckpt")};
  ASSERT_OK_AND_ASSIGN(auto model, inference::TrainedModel::Load(paths, 1));
  EXPECT_EQ(model->step(), 53);
  std::vector<std::string> sources, refs;
  {
    std::ifstream in(job_.valid_file());
    std::string line;
    while (sources.size() < 50 && std::getline(in, line)) {
      sources.push_back(line.substr(0, line.find('\t')));
      refs.push_back(line.substr(line.find('\t') + 1));
    }
  }
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> hyps, model->translator().Translate(sources, 1));
  ASSERT_OK_AND_ASSIGN(BleuScore bleu, CorpusBleu(hyps, {refs}));
  EXPECT_DOUBLE_EQ(bleu.score, now.bleu);
  EXPECT_GT(now.bleu, 0.0);
}

TEST_F(TrainerTest, WithEmaAResumedRunMatchesAnUninterruptedOneBitForBit) {
  v1::JobSpec spec = spec_;
  spec.mutable_training()->set_ema_decay(0.9);
  std::vector<double> uninterrupted;
  std::vector<float> params, ema;
  {
    auto t = Make(spec);
    for (int i = 0; i < 20; ++i) uninterrupted.push_back(t->Step()->loss);
    params = t->FlatParameters();
    ema = t->FlatEmaParameters();
  }
  std::vector<double> resumed;
  {
    auto t = Make(spec);
    for (int i = 0; i < 10; ++i) resumed.push_back(t->Step()->loss);
    ASSERT_OK(t->Validate().status());  // in between: changes nothing
    ASSERT_OK(t->SaveCheckpoint(dir_.Join("mid.ckpt")));
  }
  auto t = Make(spec);
  ASSERT_OK(t->LoadCheckpoint(dir_.Join("mid.ckpt")));
  EXPECT_EQ(t->step(), 10);
  for (int i = 0; i < 10; ++i) resumed.push_back(t->Step()->loss);
  EXPECT_EQ(resumed, uninterrupted);
  EXPECT_EQ(t->FlatParameters(), params);
  EXPECT_EQ(t->FlatEmaParameters(), ema);

  // The same checkpoint without the average: training resumes from the training weights
  // (train/), not from the average the file translates with.
  auto off = Make(spec_);
  ASSERT_OK(off->LoadCheckpoint(dir_.Join("mid.ckpt")));
  std::vector<double> off_losses;
  for (int i = 0; i < 10; ++i) off_losses.push_back(off->Step()->loss);
  EXPECT_EQ(off_losses, std::vector<double>(uninterrupted.begin() + 10, uninterrupted.end()));
  EXPECT_EQ(off->FlatParameters(), params);
  EXPECT_TRUE(off->FlatEmaParameters().empty());
}

// A checkpoint written without the average (EMA off, or before it existed) still loads: the
// average starts from its parameters.
TEST_F(TrainerTest, WithEmaACheckpointWithoutTheAverageStartsItFromItsParameters) {
  auto old = Make(spec_);
  for (int i = 0; i < 5; ++i) ASSERT_OK(old->Step());
  ASSERT_OK(old->SaveCheckpoint(dir_.Join("old.ckpt")));
  v1::JobSpec spec = spec_;
  spec.mutable_training()->set_ema_decay(0.99);
  auto t = Make(spec);
  ASSERT_OK(t->Step());
  ASSERT_OK(t->LoadCheckpoint(dir_.Join("old.ckpt")));
  EXPECT_EQ(t->step(), 5);
  EXPECT_EQ(t->FlatParameters(), old->FlatParameters());
  EXPECT_EQ(t->FlatEmaParameters(), old->FlatParameters());
  auto a = t->Step();
  auto b = old->Step();
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->loss, b->loss);
  // A broken or misshapen checkpoint changes neither the weights nor the average.
  const uint64_t before = t->ParameterChecksum();
  const std::vector<float> ema = t->FlatEmaParameters();
  ASSERT_OK(t->SaveCheckpoint(dir_.Join("good.ckpt")));
  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadFile(dir_.Join("good.ckpt")));
  // Cut inside the training weights, which come last.
  testing::WriteText(dir_.Join("cut.ckpt"), bytes.substr(0, bytes.size() - 10));
  EXPECT_THAT(t->LoadCheckpoint(dir_.Join("cut.ckpt")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cut.ckpt")));
  v1::JobSpec bigger = spec;
  bigger.mutable_model()->set_hidden_dim(24);
  ASSERT_OK(Make(bigger)->SaveCheckpoint(dir_.Join("bigger.ckpt")));
  EXPECT_THAT(t->LoadCheckpoint(dir_.Join("bigger.ckpt")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("bigger.ckpt"),
                                        HasSubstr("another model shape"))));
  EXPECT_EQ(t->ParameterChecksum(), before);
  EXPECT_EQ(t->FlatEmaParameters(), ema);
}

TEST_F(TrainerTest, WithEmaReplicasOverAnAllReduceEqualOneProcessOnTheUnionOfTheirBatches) {
  spec_.mutable_training()->set_ema_decay(0.9);
  collective::InProcessGroup group(2);
  std::vector<TrainerConfig> configs = {Config({0}), Config({1})};
  for (auto& c : configs) c.valid_file = dir_.Join("job/valid.tsv");
  auto replicas = MakeReplicas(group, configs);
  auto single = std::move(*Trainer::Create(Config({0, 1})));
  for (int step = 0; step < 5; ++step) {
    auto stats = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Step(); });
    ASSERT_OK(stats[0]);
    ASSERT_OK(stats[1]);
    ASSERT_OK(single->Step());
    EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum()) << step;
    EXPECT_EQ(replicas[0]->FlatEmaParameters(), replicas[1]->FlatEmaParameters()) << step;
  }
  EXPECT_LT(MaxDiff(replicas[0]->FlatEmaParameters(), single->FlatEmaParameters()), 1e-5);
  EXPECT_GT(MaxDiff(replicas[0]->FlatEmaParameters(), replicas[0]->FlatParameters()), 0.0);
  // Validation with the average is shared by the ranks too, and leaves them identical.
  auto v = OnRanks(2, [&](int r) { return replicas[static_cast<size_t>(r)]->Validate(); });
  ASSERT_OK(v[0]);
  ASSERT_OK(v[1]);
  EXPECT_EQ(v[0]->loss, v[1]->loss);
  EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum());
}

// A worker joining a running job adopts the average with the parameters.
TEST_F(TrainerTest, WithEmaSynchronizeHandsTheAverageToAFreshReplica) {
  spec_.mutable_training()->set_ema_decay(0.9);
  auto trained = std::move(*Trainer::Create(Config({0, 1})));
  for (int i = 0; i < 4; ++i) ASSERT_OK(trained->Step());
  collective::InProcessGroup group(2);
  auto fresh = std::move(*Trainer::Create(Config({0})));
  ASSERT_NE(fresh->FlatEmaParameters(), trained->FlatEmaParameters());
  fresh->SetCommunicator(group.rank(0));
  trained->SetCommunicator(group.rank(1));
  ASSERT_OK(trained->SetStreams(Streams({1})));
  auto roots = OnRanks(2, [&](int r) { return (r == 0 ? fresh : trained)->Synchronize(); });
  ASSERT_OK(roots[0]);
  ASSERT_OK(roots[1]);
  EXPECT_EQ(fresh->FlatEmaParameters(), trained->FlatEmaParameters());
  EXPECT_EQ(fresh->ParameterChecksum(), trained->ParameterChecksum());
  auto stats = OnRanks(2, [&](int r) { return (r == 0 ? fresh : trained)->Step(); });
  ASSERT_OK(stats[0]);
  ASSERT_OK(stats[1]);
  EXPECT_EQ(fresh->FlatEmaParameters(), trained->FlatEmaParameters());
}

// `tandem average`'s core: the mean of a run's checkpoints is a model that translates.
TEST_F(TrainerTest, AveragedCheckpointsAreTheMeanAndTranslate) {
  auto t = Make(spec_);
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 10; ++k) ASSERT_OK(t->Step());
    ASSERT_OK(t->SaveCheckpoint(dir_.Join(absl::StrCat("c", i, ".ckpt"))));
  }
  ASSERT_OK(WriteFileAtomic(dir_.Join("job.json"), SpecToJson(spec_)));
  inference::ModelPaths paths{dir_.Join("job.json"), job_.source_model(), job_.target_model(),
                              ""};
  EXPECT_THAT(inference::AverageCheckpoints(paths, {dir_.Join("c1.ckpt"), dir_.Join("c2.ckpt")},
                                            dir_.Join("mean.ckpt")),
              testing::IsOkAndHolds(30));
  // (model/checkpoint_test checks the mean element by element.)
  paths.checkpoint = dir_.Join("mean.ckpt");
  ASSERT_OK_AND_ASSIGN(auto model, inference::TrainedModel::Load(paths, 1));
  EXPECT_EQ(model->step(), 30);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> out,
                       model->translator().Translate({"the dog runs", "a small bird sings"}, 2));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].empty());
  // Training refuses to resume from it: it has no optimizer state.
  EXPECT_THAT(Make(spec_)->LoadCheckpoint(dir_.Join("mean.ckpt")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("optimizer state")));
  // Another model shape is refused, naming the file; nothing is written.
  v1::JobSpec bigger = spec_;
  bigger.mutable_model()->set_hidden_dim(24);
  ASSERT_OK(Make(bigger)->SaveCheckpoint(dir_.Join("bigger.ckpt")));
  EXPECT_THAT(inference::AverageCheckpoints(paths, {dir_.Join("c1.ckpt"), dir_.Join("bigger.ckpt")},
                                            dir_.Join("refused.ckpt")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("bigger.ckpt"),
                                        HasSubstr("another model shape"))));
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("refused.ckpt")));
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

// Records each step's learning rate and the agreed estimate of the last step.
class ScheduleObserver : public TrainingObserver {
 public:
  absl::Status OnCheckpoint(const std::string&, int64_t, bool) override {
    return absl::OkStatus();
  }
  absl::StatusOr<bool> AfterStep(const StepReport& r) override {
    learning_rates.push_back(r.stats.learning_rate);
    planned.push_back(r.planned_steps);
    return false;
  }
  std::vector<double> learning_rates;
  std::vector<int64_t> planned;
};

TEST_F(TrainerTest, RanksWithDifferentPacesAgreeOnOneBudgetScheduleAndStayIdentical) {
  // Rank 0 measures 10 ms a step, rank 1 30 ms: their own estimates of where the budget ends
  // differ, the agreed one (their mean) is the same on both, and so are the learning rates
  // and, at the end, the parameters.
  spec_.mutable_training()->set_max_steps(50);
  spec_.mutable_training()->set_lr_schedule("linear");
  spec_.mutable_training()->set_warmup_steps(0);
  collective::InProcessGroup group(2);
  auto replicas = MakeReplicas(group, {Config({0}), Config({1})});
  std::vector<ScheduleObserver> observers(2);
  auto ends = OnRanks(2, [&](int r) {
    Trainer& trainer = *replicas[static_cast<size_t>(r)];
    TrainingLoopOptions o = TrainingLoopOptions::FromSpec(spec_.training());
    o.deadline_unix_ms = 1'000'300;  // rank 1 passes it at step 10, rank 0 at step 30
    o.now_ms = [&trainer, r] { return 1'000'000 + (r == 0 ? 10 : 30) * trainer.step(); };
    return RunTrainingLoop(trainer, o, observers[static_cast<size_t>(r)]);
  });
  ASSERT_OK(ends[0]);
  ASSERT_OK(ends[1]);
  EXPECT_EQ(observers[0].learning_rates, observers[1].learning_rates);
  EXPECT_EQ(observers[0].planned, observers[1].planned);
  ASSERT_EQ(observers[0].planned.size(), 10u) << "the slower clock ends training at step 10";
  EXPECT_EQ(observers[0].planned.front(), 20) << "the mean of 30 and 10";
  EXPECT_EQ(replicas[0]->ParameterChecksum(), replicas[1]->ParameterChecksum());
}

}  // namespace
}  // namespace tandem
