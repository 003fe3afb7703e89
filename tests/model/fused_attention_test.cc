// FusedAttention (model/fused_attention.h) against the composite of ATen operators it
// replaces, computed in double: outputs, weights and gradients with causal and padding masks,
// strided inputs (views of a packed projection, as the Transformer passes them), and results
// that do not depend on the thread count. NormLinear and ResidualDropout
// (model/transformer_ops.h) against their composites, bit for bit.
#include "model/fused_attention.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "model/transformer_ops.h"

namespace tandem::model {
namespace {

using torch::Tensor;

class FusedAttentionTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
  void TearDown() override { at::set_num_threads(1); }
};

// The composite (transformer.cc MultiHead's arithmetic) in double.
Tensor Reference(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                 const Tensor& pad_mask, Tensor* probs) {
  const int64_t B = q.size(0), h = q.size(1), Tq = q.size(2), dk = q.size(3), Tk = k.size(2);
  Tensor s = torch::matmul(q / std::sqrt(static_cast<double>(dk)), k.transpose(2, 3));
  const double inf = std::numeric_limits<double>::infinity();
  if (causal) s = s.masked_fill(torch::ones({Tq, Tk}, torch::kBool).triu(1), -inf);
  if (pad_mask.defined()) s = s.masked_fill(pad_mask.view({B, 1, 1, Tk}), -inf);
  const Tensor p = torch::softmax(s, -1);
  if (probs) *probs = p;
  return torch::matmul(p, v).transpose(1, 2).reshape({B, Tq, h * dk});
}

double MaxDiff(const Tensor& a, const Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

struct Case {
  int64_t B, h, Tq, Tk, dk;
  bool causal, pad, packed;
};

void Check(const Case& c) {
  SCOPED_TRACE(::testing::Message() << "B=" << c.B << " h=" << c.h << " Tq=" << c.Tq
                                    << " Tk=" << c.Tk << " dk=" << c.dk << " causal=" << c.causal
                                    << " pad=" << c.pad << " packed=" << c.packed);
  torch::manual_seed(7);
  const int64_t E = c.h * c.dk;
  // Packed: q, k, v are head views of one [B, T, 3E] projection (strided rows), as in
  // self-attention; else separate contiguous [B, h, T, dk] tensors.
  Tensor base_q, base_kv;
  Tensor q, k, v;
  auto heads = [&](const Tensor& x) { return x.reshape({c.B, x.size(1), c.h, c.dk}).transpose(1, 2); };
  if (c.packed) {
    base_q = torch::randn({c.B, c.Tq, 3 * E}, torch::kDouble).requires_grad_();
    base_kv = base_q;
  } else {
    base_q = torch::randn({c.B, c.h, c.Tq, c.dk}, torch::kDouble).requires_grad_();
    base_kv = torch::randn({c.B, c.h, c.Tk, 2 * c.dk}, torch::kDouble).requires_grad_();
  }
  Tensor pad;
  if (c.pad) {
    pad = torch::zeros({c.B, c.Tk}, torch::kBool);
    for (int64_t b = 0; b < c.B; ++b) {  // row b keeps max(1, Tk - b) keys
      const int64_t keep = std::max<int64_t>(1, c.Tk - b);
      if (keep < c.Tk) pad[b].narrow(0, keep, c.Tk - keep).fill_(true);
    }
  }
  auto split = [&](const Tensor& bq, const Tensor& bkv, Tensor* qq, Tensor* kk, Tensor* vv) {
    if (c.packed) {
      const std::vector<Tensor> parts = bq.chunk(3, 2);
      *qq = heads(parts[0]);
      *kk = heads(parts[1]);
      *vv = heads(parts[2]);
    } else {
      *qq = bq;
      *kk = bkv.narrow(3, 0, c.dk);  // strided: row stride 2 dk
      *vv = bkv.narrow(3, c.dk, c.dk);
    }
  };
  // Reference in double.
  Tensor rq, rk, rv, rp;
  split(base_q, base_kv, &rq, &rk, &rv);
  const Tensor ref = Reference(rq, rk, rv, c.causal, pad, &rp);
  const Tensor gout = torch::randn(ref.sizes(), torch::kDouble);
  std::vector<Tensor> inputs = {base_q};
  if (!c.packed) inputs.push_back(base_kv);
  const std::vector<Tensor> ref_grads = torch::autograd::grad({ref}, inputs, {gout});
  // Fused in float, from the same values.
  const Tensor fq = base_q.detach().to(torch::kFloat).requires_grad_();
  const Tensor fkv = c.packed ? fq : base_kv.detach().to(torch::kFloat).requires_grad_();
  Tensor q32, k32, v32, p32;
  split(fq, fkv, &q32, &k32, &v32);
  ASSERT_TRUE(FusedAttentionSupports(q32, k32, v32));
  const Tensor out = FusedAttention(q32, k32, v32, c.causal, pad, &p32);
  ASSERT_EQ(out.sizes(), ref.sizes());
  EXPECT_TRUE(out.is_contiguous());
  EXPECT_LT(MaxDiff(out, ref), 1e-5);
  EXPECT_LT(MaxDiff(p32, rp), 1e-6);
  EXPECT_LT((p32.sum(3) - 1).abs().max().item<double>(), 1e-5);
  // Masked weights are exactly zero.
  if (c.causal) {
    EXPECT_EQ(p32.masked_select(torch::ones({c.Tq, c.Tk}, torch::kBool).triu(1)).abs().sum().item<double>(), 0.0);
  }
  if (c.pad) {
    EXPECT_EQ(p32.masked_select(pad.view({c.B, 1, 1, c.Tk})).abs().sum().item<double>(), 0.0);
  }
  std::vector<Tensor> f_inputs = {fq};
  if (!c.packed) f_inputs.push_back(fkv);
  const std::vector<Tensor> grads = torch::autograd::grad({out}, f_inputs, {gout.to(torch::kFloat)});
  ASSERT_EQ(grads.size(), ref_grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    const double scale = 1.0 + ref_grads[i].abs().max().item<double>();
    EXPECT_LT(MaxDiff(grads[i], ref_grads[i]) / scale, 1e-5) << "gradient " << i;
  }
}

TEST_F(FusedAttentionTest, MatchesTheCompositeWithAndWithoutMasks) {
  for (bool causal : {false, true}) {
    for (bool pad : {false, true}) {
      for (bool packed : {false, true}) {
        const int64_t T = 7;
        Check({3, 2, T, causal || packed ? T : 5, 4, causal, pad, packed});
      }
    }
  }
}

TEST_F(FusedAttentionTest, CrossShapesAndOneHead) {
  Check({2, 1, 3, 9, 8, false, true, false});   // Tq < Tk
  Check({4, 4, 11, 2, 3, false, false, false});  // Tq > Tk
  Check({1, 3, 1, 1, 2, true, false, true});     // one position
}

TEST_F(FusedAttentionTest, ResultsDoNotDependOnTheThreadCount) {
  torch::manual_seed(3);
  const int64_t B = 5, h = 4, T = 13, dk = 8;
  const Tensor qkv = torch::randn({B, T, 3 * h * dk});
  const Tensor gout = torch::randn({B, T, h * dk});
  auto run = [&](int threads) {
    at::set_num_threads(threads);
    const Tensor x = qkv.clone().requires_grad_();
    const std::vector<Tensor> parts = x.chunk(3, 2);
    auto heads = [&](const Tensor& t) { return t.reshape({B, T, h, dk}).transpose(1, 2); };
    const Tensor out = FusedAttention(heads(parts[0]), heads(parts[1]), heads(parts[2]),
                                      /*causal=*/true, Tensor());
    out.backward(gout);
    return std::vector<Tensor>{out.detach(), x.grad()};
  };
  const std::vector<Tensor> one = run(1), two = run(2);
  EXPECT_TRUE(torch::equal(one[0], two[0]));
  EXPECT_TRUE(torch::equal(one[1], two[1]));
}

TEST_F(FusedAttentionTest, RefusesWhatItDoesNotTake) {
  const Tensor d = torch::randn({1, 1, 2, 2}, torch::kDouble);
  EXPECT_FALSE(FusedAttentionSupports(d, d, d));
  const Tensor f = torch::randn({1, 1, 2, 4});
  EXPECT_TRUE(FusedAttentionSupports(f, f, f));
  const Tensor col = torch::randn({1, 1, 4, 2}).transpose(2, 3);  // stride(3) != 1
  EXPECT_FALSE(FusedAttentionSupports(col, col, col));
}

// Gradients of `out` (weighted by g) with respect to `inputs`.
std::vector<Tensor> Grads(const Tensor& out, const std::vector<Tensor>& inputs, const Tensor& g) {
  return torch::autograd::grad({out}, inputs, {g});
}

TEST_F(FusedAttentionTest, NormLinearAndAffineAreTheCompositesBitForBit) {
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    torch::manual_seed(11);
    const int64_t B = 3, T = 37, E = 16, O = 48;
    const Tensor x = torch::randn({B, T, E}).requires_grad_();
    const Tensor ln_w = (1 + 0.1 * torch::randn({E})).requires_grad_();
    const Tensor ln_b = (0.1 * torch::randn({E})).requires_grad_();
    const Tensor w = torch::randn({O, E}).requires_grad_();
    const Tensor b = torch::randn({O}).requires_grad_();
    const Tensor g = torch::randn({B, T, O});
    const std::vector<Tensor> in = {x, ln_w, ln_b, w, b};
    const Tensor want = torch::linear(torch::layer_norm(x, {E}, ln_w, ln_b, 1e-5), w, b);
    const Tensor got = NormLinear(x, ln_w, ln_b, 1e-5, w, b);
    EXPECT_TRUE(torch::equal(got, want));
    const std::vector<Tensor> gw = Grads(want, in, g), gg = Grads(got, in, g);
    for (size_t i = 0; i < in.size(); ++i) {
      EXPECT_TRUE(torch::equal(gg[i], gw[i])) << "gradient " << i << ", threads " << threads;
    }
    // Affine alone: torch::linear's result and gradients.
    const std::vector<Tensor> in2 = {x, w, b};
    const Tensor want2 = torch::linear(x, w, b), got2 = Affine(x, w, b);
    EXPECT_TRUE(torch::equal(got2, want2));
    const std::vector<Tensor> gw2 = Grads(want2, in2, g), gg2 = Grads(got2, in2, g);
    for (size_t i = 0; i < in2.size(); ++i) {
      EXPECT_TRUE(torch::equal(gg2[i], gw2[i])) << "affine gradient " << i << ", threads " << threads;
    }
  }
}

TEST_F(FusedAttentionTest, ResidualDropoutIsTheCompositeBitForBitWithTheSameDraws) {
  const double keep = 0.9;
  const int64_t B = 4, T = 9, E = 33;
  auto gen_float = at::make_generator<at::CPUGeneratorImpl>(5);
  auto gen_bool = at::make_generator<at::CPUGeneratorImpl>(5);
  for (int round = 0; round < 3; ++round) {  // the generators stay in step
    const Tensor fmask = torch::empty({B, T, E}).bernoulli_(keep, gen_float).div_(keep);
    const Tensor bmask = torch::empty({B, T, E}, torch::kBool).bernoulli_(keep, gen_bool);
    ASSERT_TRUE(torch::equal(bmask, fmask.ne(0))) << "round " << round;
    torch::manual_seed(round);
    const Tensor x = torch::randn({B, T, E}).requires_grad_();
    const Tensor y = torch::randn({B, T, E}).requires_grad_();
    const Tensor g = torch::randn({B, T, E});
    const Tensor want = x + y * fmask;
    const Tensor got = ResidualDropout(x, y, bmask, keep);
    EXPECT_TRUE(torch::equal(got, want));
    const std::vector<Tensor> gw = Grads(want, {x, y}, g), gg = Grads(got, {x, y}, g);
    EXPECT_TRUE(torch::equal(gg[0], gw[0]));
    EXPECT_TRUE(torch::equal(gg[1], gw[1]));
  }
  const Tensor x = torch::ones({2}), y = torch::ones({2});
  EXPECT_TRUE(torch::equal(ResidualDropout(x, y, Tensor(), keep), x + y));  // dropout off
}

TEST_F(FusedAttentionTest, KeepMasksDependOnTheSeedOnlyAndKeepTheRightShare) {
  const std::vector<int64_t> sizes = {64, 45, 257};  // odd element count
  at::set_num_threads(1);
  const Tensor one = KeepMask(sizes, 0.9, 42);
  at::set_num_threads(2);
  const Tensor two = KeepMask(sizes, 0.9, 42);
  EXPECT_TRUE(torch::equal(one, two));
  EXPECT_EQ(one.sizes(), torch::IntArrayRef(sizes));
  EXPECT_FALSE(torch::equal(one, KeepMask(sizes, 0.9, 43)));
  const double n = static_cast<double>(one.numel());
  const double kept = one.sum().item<double>() / n;
  EXPECT_NEAR(kept, 0.9, 5 * std::sqrt(0.09 / n));
  // Neighbouring elements (the two halves of one draw) are independent.
  const Tensor flat = one.flatten().to(torch::kDouble);
  const Tensor even = flat.slice(0, 0, flat.size(0) - 1, 2), odd = flat.slice(0, 1, flat.size(0), 2);
  EXPECT_NEAR((even * odd).mean().item<double>(), 0.81, 5 * std::sqrt(0.81 * 0.19 / (n / 2)));
  EXPECT_NEAR(KeepMask({100000}, 0.5, 7).to(torch::kDouble).mean().item<double>(), 0.5, 0.01);
}

}  // namespace
}  // namespace tandem::model
