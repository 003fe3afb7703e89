// Loss, optimizer helpers, and end-to-end learning: a tiny corpus is overfit and then
// translated back exactly by greedy and beam search.
#include <ATen/Parallel.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "model/batch.h"
#include "model/decode.h"
#include "model/loss.h"
#include "model/optim.h"
#include "model/seq2seq.h"
#include "tests/testing/status_matchers.h"

namespace tandem::model {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

class TrainTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

// The label-smoothed loss against the formula of R1.md 1.5 computed by hand in double.
TEST_F(TrainTest, LabelSmoothingMatchesHandComputationAndSkipsPads) {
  const double eps = 0.1;
  const int64_t V = 4, pad = 0;
  const std::vector<std::vector<double>> z = {
      {1.0, 2.0, 0.5, -1.0}, {0.0, 0.0, 0.0, 0.0}, {3.0, -2.0, 1.0, 0.25}, {9.0, 9.0, 9.0, 9.0}};
  const std::vector<int64_t> y = {2, 3, pad, 1};  // third position is padding
  double expected = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    if (y[i] == pad) continue;
    double lse = 0;
    for (double v : z[i]) lse += std::exp(v);
    lse = std::log(lse);
    double smooth = 0;
    for (double v : z[i]) smooth += -(v - lse);
    expected += (1 - eps) * -(z[i][y[i]] - lse) + eps / V * smooth;
    ++tokens;
  }
  torch::Tensor logits = torch::empty({2, 2, V}, torch::kDouble);
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t k = 0; k < V; ++k) logits[i / 2][i % 2][k] = z[i][k];
  }
  logits.requires_grad_(true);
  torch::Tensor targets = torch::tensor(y, torch::kInt64).view({2, 2});
  absl::StatusOr<LossSum> loss = LabelSmoothedLoss(logits, targets, eps, pad);
  ASSERT_OK(loss);
  EXPECT_EQ(loss->tokens, 3);
  EXPECT_EQ(tokens, 3);
  EXPECT_NEAR(loss->sum.item<double>(), expected, 1e-12);
  loss->sum.backward();
  // The padded position contributes no gradient.
  EXPECT_EQ(logits.grad()[1][0].abs().max().item<double>(), 0.0);
  // Gradient of a kept row: softmax - ((1 - eps) onehot + eps / V).
  torch::Tensor p = torch::softmax(logits[0][0].detach(), 0);
  torch::Tensor want = p - eps / V;
  want[2] -= 1 - eps;
  EXPECT_TRUE(torch::allclose(logits.grad()[0][0], want, 1e-12, 1e-12));
}

TEST_F(TrainTest, LossWithoutSmoothingIsNll) {
  torch::manual_seed(1);
  torch::Tensor logits = torch::randn({5, 7}, torch::kDouble);
  torch::Tensor targets = torch::tensor({1, 2, 0, 4, 6}, torch::kInt64);
  auto loss = LabelSmoothedLoss(logits, targets, 0.0, 0);
  ASSERT_OK(loss);
  torch::Tensor logp = torch::log_softmax(logits, 1);
  double nll = 0;
  for (int64_t i : {0, 1, 3, 4}) nll -= logp[i][targets[i].item<int64_t>()].item<double>();
  EXPECT_NEAR(loss->sum.item<double>(), nll, 1e-12);
  EXPECT_EQ(loss->tokens, 4);
}

TEST_F(TrainTest, LossRejectsBadArguments) {
  torch::Tensor logits = torch::zeros({2, 3, 5});
  EXPECT_THAT(
      LabelSmoothedLoss(logits, torch::zeros({2, 3}, torch::kInt64), 1.0, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon must be in [0, 1), got 1")));
  EXPECT_THAT(LabelSmoothedLoss(logits, torch::zeros({2, 4}, torch::kInt64), 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("LabelSmoothedLoss: logits must be [..., V], targets [...]")));
  // A target outside [0, V) is a status, not an exception.
  EXPECT_THAT(LabelSmoothedLoss(logits, torch::full({2, 3}, 9, torch::kInt64), 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LabelSmoothedLoss: ")));
}

// FusedOutputLoss against LabelSmoothedLoss(linear(x, W, b)): value, token count and the
// gradients of x, W and b, in double (tight) and float. x is a non-leaf (x0 * 2, as the
// model's features are); `tied` also uses W elsewhere in the graph (as the tied target
// embedding does); `scale` != 1 checks that backward scales the saved gradients.
struct FusedCase {
  const char* name;
  int64_t n;       // rows
  int64_t chunk;   // 0: the default
  double eps;
  bool bias;
  int pads;        // 0: none, 1: every third row, 2: all rows, 3: the first chunk all pad
  bool tied;
  double scale;
};

void CheckFused(const FusedCase& fc, torch::Dtype dtype) {
  SCOPED_TRACE(std::string(fc.name) + (dtype == torch::kDouble ? " double" : " float"));
  torch::manual_seed(11);
  const int64_t P = 6, V = 9, pad = 0;
  const auto opt = torch::dtype(dtype);
  const torch::Tensor x0 = torch::randn({fc.n, P}, opt);
  const torch::Tensor w0 = torch::randn({V, P}, opt) * 0.7;
  const torch::Tensor b0 = torch::randn({V}, opt);
  const torch::Tensor r = torch::randn({4, P}, opt);                 // tied use: sum(W[idx] * r)
  const torch::Tensor idx = torch::tensor({3, 0, 3, 8}, torch::kInt64);
  torch::Tensor y = torch::randint(1, V, {fc.n}, torch::kInt64);
  if (fc.pads == 1) y.index_fill_(0, torch::arange(0, fc.n, 3), pad);
  if (fc.pads == 2) y.fill_(pad);
  if (fc.pads == 3) y.narrow(0, 0, std::min(fc.n, fc.chunk)).fill_(pad);
  const int64_t want_tokens = y.ne(pad).sum().item<int64_t>();

  struct Result {
    double loss;
    int64_t tokens;
    torch::Tensor gx, gw, gb;
  };
  auto run = [&](bool fused) {
    torch::Tensor x = x0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true),
                  b = b0.clone().requires_grad_(true);
    torch::Tensor features = x * 2.0;
    torch::Tensor bias = fc.bias ? b : torch::Tensor();
    absl::StatusOr<LossSum> loss =
        fused ? FusedOutputLoss(features, w, bias, y, fc.eps, pad, fc.chunk)
              : LabelSmoothedLoss(torch::linear(features, w, bias), y, fc.eps, pad);
    EXPECT_OK(loss);
    if (!loss.ok()) return Result{};
    EXPECT_TRUE(loss->sum.requires_grad());
    torch::Tensor total = loss->sum * fc.scale;
    if (fc.tied) total = total + (w.index_select(0, idx) * r).sum();
    total.backward();
    return Result{loss->sum.item<double>(), loss->tokens, x.grad(), w.grad(),
                  fc.bias ? b.grad() : torch::zeros({V}, opt)};
  };
  const Result want = run(false), got = run(true);
  const double rtol = dtype == torch::kDouble ? 1e-10 : 2e-5;
  const double atol = dtype == torch::kDouble ? 1e-12 : 2e-6;
  EXPECT_EQ(got.tokens, want_tokens);
  EXPECT_EQ(want.tokens, want_tokens);
  EXPECT_NEAR(got.loss, want.loss, atol + rtol * std::abs(want.loss));
  for (auto [a, e, what] : {std::make_tuple(got.gx, want.gx, "x"),
                            std::make_tuple(got.gw, want.gw, "W"),
                            std::make_tuple(got.gb, want.gb, "b")}) {
    ASSERT_TRUE(a.defined()) << what;
    ASSERT_TRUE(e.defined()) << what;
    EXPECT_EQ(a.sizes(), e.sizes()) << what;
    // Absolute tolerance relative to the tensor's scale (sums over rows cancel to near zero).
    const double scale = std::max(1.0, e.abs().max().item<double>());
    EXPECT_TRUE(torch::allclose(a, e, rtol, atol * scale))
        << what << ": max diff " << (a - e).abs().max().item<double>();
  }
  if (fc.pads == 2) {  // nothing to learn from: zero loss, zero gradients (but the tied use)
    EXPECT_EQ(got.loss, 0.0);
    EXPECT_EQ(got.gx.abs().max().item<double>(), 0.0);
    EXPECT_EQ(got.gb.abs().max().item<double>(), 0.0);
    if (!fc.tied) {
      EXPECT_EQ(got.gw.abs().max().item<double>(), 0.0);
    }
  }
  if (fc.pads == 1 || fc.pads == 3) {  // pad rows of x get no gradient
    torch::Tensor pad_rows = y.eq(pad).nonzero().squeeze(1);
    EXPECT_EQ(got.gx.index_select(0, pad_rows).abs().max().item<double>(), 0.0);
  }
}

TEST_F(TrainTest, FusedOutputLossMatchesLinearPlusLabelSmoothedLoss) {
  const FusedCase cases[] = {
      {"N not a multiple of the chunk", 10, 4, 0.1, true, 0, false, 1.0},
      {"N below the chunk", 3, 8, 0.1, true, 0, false, 1.0},
      {"N = 1", 1, 4, 0.1, true, 0, false, 1.0},
      {"some pad rows", 11, 4, 0.1, true, 1, false, 1.0},
      {"all rows pad", 9, 4, 0.1, true, 2, false, 1.0},
      {"an all-pad chunk", 10, 4, 0.1, true, 3, false, 1.0},
      {"eps 0", 10, 4, 0.0, true, 1, false, 1.0},
      {"no bias", 10, 4, 0.1, false, 1, false, 1.0},
      {"no bias, eps 0", 7, 3, 0.0, false, 0, false, 1.0},
      {"tied weight", 10, 4, 0.1, true, 1, true, 1.0},
      {"tied weight, all pad", 5, 2, 0.1, false, 2, true, 1.0},
      {"scaled backward (token mean)", 10, 4, 0.1, true, 1, false, 1.0 / 7},
      {"default chunk, several chunks", 2 * kFusedLossChunkRows + 37, 0, 0.1, true, 1, false,
       1.0},
      {"chunk of one row", 5, 1, 0.1, true, 1, true, 0.5},
  };
  for (const FusedCase& fc : cases) {
    CheckFused(fc, torch::kDouble);
    CheckFused(fc, torch::kFloat);
  }
}

// [B, T, P] features with [B, T] targets, as the model passes them.
TEST_F(TrainTest, FusedOutputLossTakesBatchShapes) {
  torch::manual_seed(2);
  torch::Tensor x = torch::randn({2, 3, 4}, torch::kDouble), w = torch::randn({5, 4}, torch::kDouble);
  torch::Tensor y = torch::tensor({1, 2, 0, 4, 3, 0}, torch::kInt64).view({2, 3});
  auto fused = FusedOutputLoss(x, w, torch::Tensor(), y, 0.1, 0);
  auto plain = LabelSmoothedLoss(torch::linear(x, w), y, 0.1, 0);
  ASSERT_OK(fused);
  ASSERT_OK(plain);
  EXPECT_NEAR(fused->sum.item<double>(), plain->sum.item<double>(), 1e-12);
  EXPECT_EQ(fused->tokens, 4);
}

// Validation: under NoGradGuard (or with nothing requiring grad) the same loss, no graph.
TEST_F(TrainTest, FusedOutputLossWithoutGradients) {
  torch::manual_seed(5);
  torch::Tensor x = torch::randn({13, 6}).requires_grad_(true);
  torch::Tensor w = torch::randn({9, 6}).requires_grad_(true), b = torch::randn({9}).requires_grad_(true);
  torch::Tensor y = torch::randint(0, 9, {13}, torch::kInt64);
  auto with_grad = FusedOutputLoss(x, w, b, y, 0.1, 0, 4);
  ASSERT_OK(with_grad);
  EXPECT_TRUE(with_grad->sum.requires_grad());
  {
    torch::NoGradGuard no_grad;
    auto fused = FusedOutputLoss(x, w, b, y, 0.1, 0, 4);
    ASSERT_OK(fused);
    EXPECT_FALSE(fused->sum.requires_grad());
    EXPECT_EQ(fused->sum.item<float>(), with_grad->sum.item<float>());
    auto plain = LabelSmoothedLoss(torch::linear(x, w, b), y, 0.1, 0);
    EXPECT_NEAR(fused->sum.item<double>(), plain->sum.item<double>(),
                1e-5 * std::abs(plain->sum.item<double>()));
    EXPECT_EQ(fused->tokens, plain->tokens);
  }
  auto detached = FusedOutputLoss(x.detach(), w.detach(), b.detach(), y, 0.1, 0, 4);
  ASSERT_OK(detached);
  EXPECT_FALSE(detached->sum.requires_grad());
  EXPECT_EQ(detached->sum.item<float>(), with_grad->sum.item<float>());
  // Only the bias trainable: its gradient alone.
  auto bias_only = FusedOutputLoss(x.detach(), w.detach(), b, y, 0.1, 0, 4);
  ASSERT_OK(bias_only);
  bias_only->sum.backward();
  ASSERT_TRUE(b.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST_F(TrainTest, FusedOutputLossRejectsBadArguments) {
  torch::Tensor x = torch::zeros({2, 3, 4}), w = torch::zeros({5, 4}), b = torch::zeros({5});
  torch::Tensor y = torch::ones({2, 3}, torch::kInt64);
  EXPECT_OK(FusedOutputLoss(x, w, b, y, 0.1, 0));
  EXPECT_THAT(
      FusedOutputLoss(x, w, b, y, 1.0, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon must be in [0, 1), got 1")));
  EXPECT_THAT(FusedOutputLoss(x, w, b, y, -0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("epsilon must be in [0, 1), got -0.1")));
  const auto shapes = HasSubstr("FusedOutputLoss: features must be [..., P], weight [V, P]");
  EXPECT_THAT(FusedOutputLoss(x, w, b, torch::ones({2, 4}, torch::kInt64), 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, shapes));
  EXPECT_THAT(FusedOutputLoss(x, torch::zeros({5, 3}), b, y, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, shapes));
  EXPECT_THAT(FusedOutputLoss(x, w, torch::zeros({4}), y, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, shapes));
  EXPECT_THAT(FusedOutputLoss(x, w, b, torch::Tensor(), 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, shapes));
  // A target outside [0, V) is a status, not an exception; padding may be anything.
  EXPECT_THAT(
      FusedOutputLoss(x, w, b, torch::full({2, 3}, 9, torch::kInt64), 0.1, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a target id is outside [0, 5)")));
  EXPECT_THAT(
      FusedOutputLoss(x, w, b, torch::full({2, 3}, -1, torch::kInt64), 0.1, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a target id is outside [0, 5)")));
  EXPECT_OK(FusedOutputLoss(x, w, b, torch::full({2, 3}, -1, torch::kInt64), 0.1, -1));
  // A dtype mismatch from LibTorch is a status too.
  EXPECT_THAT(FusedOutputLoss(x, w.to(torch::kDouble), b, y, 0.1, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("FusedOutputLoss: ")));
}

TEST_F(TrainTest, ClipGradNormScalesOnlyAboveTheLimit) {
  torch::Tensor a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  EXPECT_NEAR(ClipGradNorm({a, b}, 10.0), 5.0, 1e-6);
  EXPECT_FLOAT_EQ(a.grad()[0].item<float>(), 3.0f);  // below the limit: untouched
  EXPECT_NEAR(ClipGradNorm({a, b}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<float>(), 3.0 / (5.0 + 1e-6), 1e-6);
  EXPECT_NEAR(b.grad()[0].item<float>(), 4.0 / (5.0 + 1e-6), 1e-6);
  torch::Tensor none = torch::zeros({1}, torch::requires_grad());  // no gradient: skipped
  EXPECT_NEAR(ClipGradNorm({a, b, none}, 0.0), 1.0, 1e-5);
}

// First Adam step: m = (1-b1) g, v = (1-b2) g^2, so p -= lr * g / (|g| + eps) (R1.md 1.5).
TEST_F(TrainTest, AdamFirstStepAndLearningRate) {
  torch::Tensor p = torch::tensor({1.0, -2.0}, torch::dtype(torch::kDouble).requires_grad(true));
  auto adam = MakeAdam({p}, AdamConfig{});
  ASSERT_OK(adam);
  p.mutable_grad() = torch::tensor({0.5, -0.25}, torch::kDouble);
  (*adam)->step();
  EXPECT_NEAR(p[0].item<double>(), 1.0 - 3e-4 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(p[1].item<double>(), -2.0 + 3e-4 * 0.25 / (0.25 + 1e-8), 1e-15);
  SetLearningRate(**adam, 0.5);
  EXPECT_EQ((*adam)->param_groups()[0].options().get_lr(), 0.5);
  EXPECT_THAT(MakeAdam({p}, AdamConfig{0.0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("adam: need lr > 0")));
}

// The fused flat Adam against torch::optim::Adam: three tensors of odd sizes (one empty),
// several steps with changing learning rates, a gradient scale and weight decay.
TEST_F(TrainTest, FlatAdamMatchesTorchAdam) {
  torch::manual_seed(3);
  AdamConfig config;
  config.lr = 1e-2;
  config.weight_decay = 0.01;
  std::vector<torch::Tensor> ref, mine;
  for (int64_t n : {7, 0, 1031}) {
    ref.push_back(torch::randn({n}).requires_grad_(true));
    mine.push_back(ref.back().detach().clone());
  }
  auto adam = MakeAdam(ref, config);
  ASSERT_OK(adam);
  FlatAdam flat({7, 0, 1031}, config);
  const float scale = 0.25f;
  for (int step = 1; step <= 4; ++step) {
    const double lr = 1e-2 / step;
    std::vector<torch::Tensor> grads;
    std::vector<ParamSpan> spans;
    for (size_t i = 0; i < ref.size(); ++i) {
      grads.push_back(torch::randn({ref[i].numel()}) * 3);
      ref[i].mutable_grad() = grads[i] * scale;
      spans.push_back({mine[i].data_ptr<float>(), grads[i].data_ptr<float>(),
                       static_cast<size_t>(mine[i].numel())});
    }
    SetLearningRate(**adam, lr);
    (*adam)->step();
    flat.Step(spans, scale, lr);
    for (size_t i = 0; i < ref.size(); ++i) {
      if (ref[i].numel() == 0) continue;
      EXPECT_LT((ref[i].detach() - mine[i]).abs().max().item<float>(), 1e-6) << step << " " << i;
    }
  }
  EXPECT_EQ(flat.steps(), 4);
  EXPECT_EQ(flat.total(), 1038u);
  EXPECT_THAT(ValidateAdam(AdamConfig{0.0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("adam: need lr > 0")));
}

TEST(SumOfSquaresTest, OddSizesAndEmpty) {
  EXPECT_EQ(SumOfSquares(nullptr, 0), 0.0);
  const float x[] = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(SumOfSquares(x, 1), 1.0);
  EXPECT_EQ(SumOfSquares(x, 7), 140.0);
}

TEST_F(TrainTest, MakeBatchLayout) {
  ModelConfig c = R1Config();
  absl::StatusOr<Batch> b = MakeBatch({{10, 11, 12}, {13}}, {{20}, {21, 22}}, c);
  ASSERT_OK(b);
  EXPECT_TRUE(b->src.equal(torch::tensor({10, 11, 12, 2, 13, 2, 0, 0}, torch::kInt64).view({2, 4})));
  EXPECT_TRUE(b->src_lengths.equal(torch::tensor({4, 2}, torch::kInt64)));
  EXPECT_TRUE(b->tgt_in.equal(torch::tensor({1, 20, 0, 1, 21, 22}, torch::kInt64).view({2, 3})));
  EXPECT_TRUE(b->tgt_out.equal(torch::tensor({20, 2, 0, 21, 22, 2}, torch::kInt64).view({2, 3})));
  EXPECT_EQ(b->target_tokens, 5);
  EXPECT_TRUE(b->src_padded);
  EXPECT_THAT(MakeBatch({{8000}}, {{5}}, c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source sentence 0 token 0: id 8000 is outside")));
  EXPECT_THAT(MakeBatch({{5}}, {{2}}, c),  // EOS inside a sentence
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("target sentence 0 token 0: id 2 is outside")));
  EXPECT_THAT(MakeBatch({{5}}, {}, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 sources but 0 targets")));
  EXPECT_THAT(MakeBatch({}, {}, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch: no sentences")));
}

// Eight pairs over a 20-word vocabulary; target = source reversed and shifted, lengths 1-6.
struct Corpus {
  std::vector<std::vector<int>> src, tgt;
};
Corpus TinyCorpus() {
  Corpus c;
  c.src = {{4, 5, 6}, {7, 8}, {9, 10, 11, 12}, {13}, {14, 15, 16, 17, 18}, {19, 4, 7},
           {5, 9, 13, 17, 6, 10}, {12, 8}};
  for (const auto& s : c.src) {
    std::vector<int> t(s.rbegin(), s.rend());
    for (int& id : t) id = 4 + (id - 4 + 3) % 16;
    if (s.size() % 2 == 0) t.push_back(19);  // lengths differ from the source sometimes
    c.tgt.push_back(t);
  }
  return c;
}

void OverfitAndTranslate(const std::string& attention, const std::string& cell) {
  SCOPED_TRACE(attention + " " + cell);
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = 20;
  c.embedding_dim = 16;
  c.hidden_dim = 24;
  c.attention_dim = 24;
  c.preoutput_dim = 32;
  c.attention = attention;
  c.cell = cell;
  c.dropout = 0.0;
  absl::StatusOr<Seq2Seq> model = CreateSeq2Seq(c, 0);
  ASSERT_OK(model);
  Seq2Seq m = *model;
  Corpus corpus = TinyCorpus();
  absl::StatusOr<Batch> batch = MakeBatch(corpus.src, corpus.tgt, c);
  ASSERT_OK(batch);
  auto adam = MakeAdam(m->OrderedParameters(), AdamConfig{1e-2});
  ASSERT_OK(adam);
  double mean = 0;
  int step = 0;
  for (; step < 600; ++step) {
    (*adam)->zero_grad();
    auto logits = m->Forward(*batch);
    ASSERT_OK(logits);
    auto loss = LabelSmoothedLoss(*logits, batch->tgt_out, 0.0, c.pad_id);
    ASSERT_OK(loss);
    (loss->sum / static_cast<double>(loss->tokens)).backward();
    ClipGradNorm(m->OrderedParameters(), 1.0);
    (*adam)->step();
    mean = loss->sum.item<double>() / loss->tokens;
    if (mean < 0.01) break;
  }
  std::printf("%s/%s: mean loss %.4f after %d steps\n", attention.c_str(), cell.c_str(), mean, step);
  EXPECT_LT(mean, 0.01);
  EXPECT_TRUE(m->is_training());

  auto greedy = GreedyDecode(*m, corpus.src);
  ASSERT_OK(greedy);
  DecodeOptions beam_options;
  beam_options.beam_size = 4;
  auto beam = BeamSearch(*m, corpus.src, beam_options);
  ASSERT_OK(beam);
  EXPECT_TRUE(m->is_training());  // decoding restores the mode
  // The batch shrinking as sentences finish gives the same translations as decoding every
  // row to the end.
  DecodeOptions whole;
  whole.compact = false;
  auto uncompacted = GreedyDecode(*m, corpus.src, whole);
  ASSERT_OK(uncompacted);
  whole.beam_size = 4;
  auto beam_uncompacted = BeamSearch(*m, corpus.src, whole);
  ASSERT_OK(beam_uncompacted);
  for (size_t i = 0; i < corpus.src.size(); ++i) {
    for (const auto& [a, b] :
         {std::pair{&*greedy, &*uncompacted}, std::pair{&*beam, &*beam_uncompacted}}) {
      EXPECT_EQ((*a)[i].tokens, (*b)[i].tokens) << "pair " << i;
      EXPECT_NEAR((*a)[i].log_prob, (*b)[i].log_prob, 1e-4) << "pair " << i;
      EXPECT_NEAR((*a)[i].score, (*b)[i].score, 1e-4) << "pair " << i;
      EXPECT_EQ((*a)[i].finished, (*b)[i].finished) << "pair " << i;
      ASSERT_EQ((*a)[i].attention.size(), (*b)[i].attention.size()) << "pair " << i;
      for (size_t r = 0; r < (*a)[i].attention.size(); ++r) {
        ASSERT_EQ((*a)[i].attention[r].size(), (*b)[i].attention[r].size());
        for (size_t j = 0; j < (*a)[i].attention[r].size(); ++j) {
          EXPECT_NEAR((*a)[i].attention[r][j], (*b)[i].attention[r][j], 1e-5);
        }
      }
    }
  }
  for (size_t i = 0; i < corpus.src.size(); ++i) {
    for (const auto* hyps : {&*greedy, &*beam}) {
      const Hypothesis& h = (*hyps)[i];
      EXPECT_EQ(h.tokens, corpus.tgt[i]) << "pair " << i;
      EXPECT_TRUE(h.finished);
      EXPECT_LE(h.log_prob, 0.0);
      // One attention row per output token plus EOS, one column per source token plus EOS.
      ASSERT_EQ(h.attention.size(), corpus.tgt[i].size() + 1);
      for (const auto& row : h.attention) {
        ASSERT_EQ(row.size(), corpus.src[i].size() + 1);
        double sum = 0;
        for (float a : row) sum += a;
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
    }
  }
}

TEST_F(TrainTest, OverfitBahdanauGru) { OverfitAndTranslate("bahdanau", "gru"); }
TEST_F(TrainTest, OverfitLuongGeneralLstm) { OverfitAndTranslate("luong_general", "lstm"); }
TEST_F(TrainTest, OverfitLuongDotGru) { OverfitAndTranslate("luong_dot", "gru"); }
TEST_F(TrainTest, OverfitNoAttention) { OverfitAndTranslate("none", "gru"); }

TEST_F(TrainTest, BeamOfOneEqualsGreedyAndLimitsLength) {
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = 20;
  c.embedding_dim = 8;
  c.hidden_dim = 8;
  c.attention_dim = 8;
  c.preoutput_dim = 8;
  auto m = CreateSeq2Seq(c, 5);
  ASSERT_OK(m);
  Corpus corpus = TinyCorpus();
  DecodeOptions o;
  o.beam_size = 1;
  o.length_alpha = 0.0;
  o.max_length_ratio = 1.0;
  auto greedy = GreedyDecode(**m, corpus.src, o);
  auto beam = BeamSearch(**m, corpus.src, o);
  ASSERT_OK(greedy);
  ASSERT_OK(beam);
  for (size_t i = 0; i < corpus.src.size(); ++i) {
    EXPECT_EQ((*greedy)[i].tokens, (*beam)[i].tokens) << i;
    EXPECT_NEAR((*greedy)[i].log_prob, (*beam)[i].log_prob, 1e-4) << i;
    // An untrained model rarely stops; it is cut at ceil(1.0 * (length + 1)) steps.
    EXPECT_LE((*greedy)[i].attention.size(), corpus.src[i].size() + 1);
    EXPECT_LE((*beam)[i].attention.size(), corpus.src[i].size() + 1);
  }
  o.beam_size = 0;
  EXPECT_THAT(BeamSearch(**m, corpus.src, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("decode: beam_size must be in [1, 1000], got 0")));
  EXPECT_THAT(GreedyDecode(**m, {{99}}),  // id outside the vocabulary
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source sentence 0 token 0: id 99 is outside [0, 20)")));
}

}  // namespace
}  // namespace tandem::model
