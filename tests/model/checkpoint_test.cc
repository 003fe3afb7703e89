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
