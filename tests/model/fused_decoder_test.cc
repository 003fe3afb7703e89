// The fused Bahdanau/GRU decoder (model/fused_decoder.h) against the step-by-step autograd
// path, its threading and its FastTanh, and recomputing the attention tanh in backward.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <limits>
#include <cmath>
#include <string>
#include <vector>

#include "model/batch.h"
#include "model/fused_decoder.h"
#include "model/model_config.h"
#include "model/seq2seq.h"
#include "tests/model/seq2seq_testing.h"
#include "tests/testing/status_matchers.h"

namespace tandem::model {
namespace {

// Recomputing the attention tanh in backward changes memory, not results: the same loss and
// the same gradients (up to float rounding) as keeping it, with dropout and padding. An LSTM
// decoder, so the step-by-step path runs, where the option applies (a one-layer GRU decoder
// takes the fused node, which always recomputes: FusedDecoderMatchesStepByStep covers both
// choices of the step-by-step GRU path against it).
TEST_F(Seq2SeqTest, RecomputedAttentionGivesTheSameLossAndGradients) {
  ModelConfig keep = Tiny("bahdanau", "lstm");
  keep.dropout = 0.1;
  ModelConfig recompute = keep;
  recompute.recompute_attention = true;
  Seq2Seq a = Make(keep, 5), b = Make(recompute, 5);
  const Batch batch = TinyBatch(keep);
  ASSERT_TRUE(batch.src_padded) << "the batch should exercise the padding mask";
  double losses[2];
  int i = 0;
  for (Seq2Seq* m : {&a, &b}) {
    (*m)->SetDropoutSeed(9);
    auto loss = (*m)->ForwardLoss(batch, 0.1);
    ASSERT_OK(loss);
    loss->sum.backward();
    losses[i++] = loss->sum.item<double>();
  }
  EXPECT_NEAR(losses[0], losses[1], 1e-6 * std::fabs(losses[0]));
  ExpectSameGradients(b, a, 1e-5);
}

// The fused Bahdanau/GRU decoder (fused_decoder.h) against the step-by-step autograd path
// (keeping and recomputing its attention tanh): same loss, attention weights and gradients, in
// float and double, on padded and unpadded batches and on a one-step target, with the AVX2 and
// the generic build of the fused loops.
TEST_F(Seq2SeqTest, FusedDecoderMatchesStepByStep) {
  ModelConfig c = Tiny("bahdanau");
  c.dropout = 0.1;
  c.attention_dim = 19;  // the float loops: two 8-lane blocks and a scalar tail (D = 10: one)
  std::vector<std::pair<std::string, Batch>> batches;
  batches.emplace_back("padded", TinyBatch(c));
  auto unpadded = MakeBatch({{4, 5, 6}, {7, 8, 9}}, {{4, 5}, {6, 7, 8, 9}}, c);
  ASSERT_OK(unpadded);
  ASSERT_FALSE(unpadded->src_padded);
  batches.emplace_back("unpadded", *unpadded);
  auto one_step = MakeBatch({{4}}, std::vector<std::vector<int>>{std::vector<int>{}}, c);
  ASSERT_OK(one_step);
  ASSERT_EQ(one_step->tgt_in.size(1), 1);
  batches.emplace_back("one step", *one_step);
  for (const bool generic : {false, true}) {  // the AVX2 build (where the CPU has it) and not
    UseGenericFusedLoops(generic);
    for (const bool recompute : {false, true}) {
      for (const auto dtype : {torch::kFloat, torch::kDouble}) {
        for (const auto& [what, batch] : batches) {
          SCOPED_TRACE(what + (recompute ? " recompute" : "") +
                       (dtype == torch::kDouble ? " double" : " float"));
          ModelConfig cc = c;
          cc.recompute_attention = recompute;
          Seq2Seq fused = Make(cc, 7), plain = Make(cc, 7);
          plain->SetFusedDecoder(false);
          fused->to(dtype);
          plain->to(dtype);
          double loss[2];
          torch::Tensor weights[2];
          int i = 0;
          for (Seq2Seq* m : {&fused, &plain}) {
            (*m)->SetDropoutSeed(11);
            auto l = (*m)->ForwardLoss(batch, 0.1);
            ASSERT_OK(l);
            l->sum.backward();
            loss[i] = l->sum.item<double>();
            torch::NoGradGuard no_grad;
            (*m)->SetDropoutSeed(11);
            ASSERT_OK((*m)->Forward(batch, &weights[i]));
            ++i;
          }
          const double tol = dtype == torch::kDouble ? 1e-12 : 1e-5;
          EXPECT_NEAR(loss[0], loss[1], tol * std::fabs(loss[1]));
          ASSERT_EQ(weights[0].sizes(), weights[1].sizes());
          EXPECT_LT((weights[0] - weights[1]).abs().max().item<double>(), tol);
          if (batch.src_padded) {  // exactly zero weight at padding
            auto pad = batch.src.eq(c.pad_id).unsqueeze(1).expand_as(weights[0]);
            EXPECT_EQ(weights[0].masked_select(pad).abs().max().item<double>(), 0.0);
          }
          ExpectSameGradients(fused, plain, tol);
        }
      }
    }
  }
  UseGenericFusedLoops(false);
}

// The fused node splits its loops across LibTorch's threads by batch rows: one thread and two
// give the same bits (outputs and every input gradient), padded batch included.
TEST_F(Seq2SeqTest, FusedDecoderIsTheSameOnOneAndTwoThreads) {
  const int64_t T = 5, B = 7, D = 12, S = 6, att = 13, A = 10;
  torch::manual_seed(3);
  auto make = [](std::vector<int64_t> shape) {
    return (torch::rand(shape) - 0.5).requires_grad_();
  };
  std::vector<torch::Tensor> in = {make({T, B, 3 * D}), make({B, D}),   make({B, S, att}),
                                   make({B, S, A}),     make({att, D}), make({3 * D, D}),
                                   make({3 * D}),       make({att}),    make({3 * D, A})};
  torch::Tensor mask = torch::zeros({B, S}, torch::kBool);
  mask.index_put_({torch::indexing::Slice(0, 3), torch::indexing::Slice(4, S)}, true);
  const torch::Tensor g_states = torch::rand({T, B, D}), g_contexts = torch::rand({T, B, A});
  for (const bool generic : {false, true}) {
    SCOPED_TRACE(generic ? "generic build" : "AVX2 build where the CPU has it");
    UseGenericFusedLoops(generic);
    std::vector<torch::Tensor> results[2];
    for (int threads : {1, 2}) {
      at::set_num_threads(threads);
      for (auto& t : in) t.mutable_grad() = torch::Tensor();
      FusedDecoderOutput out =
          BahdanauGruDecode(in[0], in[1], in[2], in[3], mask, in[4], in[5], in[6], in[7], in[8]);
      torch::autograd::backward({out.states, out.contexts}, {g_states, g_contexts});
      auto& r = results[threads - 1];
      r = {out.states.detach(), out.contexts.detach(), out.weights.detach()};
      for (auto& t : in) r.push_back(t.grad().clone());
    }
    at::set_num_threads(1);
    ASSERT_EQ(results[0].size(), results[1].size());
    for (size_t i = 0; i < results[0].size(); ++i) {
      EXPECT_TRUE(results[0][i].equal(results[1][i])) << "result " << i;
    }
    // Padding got zero weight.
    EXPECT_EQ(results[0][2]
                  .index({torch::indexing::Slice(), torch::indexing::Slice(0, 3),
                          torch::indexing::Slice(4, S)})
                  .abs()
                  .max()
                  .item<float>(),
              0.0f);
  }
  UseGenericFusedLoops(false);
}

// Decoding's attention step (AdditiveAttentionStep) against LibTorch's operators: the same
// context and weights within float rounding, exactly zero weight at padding, rows summing to
// one, the same bits at 1 and 2 threads and in both builds of the loops; att not a multiple
// of 8 (the scalar tail) and one source position.
TEST_F(Seq2SeqTest, AttentionStepMatchesTheOperators) {
  for (const auto& [B, S, att, A] : std::vector<std::array<int64_t, 4>>{
           {3, 5, 16, 10}, {1, 1, 7, 3}, {17, 9, 13, 512}, {2, 40, 256, 512}}) {
    SCOPED_TRACE(::testing::Message() << B << " " << S << " " << att << " " << A);
    torch::manual_seed(static_cast<uint64_t>(B * 100 + S));
    const torch::Tensor keys = torch::randn({B, S, att}), q = torch::randn({B, att});
    const torch::Tensor v = torch::randn({att}), ann = torch::randn({B, S, A});
    torch::Tensor mask = torch::zeros({B, S}, torch::kBool);
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t s = S - b % S; s < S; ++s) mask[b][s] = true;  // row b: b % S padded
    }
    torch::Tensor e = torch::matmul(torch::tanh(keys + q.unsqueeze(1)), v);
    e = e.masked_fill(mask, -std::numeric_limits<double>::infinity());
    const torch::Tensor want_a = torch::softmax(e, 1);
    const torch::Tensor want_c = torch::bmm(want_a.unsqueeze(1), ann).squeeze(1);
    std::vector<torch::Tensor> contexts;
    for (const bool generic : {false, true}) {
      UseGenericFusedLoops(generic);
      for (const int threads : {1, 2}) {
        at::set_num_threads(threads);
        torch::Tensor a;
        const torch::Tensor c = AdditiveAttentionStep(keys, q, v, mask, ann, &a);
        EXPECT_LT((c - want_c).abs().max().item<float>(), 1e-5);
        EXPECT_LT((a - want_a).abs().max().item<float>(), 1e-5);
        EXPECT_TRUE(torch::all(a.masked_select(mask) == 0).item<bool>());
        EXPECT_LT((a.sum(1) - 1).abs().max().item<float>(), 1e-5);
        if (!generic) contexts.push_back(c);
      }
    }
    UseGenericFusedLoops(false);
    at::set_num_threads(1);
    EXPECT_TRUE(torch::equal(contexts[0], contexts[1])) << "1 and 2 threads";
    // No mask at all.
    torch::Tensor a;
    const torch::Tensor c = AdditiveAttentionStep(keys, q, v, torch::Tensor(), ann, &a);
    const torch::Tensor unmasked =
        torch::softmax(torch::matmul(torch::tanh(keys + q.unsqueeze(1)), v), 1);
    EXPECT_LT((a - unmasked).abs().max().item<float>(), 1e-5);
    EXPECT_LT((c - torch::bmm(unmasked.unsqueeze(1), ann).squeeze(1)).abs().max().item<float>(),
              1e-5);
  }
  // What it cannot take it refuses (a c10::Error; Seq2Seq only calls it with what fits).
  EXPECT_THROW(AdditiveAttentionStep(torch::randn({2, 3, 4}).transpose(1, 2), torch::randn({2, 3}),
                                     torch::randn({3}), torch::Tensor(), torch::randn({2, 4, 5}),
                                     nullptr),
               c10::Error);
}

// FastTanh against the double-precision tanh: absolute error within a few float ulps of 1,
// relative error small near zero, exact signs, limits and NaN, in its 8-lane form and in its
// one-at-a-time form (the last n mod 8 elements), which must agree.
TEST_F(Seq2SeqTest, FastTanhIsAccurate) {
  for (const bool generic : {false, true}) {
    SCOPED_TRACE(generic ? "generic build" : "AVX2 build where the CPU has it");
    UseGenericFusedLoops(generic);
    std::vector<float> x;
    for (double v = -12; v <= 12; v += 1.0 / 4096) x.push_back(static_cast<float>(v));
    for (const float tiny : {1e-3f, 1e-8f, 1e-30f, 1e-40f}) {  // 1e-40: subnormal
      x.push_back(tiny);
      x.push_back(-tiny);
    }
    for (const float special : {0.0f, -0.0f, 20.0f, -20.0f, INFINITY, -INFINITY})
      x.push_back(special);
    for (const size_t n : {x.size() - x.size() % 8, x.size()}) {  // all vector; odd tail
      SCOPED_TRACE(n);
      std::vector<float> y(n);
      FastTanh(x.data(), y.data(), static_cast<int64_t>(n));
      double max_abs = 0, max_rel = 0;
      for (size_t i = 0; i < n; ++i) {
        const double want = std::tanh(static_cast<double>(x[i]));
        max_abs = std::max(max_abs, std::fabs(y[i] - want));
        if (want != 0) max_rel = std::max(max_rel, std::fabs(y[i] - want) / std::fabs(want));
        EXPECT_EQ(std::signbit(y[i]), std::signbit(x[i])) << x[i];
      }
      EXPECT_LT(max_abs, 3e-7);
      EXPECT_LT(max_rel, 1e-6);
    }
    // Each element alone (scalar form) equals the 8-lane result up to FMA rounding.
    std::vector<float> lanes(x.size()), one(x.size());
    FastTanh(x.data(), lanes.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) FastTanh(&x[i], &one[i], 1);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(one[i], lanes[i], 2e-7) << x[i];
    const float limits[] = {20.0f, -20.0f, INFINITY, -INFINITY, 0.0f, NAN, 9.0f, -9.0f, 0.5f};
    float out[9];
    FastTanh(limits, out, 9);
    EXPECT_EQ(out[0], 1.0f);
    EXPECT_EQ(out[1], -1.0f);
    EXPECT_EQ(out[2], 1.0f);
    EXPECT_EQ(out[3], -1.0f);
    EXPECT_EQ(out[4], 0.0f);
    EXPECT_TRUE(std::isnan(out[5]));
    float nan_alone;
    FastTanh(&limits[5], &nan_alone, 1);
    EXPECT_TRUE(std::isnan(nan_alone));
  }
  UseGenericFusedLoops(false);
}

}  // namespace
}  // namespace tandem::model
