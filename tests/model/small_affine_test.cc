// SmallAffine (model/small_affine.h) against LibTorch's addmm: every shape edge, both builds.
#include "model/small_affine.h"

#include <torch/torch.h>

#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace tandem::model {
namespace {

using Fn = void (*)(const float*, int64_t, int64_t, const float*, const float*, int64_t, float*);

void Check(Fn fn, int64_t M, int64_t K, int64_t V, bool with_bias) {
  torch::manual_seed(static_cast<uint64_t>(M * 1000003 + K * 1009 + V));
  const torch::Tensor x = torch::randn({M, K});
  const torch::Tensor w = torch::randn({V, K});
  const torch::Tensor b = with_bias ? torch::randn({V}) : torch::zeros({V});
  const torch::Tensor expected = torch::addmm(b, x, w.t());
  torch::Tensor out = torch::full({M, V}, 12345.0f);  // every element must be written
  fn(x.data_ptr<float>(), M, K, w.data_ptr<float>(), with_bias ? b.data_ptr<float>() : nullptr,
     V, out.data_ptr<float>());
  // Float rounding of a K-term sum in another order: relative to the terms' magnitude.
  const double tolerance = 1e-5 * static_cast<double>(K + 1) * 4.0;
  EXPECT_LE((out - expected).abs().max().item<float>(), tolerance)
      << "M " << M << " K " << K << " V " << V << " bias " << with_bias;
}

TEST(SmallAffineTest, MatchesAddmmForEveryShapeEdgeInBothBuilds) {
  for (Fn fn : {&SmallAffine, &SmallAffineGeneric}) {
    for (const auto& [M, K, V] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {1, 1, 1},          {2, 7, 3},    {5, 8, 13},        {5, 512, 8000},
             {3, 515, 257},      {16, 768, 300}, {kSmallAffineMaxRows, 1, 1000},
             {4, 33, 1}}) {
      Check(fn, M, K, V, /*with_bias=*/true);
      Check(fn, M, K, V, /*with_bias=*/false);
    }
  }
}

TEST(SmallAffineTest, ThreadCountDoesNotChangeTheResult) {
  const torch::Tensor x = torch::randn({5, 512});
  const torch::Tensor w = torch::randn({3000, 512});
  const torch::Tensor b = torch::randn({3000});
  std::vector<torch::Tensor> outs;
  const int before = at::get_num_threads();
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    torch::Tensor out = torch::empty({5, 3000});
    SmallAffine(x.data_ptr<float>(), 5, 512, w.data_ptr<float>(), b.data_ptr<float>(), 3000,
                out.data_ptr<float>());
    outs.push_back(out);
  }
  at::set_num_threads(before);
  // Each output element is one thread's sum in one order: the same bits at any thread count.
  EXPECT_TRUE(torch::equal(outs[0], outs[1]));
}

using Bf16Fn = void (*)(const float*, int64_t, int64_t, const uint16_t*, const float*, int64_t,
                        float*);

// The bfloat16 weights are the float weights rounded (LibTorch's conversion, to nearest
// even): the product must equal addmm over those rounded weights to float rounding.
TEST(SmallAffineTest, Bf16WeightsMatchAddmmOverTheRoundedWeights) {
  for (Bf16Fn fn : {&SmallAffineBf16, &SmallAffineBf16Generic}) {
    for (const auto& [M, K, V] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {1, 1, 1}, {2, 7, 3}, {5, 8, 13}, {5, 512, 8000}, {3, 515, 257},
             {kSmallAffineMaxRows, 9, 100}, {4, 33, 1}}) {
      for (bool with_bias : {true, false}) {
        torch::manual_seed(static_cast<uint64_t>(M * 7 + K * 13 + V));
        const torch::Tensor x = torch::randn({M, K});
        const torch::Tensor w16 = torch::randn({V, K}).to(torch::kBFloat16).contiguous();
        const torch::Tensor b = with_bias ? torch::randn({V}) : torch::zeros({V});
        const torch::Tensor expected = torch::addmm(b, x, w16.to(torch::kFloat).t());
        torch::Tensor out = torch::full({M, V}, 12345.0f);
        fn(x.data_ptr<float>(), M, K,
           reinterpret_cast<const uint16_t*>(w16.data_ptr<at::BFloat16>()),
           with_bias ? b.data_ptr<float>() : nullptr, V, out.data_ptr<float>());
        EXPECT_LE((out - expected).abs().max().item<float>(),
                  1e-5 * static_cast<double>(K + 1) * 4.0)
            << "M " << M << " K " << K << " V " << V << " bias " << with_bias;
      }
    }
  }
}

}  // namespace
}  // namespace tandem::model
