// Checkpoints come over the network (a worker fetches the job's newest, the coordinator
// stores rank 0's): names, shapes and dtypes are checked before anything is copied, and a
// failed load changes nothing.
#include "model/checkpoint.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/model/seq2seq_testing.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem::model {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

class CheckpointTest : public Seq2SeqTest {
 protected:
  // `model`'s parameters as a checkpoint's contents (optimizer state of matching size).
  static CheckpointContents ContentsOf(const Seq2Seq& model) {
    CheckpointContents c;
    c.names = model->OrderedParameterNames();
    for (const auto& p : model->OrderedParameters()) c.params.push_back(p.detach().clone());
    int64_t total = 0;
    for (const auto& p : c.params) total += p.numel();
    c.exp_avg = torch::zeros({total});
    c.exp_avg_sq = torch::ones({total});
    c.step = 7;
    return c;
  }
  static std::vector<float> Flat(const Seq2Seq& model) {
    std::vector<float> out;
    for (const auto& p : model->OrderedParameters()) {
      auto t = p.detach().contiguous();
      out.insert(out.end(), t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    }
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(CheckpointTest, LoadsWhatWasWritten) {
  const ModelConfig c = Tiny("bahdanau");
  Seq2Seq a = Make(c, 1), b = Make(c, 2);
  ASSERT_NE(Flat(a), Flat(b));
  ASSERT_OK(WriteCheckpoint(dir_.Join("a.ckpt"), ContentsOf(a)));
  EXPECT_THAT(LoadParameters(dir_.Join("a.ckpt"), *b), testing::IsOkAndHolds(7));
  EXPECT_EQ(Flat(a), Flat(b));
}

TEST_F(CheckpointTest, AnotherDtypeIsRefusedAndChangesNothing) {
  const ModelConfig c = Tiny("bahdanau");
  Seq2Seq a = Make(c, 1), b = Make(c, 2);
  CheckpointContents contents = ContentsOf(a);
  contents.params.back() = contents.params.back().to(torch::kFloat64);
  ASSERT_OK(WriteCheckpoint(dir_.Join("f64.ckpt"), contents));
  const std::vector<float> before = Flat(b);
  EXPECT_THAT(LoadParameters(dir_.Join("f64.ckpt"), *b),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("f64.ckpt"), HasSubstr("Double"),
                                        HasSubstr(contents.names.back()))));
  EXPECT_EQ(Flat(b), before);
}

TEST_F(CheckpointTest, MissingOrMisshapenParametersAreRefusedAndChangeNothing) {
  const ModelConfig c = Tiny("bahdanau");
  Seq2Seq a = Make(c, 1), b = Make(c, 2);
  const std::vector<float> before = Flat(b);
  CheckpointContents missing = ContentsOf(a);
  missing.names.pop_back();
  missing.params.pop_back();
  ASSERT_OK(WriteCheckpoint(dir_.Join("missing.ckpt"), missing));
  EXPECT_THAT(LoadParameters(dir_.Join("missing.ckpt"), *b),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no parameter")));
  CheckpointContents misshapen = ContentsOf(a);
  misshapen.params[0] = torch::zeros({misshapen.params[0].numel() + 1});
  ASSERT_OK(WriteCheckpoint(dir_.Join("shape.ckpt"), misshapen));
  EXPECT_THAT(LoadParameters(dir_.Join("shape.ckpt"), *b),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("another model shape")));
  EXPECT_EQ(Flat(b), before);
}

TEST_F(CheckpointTest, OptimizerStateMustBeFloat32OfTheModelsSize) {
  const ModelConfig c = Tiny("bahdanau");
  Seq2Seq a = Make(c, 1);
  CheckpointContents contents = ContentsOf(a);
  const int64_t total = contents.exp_avg.numel();
  contents.exp_avg = contents.exp_avg.to(torch::kFloat64);
  ASSERT_OK(WriteCheckpoint(dir_.Join("adam.ckpt"), contents));
  ASSERT_OK_AND_ASSIGN(CheckpointReader reader, CheckpointReader::Open(dir_.Join("adam.ckpt")));
  torch::Tensor m, v;
  EXPECT_THAT(reader.AdamMoments(total, m, v),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("optimizer state")));
  ASSERT_OK_AND_ASSIGN(CheckpointReader good, CheckpointReader::Open(dir_.Join("adam.ckpt")));
  EXPECT_THAT(good.AdamMoments(total + 1, m, v), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tandem::model
