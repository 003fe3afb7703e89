// Checkpoints come over the network (a worker fetches the job's newest, the coordinator
// stores rank 0's): names, shapes and dtypes are checked before anything is copied, and a
// failed load changes nothing.
#include "model/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/files.h"
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

// training.ema_decay: param/ holds the average (what translation loads), train/ the training
// weights beside it; readers check train/ as they check param/.
TEST_F(CheckpointTest, TrainingWeightsTravelBesideTheModelWeights) {
  const ModelConfig c = Tiny("luong_general");
  Seq2Seq average = Make(c, 1), training = Make(c, 2), b = Make(c, 3);
  CheckpointContents contents = ContentsOf(average);
  for (const auto& p : training->OrderedParameters()) {
    contents.train_params.push_back(p.detach().clone());
  }
  ASSERT_OK(WriteCheckpoint(dir_.Join("ema.ckpt"), contents));
  EXPECT_THAT(LoadParameters(dir_.Join("ema.ckpt"), *b), testing::IsOkAndHolds(7));
  EXPECT_EQ(Flat(b), Flat(average)) << "translation loads the average";
  ASSERT_OK_AND_ASSIGN(CheckpointReader reader, CheckpointReader::Open(dir_.Join("ema.ckpt")));
  EXPECT_TRUE(reader.HasTrainingParameters());
  const std::vector<torch::Tensor> like = b->OrderedParameters();
  ASSERT_OK_AND_ASSIGN(std::vector<torch::Tensor> train,
                       reader.TrainingParameters(contents.names, like));
  ASSERT_EQ(train.size(), like.size());
  for (size_t i = 0; i < train.size(); ++i) {
    EXPECT_TRUE(torch::equal(train[i], training->OrderedParameters()[i])) << contents.names[i];
  }
  // Without train/ (EMA off, or an older file) there are none.
  ASSERT_OK(WriteCheckpoint(dir_.Join("plain.ckpt"), ContentsOf(average)));
  ASSERT_OK_AND_ASSIGN(CheckpointReader plain, CheckpointReader::Open(dir_.Join("plain.ckpt")));
  EXPECT_FALSE(plain.HasTrainingParameters());
  // A misshapen training weight is refused, naming the file and the tensor.
  CheckpointContents bad = contents;
  bad.train_params[1] = torch::zeros({bad.train_params[1].numel() + 1});
  ASSERT_OK(WriteCheckpoint(dir_.Join("bad.ckpt"), bad));
  ASSERT_OK_AND_ASSIGN(CheckpointReader bad_reader, CheckpointReader::Open(dir_.Join("bad.ckpt")));
  EXPECT_THAT(bad_reader.TrainingParameters(contents.names, like),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("bad.ckpt"), HasSubstr("another model shape"),
                                        HasSubstr(contents.names[1]))));
  // As many training weights as parameters, or nothing is written.
  CheckpointContents short_train = contents;
  short_train.train_params.pop_back();
  EXPECT_THAT(WriteCheckpoint(dir_.Join("short.ckpt"), short_train),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("short.ckpt")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("short.ckpt")));
}

TEST_F(CheckpointTest, AverageOfTwoCheckpointsIsTheElementwiseMean) {
  const ModelConfig c = Tiny("bahdanau");
  Seq2Seq a = Make(c, 1), b = Make(c, 2), like = Make(c, 3);
  CheckpointContents ca = ContentsOf(a), cb = ContentsOf(b);
  cb.step = 9;
  // b's training weights (train/) are not what it translates with: they stay out of the mean.
  for (const auto& p : like->OrderedParameters()) cb.train_params.push_back(p.detach() + 100);
  ASSERT_OK(WriteCheckpoint(dir_.Join("a.ckpt"), ca));
  ASSERT_OK(WriteCheckpoint(dir_.Join("b.ckpt"), cb));
  const auto names = like->OrderedParameterNames();
  const auto params = like->OrderedParameters();
  ASSERT_OK_AND_ASSIGN(CheckpointContents mean,
                       AverageCheckpoints({dir_.Join("a.ckpt"), dir_.Join("b.ckpt")}, names,
                                          params));
  EXPECT_EQ(mean.step, 9) << "the newest step";
  EXPECT_EQ(mean.names, names);
  EXPECT_EQ(mean.exp_avg.numel(), 0);
  EXPECT_TRUE(mean.train_params.empty());
  const std::vector<float> fa = Flat(a), fb = Flat(b);
  std::vector<float> got;
  for (const auto& p : mean.params) {
    ASSERT_EQ(p.scalar_type(), torch::kFloat32);
    got.insert(got.end(), p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
  }
  ASSERT_EQ(got.size(), fa.size());
  size_t differ = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], static_cast<float>((double{fa[i]} + double{fb[i]}) / 2)) << i;
    differ += fa[i] != fb[i];
  }
  EXPECT_GT(differ, got.size() / 2);
  // Written, it is a model that translation loads (and that training cannot resume from).
  ASSERT_OK(WriteCheckpoint(dir_.Join("mean.ckpt"), mean));
  EXPECT_THAT(LoadParameters(dir_.Join("mean.ckpt"), *like), testing::IsOkAndHolds(9));
  EXPECT_EQ(Flat(like), got);
  ASSERT_OK_AND_ASSIGN(CheckpointReader reader, CheckpointReader::Open(dir_.Join("mean.ckpt")));
  torch::Tensor m, v;
  EXPECT_THAT(reader.AdamMoments(static_cast<int64_t>(got.size()), m, v),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("optimizer state")));
  // The mean of one checkpoint is that checkpoint.
  ASSERT_OK_AND_ASSIGN(CheckpointContents one,
                       AverageCheckpoints({dir_.Join("b.ckpt")}, names, params));
  for (size_t i = 0; i < one.params.size(); ++i) {
    EXPECT_TRUE(torch::equal(one.params[i], b->OrderedParameters()[i])) << names[i];
  }
}

TEST_F(CheckpointTest, AveragingRefusesAnotherShapeOrABrokenFileNamingIt) {
  const ModelConfig c = Tiny("bahdanau");
  ModelConfig wider = c;
  wider.hidden_dim = 9;
  Seq2Seq a = Make(c, 1), other = Make(wider, 2);
  ASSERT_OK(WriteCheckpoint(dir_.Join("a.ckpt"), ContentsOf(a)));
  ASSERT_OK(WriteCheckpoint(dir_.Join("wider.ckpt"), ContentsOf(other)));
  const auto names = a->OrderedParameterNames();
  const auto params = a->OrderedParameters();
  EXPECT_THAT(AverageCheckpoints({dir_.Join("a.ckpt"), dir_.Join("wider.ckpt")}, names, params),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("wider.ckpt"),
                                        HasSubstr("another model shape"))));
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(dir_.Join("a.ckpt")));
  testing::WriteText(dir_.Join("cut.ckpt"), bytes.substr(0, bytes.size() - 3));
  EXPECT_THAT(AverageCheckpoints({dir_.Join("a.ckpt"), dir_.Join("cut.ckpt")}, names, params),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("cut.ckpt"), HasSubstr("truncated"))));
  EXPECT_THAT(AverageCheckpoints({dir_.Join("a.ckpt"), dir_.Join("gone.ckpt")}, names, params),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("gone.ckpt")));
  EXPECT_THAT(AverageCheckpoints({}, names, params),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no checkpoint")));
}

// Hand-made files: every field is checked against the bytes that remain before anything is
// allocated, and each refusal says what is wrong.
class CheckpointFormatTest : public CheckpointTest {
 protected:
  template <class T>
  static void Put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  static std::string Header(uint32_t count, int64_t step = 3) {
    std::string out = "TANDEMCK";
    Put<uint32_t>(out, 1);
    Put<uint32_t>(out, count);
    Put<int64_t>(out, step);
    return out;
  }
  static std::string Tensor(const std::string& name, uint8_t dtype, std::vector<int64_t> dims,
                            size_t data_bytes) {
    std::string out;
    Put<uint32_t>(out, static_cast<uint32_t>(name.size()));
    out += name;
    Put<uint8_t>(out, dtype);
    Put<uint8_t>(out, static_cast<uint8_t>(dims.size()));
    for (int64_t d : dims) Put<int64_t>(out, d);
    return out + std::string(data_bytes, '\0');
  }
  absl::Status OpenBytes(const std::string& bytes) {
    const std::string path = dir_.Join("hand.ckpt");
    testing::WriteText(path, bytes);
    return CheckpointReader::Open(path).status();
  }
};

TEST_F(CheckpointFormatTest, ReadsAWellFormedFile) {
  const std::string file = Header(2, 11) + Tensor("param/w", 1, {2, 3}, 24) +
                           Tensor("param/empty", 1, {0, 4}, 0);
  testing::WriteText(dir_.Join("ok.ckpt"), file);
  ASSERT_OK_AND_ASSIGN(CheckpointReader reader, CheckpointReader::Open(dir_.Join("ok.ckpt")));
  EXPECT_EQ(reader.step(), 11);
  ASSERT_OK_AND_ASSIGN(auto params, reader.Parameters({"w", "empty"},
                                                      {torch::ones({2, 3}), torch::ones({0, 4})}));
  EXPECT_EQ(params[0].sum().item<float>(), 0.0f);
  EXPECT_EQ(params[1].numel(), 0);
}

TEST_F(CheckpointFormatTest, RefusesEveryMalformedField) {
  auto refused = [](const std::string& what) {
    return StatusIs(absl::StatusCode::kInvalidArgument,
                    ::testing::AllOf(HasSubstr("hand.ckpt"), HasSubstr(what)));
  };
  EXPECT_THAT(OpenBytes(""), refused("no TANDEMCK header"));
  EXPECT_THAT(OpenBytes("PK\3\4 some zip"), refused("older Tandem"));
  std::string v2 = Header(0);
  v2[8] = 2;
  EXPECT_THAT(OpenBytes(v2), refused("format version 2"));
  EXPECT_THAT(OpenBytes(Header(0).substr(0, 14)), refused("header"));
  EXPECT_THAT(OpenBytes(Header(kMaxCheckpointTensors + 1)), refused("at most"));
  // A tensor count the file does not hold.
  EXPECT_THAT(OpenBytes(Header(3) + Tensor("a", 1, {1}, 4)), refused("tensor 1: name"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor(std::string(5000, 'n'), 1, {1}, 4)),
              refused("name of 5000 bytes"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 9, {1}, 4)), refused("a: dtype 9"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 1, std::vector<int64_t>(9, 1), 4)),
              refused("rank 9"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 1, {-4}, 0)), refused("dimension 0 is -4"));
  // Dimensions whose product overflows, or asks for far more than the file holds: refused
  // before any allocation (this is what LibTorch's own archive did not do).
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 1, {int64_t{1} << 40, int64_t{1} << 30}, 16)),
              refused("dimension 1"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 1, {400'000'000}, 16)),
              refused("1600000000 bytes of elements, 16 left"));
  EXPECT_THAT(OpenBytes(Header(1) + Tensor("a", 1, {4}, 16) + "x"), refused("1 bytes after"));
  EXPECT_THAT(OpenBytes(Header(2) + Tensor("a", 1, {1}, 4) + Tensor("a", 1, {1}, 4)),
              refused("appears twice"));
}

}  // namespace
}  // namespace tandem::model
