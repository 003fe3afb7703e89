// Int8Linear (model/int8_linear.h) against float32's linear: accuracy per row scale, exact
// zeros, shape edges, refusals, and the same bits from concurrent threads.
#include "model/int8_linear.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>
#include <tuple>
#include <vector>

#include "tests/testing/status_matchers.h"

namespace tandem::model {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

// Debian's LibTorch has the oneDNN engine on x86-64: the option must not silently vanish.
TEST(Int8LinearTest, AvailableInThisBuild) { EXPECT_TRUE(Int8Linear::Available()); }

// |int8 - float| per output row, relative to that row's largest |float| output.
torch::Tensor RowError(const torch::Tensor& got, const torch::Tensor& want) {
  return (got - want).abs().amax(0) / want.abs().amax(0).clamp_min(1e-12);
}

TEST(Int8LinearTest, CloseToFloatForEveryShapeEdge) {
  for (const auto& [M, K, V] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {1, 512, 8000}, {2, 7, 3}, {5, 515, 257}, {16, 768, 300}, {33, 64, 1},
           {160, 512, 1000}}) {
    for (const bool with_bias : {true, false}) {
      torch::manual_seed(static_cast<uint64_t>(M * 1000003 + K * 1009 + V));
      const torch::Tensor x = torch::tanh(torch::randn({M, K}) * 2);  // like the pre-output
      const torch::Tensor w = torch::randn({V, K}) * 0.05;
      const torch::Tensor b = with_bias ? torch::randn({V}) * 0.1 : torch::Tensor();
      ASSERT_OK_AND_ASSIGN(const Int8Linear q, Int8Linear::Create(w, b));
      EXPECT_EQ(q.in_features(), K);
      EXPECT_EQ(q.out_features(), V);
      const torch::Tensor want = torch::nn::functional::linear(x, w, b);
      const torch::Tensor got = q.Forward(x);
      ASSERT_EQ(got.sizes(), want.sizes());
      ASSERT_EQ(got.scalar_type(), torch::kFloat);
      // Two 8-bit roundings per product (7 bits for the input without VNNI); K = 1 rounds one
      // product, where the relative error is that of the two roundings.
      EXPECT_LE((got - want).abs().max().item<float>(), 0.03f * want.abs().max().item<float>())
          << "M " << M << " K " << K << " V " << V << " bias " << with_bias;
    }
  }
}

// Weights are quantized per row: a row a thousand times smaller keeps its own precision.
TEST(Int8LinearTest, RowsOfVeryDifferentScalesKeepTheirOwnPrecision) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::tanh(torch::randn({8, 256}));
  torch::Tensor w = torch::randn({64, 256});
  w.slice(0, 0, 32).mul_(1e-3);
  ASSERT_OK_AND_ASSIGN(const Int8Linear q, Int8Linear::Create(w, torch::Tensor()));
  const torch::Tensor err = RowError(q.Forward(x), torch::nn::functional::linear(x, w));
  EXPECT_LE(err.slice(0, 0, 32).max().item<float>(), 0.05f);
  EXPECT_LE(err.slice(0, 32, 64).max().item<float>(), 0.05f);
}

// (The bias is added in float32 after the int32 sum is scaled back: up to a float rounding.)
TEST(Int8LinearTest, ZeroRowsAndZeroInputsGiveTheBias) {
  torch::Tensor w = torch::randn({5, 9});
  w[2].zero_();  // an all-zero weight row (its scale would be 0)
  const torch::Tensor b = torch::randn({5});
  ASSERT_OK_AND_ASSIGN(const Int8Linear q, Int8Linear::Create(w, b));
  const torch::Tensor x = torch::randn({4, 9});
  const torch::Tensor out = q.Forward(x);
  EXPECT_TRUE(torch::all(torch::isfinite(out)).item<bool>());
  for (int64_t m = 0; m < 4; ++m) EXPECT_NEAR(out[m][2].item<float>(), b[2].item<float>(), 1e-5);
  // All-zero inputs: every row is the bias.
  const torch::Tensor zero = q.Forward(torch::zeros({3, 9}));
  EXPECT_LE((zero - b.unsqueeze(0)).abs().max().item<float>(), 1e-5) << zero;
}

TEST(Int8LinearTest, BadShapesAndTypesAreRefusedWithTheReason) {
  const auto bad = [](const torch::Tensor& w, const torch::Tensor& b, const char* what) {
    EXPECT_THAT(Int8Linear::Create(w, b).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)));
  };
  bad(torch::Tensor(), torch::Tensor(), "weight must be a non-empty float32 [V, K]");
  bad(torch::randn({4}), torch::Tensor(), "weight must be");
  bad(torch::randn({0, 4}), torch::Tensor(), "weight must be");
  bad(torch::randn({3, 4}).to(torch::kDouble), torch::Tensor(), "weight must be");
  bad(torch::randn({3, 4}), torch::randn({4}), "bias must be float32 [V]");
  bad(torch::randn({3, 4}), torch::randn({3, 1}), "bias must be");
}

// Decoding threads share one model: concurrent calls read the packed weights only and give
// the bits a lone call gives.
TEST(Int8LinearTest, ConcurrentCallsGiveTheSameBitsAsSerialOnes) {
  torch::manual_seed(5);
  const torch::Tensor w = torch::randn({2000, 128}) * 0.1;
  const torch::Tensor b = torch::randn({2000});
  ASSERT_OK_AND_ASSIGN(const Int8Linear q, Int8Linear::Create(w, b));
  std::vector<torch::Tensor> inputs, serial;
  for (int i = 0; i < 4; ++i) {
    inputs.push_back(torch::randn({1 + 7 * i, 128}));
    serial.push_back(q.Forward(inputs.back()));
  }
  std::vector<std::vector<torch::Tensor>> got(inputs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < inputs.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int r = 0; r < 20; ++r) got[i].push_back(q.Forward(inputs[i]));
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (const torch::Tensor& g : got[i]) EXPECT_TRUE(torch::equal(g, serial[i])) << i;
  }
}

}  // namespace
}  // namespace tandem::model
