// tandem-local's commands as a user runs them, in this process: a real local training run (real
// SentencePiece, a tiny real model, checkpoints on disk), then `average` over its checkpoints
// and `translate` with the averaged model directory.
#include "client/local_commands.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"
#include "tests/testing/toy_job.h"

namespace tandem {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::internal::CaptureStderr;
using ::testing::internal::CaptureStdout;
using ::testing::internal::GetCapturedStderr;
using ::testing::internal::GetCapturedStdout;

struct Result {
  int code = -1;
  std::string out, err;
};

Result Capture(int (*command)(const std::vector<std::string>&),
               const std::vector<std::string>& args) {
  CaptureStdout();
  CaptureStderr();
  Result r;
  r.code = command(args);
  r.out = GetCapturedStdout();
  r.err = GetCapturedStderr();
  return r;
}

// One local run shared by the tests: 30 steps, a checkpoint every 10, 3 kept, the moving
// average on (its checkpoints' model weights are the average).
class LocalCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    v1::JobSpec spec = testing::ToyJobSpec(*dir_, 300, 7, /*dim=*/8);
    spec.mutable_training()->set_max_steps(30);
    spec.mutable_training()->set_batch_tokens(200);
    spec.mutable_training()->set_checkpoint_interval_steps(10);
    spec.mutable_training()->set_checkpoints_kept(3);
    spec.mutable_training()->set_ema_decay(0.9);
    spec.mutable_training()->set_seed(5);
    testing::WriteText(dir_->Join("job.json"), SpecToJson(spec));
    run_ = Capture(LocalTrain, {dir_->Join("job.json"), "--out", dir_->Join("run"), "--threads",
                                "1"})
               .code;
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_EQ(run_, 0) << "the local training run failed"; }
  static std::string Run() { return dir_->Join("run"); }

  static testing::TempDir* dir_;
  static int run_;
};
testing::TempDir* LocalCommandsTest::dir_ = nullptr;
int LocalCommandsTest::run_ = -1;

TEST_F(LocalCommandsTest, AveragesTheNewestCheckpointsIntoAModelDirectoryThatTranslates) {
  ASSERT_EQ(ListCheckpoints(Run() + "/checkpoints").size(), 3u);
  const std::string out = dir_->Join("avg");
  Result r = Capture(LocalAverage, {"--model", Run(), "--last", "2", "-o", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("averaged 2 checkpoints (steps 20, 30)"));
  EXPECT_THAT(r.out, HasSubstr("(step 30)"));
  for (const char* name : {"job.json", "source.model", "target.model", "model.ckpt"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + name)) << name;
  }
  Result t = Capture(LocalTranslate, {"--model", out, "--beam", "2", "the dog runs",
                                      "a small bird sings"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 2);
  // Named files work as well, and an average of one checkpoint is allowed.
  const std::string one = dir_->Join("one");
  r = Capture(LocalAverage, {"--model", Run(), "-o", one,
                             Run() + "/checkpoints/" + CheckpointFileName(10)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("averaged 1 checkpoint into"));
  EXPECT_THAT(r.out, HasSubstr("(step 10)"));
}

TEST_F(LocalCommandsTest, MoreCheckpointsThanThereAreIsAClearError) {
  Result r = Capture(LocalAverage, {"--model", Run(), "--last", "4", "-o", dir_->Join("x")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--last 4: " + Run() + "/checkpoints holds 3 checkpoints (steps "
                               "10, 20, 30)"));
  EXPECT_FALSE(std::filesystem::exists(dir_->Join("x")));
  r = Capture(LocalAverage,
              {"--model", dir_->Join("nothing"), "--last", "1", "-o", dir_->Join("x")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("holds 0 checkpoints"));
  r = Capture(LocalAverage, {"--model", Run(), "--last", "0", "-o", dir_->Join("x")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--last"));
}

TEST_F(LocalCommandsTest, ACheckpointOfAnotherShapeIsRefusedNamingIt) {
  // A checkpoint of a wider model of the same tokenizers.
  testing::TempDir other_dir;
  v1::JobSpec spec = testing::ToyJobSpec(other_dir, 300, 7, /*dim=*/12);
  spec.mutable_training()->set_max_steps(1);
  testing::WriteText(other_dir.Join("job.json"), SpecToJson(spec));
  ASSERT_EQ(Capture(LocalTrain, {other_dir.Join("job.json"), "--out", other_dir.Join("run"),
                                 "--threads", "1"})
                .code,
            0);
  const std::string wider = other_dir.Join("run/model.ckpt");
  const std::string out = dir_->Join("refused");
  Result r = Capture(LocalAverage, {"--model", Run(), "-o", out,
                                    Run() + "/checkpoints/" + CheckpointFileName(30), wider});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(wider));
  EXPECT_THAT(r.err, HasSubstr("another model shape"));
  EXPECT_FALSE(std::filesystem::exists(out)) << "no directory left behind";
  // A truncated one, likewise.
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       ReadFile(Run() + "/checkpoints/" + CheckpointFileName(20)));
  testing::WriteText(dir_->Join("cut.ckpt"), bytes.substr(0, bytes.size() / 3));
  r = Capture(LocalAverage, {"--model", Run(), "-o", out, dir_->Join("cut.ckpt")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(dir_->Join("cut.ckpt")));
  EXPECT_FALSE(std::filesystem::exists(out));
  // An existing OUT keeps what it held when the average fails.
  ASSERT_TRUE(std::filesystem::create_directory(out));
  testing::WriteText(out + "/model.ckpt", "older");
  r = Capture(LocalAverage, {"--model", Run(), "-o", out, dir_->Join("cut.ckpt")});
  EXPECT_EQ(r.code, 2);
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile(out + "/model.ckpt"));
  EXPECT_EQ(kept, "older");
  // A model directory without its job file: nothing is made.
  r = Capture(LocalAverage, {"--model", dir_->Join("nothing"), "-o", dir_->Join("none"),
                             Run() + "/checkpoints/" + CheckpointFileName(20)});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir_->Join("nothing") + "/job.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_->Join("none")));
}

TEST_F(LocalCommandsTest, UsageErrors) {
  // Neither --last nor files; both; no -o; -o the model directory itself.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--model", Run(), "-o", dir_->Join("u")},
        std::vector<std::string>{"--model", Run(), "--last", "1", "-o", dir_->Join("u"), "f"},
        std::vector<std::string>{"--model", Run(), "--last", "1"}}) {
    Result r = Capture(LocalAverage, args);
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, HasSubstr("usage: tandem-local average"));
  }
  Result r = Capture(LocalAverage, {"--model", Run(), "--last", "1", "-o", Run() + "/."});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("is the --model directory"));
}

// A transformer job (model.architecture transformer) through the same commands: trained
// locally, then loaded from its model directory (job.json -> ModelConfig, as the coordinator's
// translate does) to translate with beam search and to draw an attention heatmap.
TEST(LocalTransformerTest, TrainsTranslatesAndDrawsAttention) {
  testing::TempDir dir;
  v1::JobSpec spec = testing::ToyJobSpec(dir, 300, 7, /*dim=*/8);
  auto& m = *spec.mutable_model();
  m.set_architecture("transformer");
  m.clear_attention();
  m.clear_cell();
  m.set_heads(2);
  m.set_encoder_layers(2);
  m.set_decoder_layers(2);
  spec.mutable_training()->set_max_steps(5);
  spec.mutable_training()->set_batch_tokens(200);
  testing::WriteText(dir.Join("job.json"), SpecToJson(spec));
  Result r = Capture(LocalTrain, {dir.Join("job.json"), "--out", dir.Join("run"), "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("transformer 2+2 layers"));
  Result t = Capture(LocalTranslate, {"--model", dir.Join("run"), "--beam", "3", "the dog runs",
                                      "a small bird sings"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 2);
  const std::string svg = dir.Join("a.svg");
  Result a = Capture(LocalAttention, {"--model", dir.Join("run"), "-o", svg, "the dog runs"});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_OK_AND_ASSIGN(std::string drawn, ReadFile(svg));
  EXPECT_THAT(drawn, HasSubstr("<svg"));
  EXPECT_THAT(a.out, HasSubstr("(attention heatmap: " + svg + ")"));
  // --head N: one head's map instead of the average.
  const std::string head_svg = dir.Join("head2.svg");
  Result h = Capture(LocalAttention,
                     {"--model", dir.Join("run"), "-o", head_svg, "--head", "2", "the dog runs"});
  ASSERT_EQ(h.code, 0) << h.err;
  EXPECT_THAT(h.out, HasSubstr("(attention heatmap, head 2 of 2: " + head_svg + ")"));
  ASSERT_OK_AND_ASSIGN(std::string head_drawn, ReadFile(head_svg));
  EXPECT_THAT(head_drawn, AllOf(HasSubstr("<svg"), HasSubstr("(head 2 of 2)")));
  EXPECT_NE(head_drawn, drawn);
  // A head the model lacks, or no head at all, names the flag and the range.
  Result out_of_range = Capture(LocalAttention, {"--model", dir.Join("run"), "-o", head_svg,
                                                 "--head", "3", "the dog runs"});
  EXPECT_NE(out_of_range.code, 0);
  EXPECT_THAT(out_of_range.err,
              HasSubstr("--head 3 is out of range: the model has 2 attention heads (--head 1..2)"));
  Result zero = Capture(LocalAttention, {"--model", dir.Join("run"), "-o", head_svg, "--head",
                                         "0", "the dog runs"});
  EXPECT_NE(zero.code, 0);
  EXPECT_THAT(zero.err, HasSubstr("--head: expected an integer in 1..64, got '0'"));
}

// An RNN model has one attention map: --head says so.
TEST_F(LocalCommandsTest, AnRnnModelHasNoHeadsToChooseFrom) {
  const std::string svg = dir_->Join("rnn-head.svg");
  Result r = Capture(LocalAttention, {"--model", Run(), "-o", svg, "--head", "1", "the dog"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("--head 1: this model has a single attention map (an RNN model"));
  EXPECT_FALSE(std::filesystem::exists(svg));
  Result plain = Capture(LocalAttention, {"--model", Run(), "-o", svg, "the dog"});
  EXPECT_EQ(plain.code, 0) << plain.err;
  EXPECT_TRUE(std::filesystem::exists(svg));
}

}  // namespace
}  // namespace tandem
