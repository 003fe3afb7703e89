// The Transformer (ModelConfig::architecture "transformer"): parameter order, names and count,
// configuration errors, incremental decoding equal to the teacher-forced pass, attention maps,
// padding, decoding, dropout determinism, checkpoints, learned-position limits, and a tiny
// task that it learns.
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/batch.h"
#include "model/checkpoint.h"
#include "model/decode.h"
#include "model/loss.h"
#include "model/model_config.h"
#include "model/optim.h"
#include "model/seq2seq.h"
#include "tests/model/seq2seq_testing.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem::model {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

using TransformerTest = Seq2SeqTest;

TEST_F(TransformerTest, ParameterNamesOrderAndShapesOfOneLayer) {
  const ModelConfig c = TinyTransformer(1);
  Seq2Seq m = Make(c);
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"src_emb.weight", {13, 8}},
      {"enc_l0.self_norm.weight", {8}},
      {"enc_l0.self_norm.bias", {8}},
      {"enc_l0.self_qkv.weight", {24, 8}},
      {"enc_l0.self_qkv.bias", {24}},
      {"enc_l0.self_out.weight", {8, 8}},
      {"enc_l0.self_out.bias", {8}},
      {"enc_l0.ffn_norm.weight", {8}},
      {"enc_l0.ffn_norm.bias", {8}},
      {"enc_l0.ffn_in.weight", {12, 8}},
      {"enc_l0.ffn_in.bias", {12}},
      {"enc_l0.ffn_out.weight", {8, 12}},
      {"enc_l0.ffn_out.bias", {8}},
      {"enc_norm.weight", {8}},
      {"enc_norm.bias", {8}},
      {"tgt_emb.weight", {11, 8}},
      {"dec_l0.self_norm.weight", {8}},
      {"dec_l0.self_norm.bias", {8}},
      {"dec_l0.self_qkv.weight", {24, 8}},
      {"dec_l0.self_qkv.bias", {24}},
      {"dec_l0.self_out.weight", {8, 8}},
      {"dec_l0.self_out.bias", {8}},
      {"dec_l0.cross_norm.weight", {8}},
      {"dec_l0.cross_norm.bias", {8}},
      {"dec_l0.cross_q.weight", {8, 8}},
      {"dec_l0.cross_q.bias", {8}},
      {"dec_l0.cross_kv.weight", {16, 8}},
      {"dec_l0.cross_kv.bias", {16}},
      {"dec_l0.cross_out.weight", {8, 8}},
      {"dec_l0.cross_out.bias", {8}},
      {"dec_l0.ffn_norm.weight", {8}},
      {"dec_l0.ffn_norm.bias", {8}},
      {"dec_l0.ffn_in.weight", {12, 8}},
      {"dec_l0.ffn_in.bias", {12}},
      {"dec_l0.ffn_out.weight", {8, 12}},
      {"dec_l0.ffn_out.bias", {8}},
      {"dec_norm.weight", {8}},
      {"dec_norm.bias", {8}},
      {"out.weight", {11, 8}},
      {"out.bias", {11}},
  };
  const std::vector<std::string> names = m->OrderedParameterNames();
  const std::vector<torch::Tensor> params = m->OrderedParameters();
  ASSERT_EQ(names.size(), expected.size());
  ASSERT_EQ(params.size(), expected.size());
  int64_t total = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(names[i], expected[i].first) << i;
    EXPECT_EQ(params[i].sizes().vec(), expected[i].second) << names[i];
    EXPECT_EQ(params[i].scalar_type(), torch::kFloat);
    EXPECT_TRUE(params[i].requires_grad()) << names[i];
    total += params[i].numel();
  }
  EXPECT_EQ(m->NumParameters(), total);
  EXPECT_EQ(ParameterCount(c), total);

  // Learned positions come right after each embedding; tied embeddings drop out.weight.
  ModelConfig learned = c;
  learned.positions = "learned";
  learned.tie_embeddings = true;
  const std::vector<std::string> ln = Make(learned)->OrderedParameterNames();
  ASSERT_EQ(ln.size(), expected.size() + 1);
  EXPECT_EQ(ln[1], "src_pos.weight");
  EXPECT_EQ(ln[17], "tgt_pos.weight");
  EXPECT_EQ(ln[ln.size() - 2], "dec_norm.bias");
  EXPECT_EQ(ln.back(), "out.bias");
}

TEST_F(TransformerTest, ParameterCountMatchesTorchFreeCounter) {
  for (int64_t enc : {1, 3}) {
    for (int64_t dec : {1, 2}) {
      for (const char* pos : {"sinusoidal", "learned"}) {
        for (bool tie : {false, true}) {
          ModelConfig c = TinyTransformer(1, pos);
          c.encoder_layers = enc;
          c.decoder_layers = dec;
          c.tie_embeddings = tie;
          c.ff_dim = 5 + enc;
          ASSERT_OK(Validate(c));
          EXPECT_EQ(Make(c)->NumParameters(), ParameterCount(c))
              << enc << "+" << dec << " " << pos << " tie " << tie;
        }
      }
    }
  }
}

TEST_F(TransformerTest, ValidationNamesTheField) {
  ModelConfig c = TinyTransformer();
  ASSERT_OK(Validate(c));
  auto expect_bad = [&](const ModelConfig& bad, const std::string& what) {
    EXPECT_THAT(Validate(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)));
    EXPECT_FALSE(CreateSeq2Seq(bad, 0).ok()) << what;
  };
  ModelConfig b = c;
  b.attention = "luong_dot";
  expect_bad(b, "model.attention: does not apply to architecture transformer");
  b = c;
  b.cell = "lstm";
  expect_bad(b, "model.cell: does not apply to architecture transformer");
  b = c;
  b.heads = 3;
  expect_bad(b, "model.heads: embedding_dim (8) must be divisible by heads (3)");
  b = c;
  b.positions = "rotary";
  expect_bad(b, "model.positions: unknown positions 'rotary'");
  b = c;
  b.encoder_layers = 13;
  expect_bad(b, "model.encoder_layers: must be in [1, 12]");
  b = c;
  b.decoder_layers = 0;
  expect_bad(b, "model.decoder_layers");
  b = c;
  b.ff_dim = 0;
  expect_bad(b, "model.ff_dim");
  b = c;
  b.preoutput_dim = 16;
  expect_bad(b, "model.preoutput_dim: must equal embedding_dim");
  b = c;
  b.architecture = "cnn";
  expect_bad(b, "model.architecture: unknown architecture 'cnn'");
  // 12 layers are allowed for the transformer (the RNN's cap is elsewhere).
  b = c;
  b.encoder_layers = 12;
  EXPECT_OK(Validate(b));
}

// Incremental decoding with the key/value caches gives the teacher-forced logits and
// attention, position by position, on a padded batch.
TEST_F(TransformerTest, IncrementalStepsEqualTheTeacherForcedPass) {
  for (const char* pos : {"sinusoidal", "learned", "wide"}) {
    ModelConfig c = TinyTransformer(2, pos == std::string("wide") ? "sinusoidal" : pos);
    if (pos == std::string("wide")) {  // wider, deeper, tied: rounding has more room to grow
      c.embedding_dim = c.preoutput_dim = 64;
      c.heads = 4;
      c.ff_dim = 128;
      c.encoder_layers = c.decoder_layers = 3;
      c.tie_embeddings = true;
    }
    c.dropout = 0.3;  // off in eval mode
    Seq2Seq m = Make(c, 3);
    m->eval();
    torch::NoGradGuard no_grad;
    const Batch batch = TinyBatch(c);
    ASSERT_TRUE(batch.src_padded);
    torch::Tensor attention;
    absl::StatusOr<torch::Tensor> logits = m->Forward(batch, &attention);
    ASSERT_OK(logits);
    const int64_t B = batch.size(), T = batch.tgt_in.size(1), S = batch.src.size(1);
    ASSERT_EQ(logits->sizes().vec(), (std::vector<int64_t>{B, T, c.tgt_vocab}));
    ASSERT_EQ(attention.sizes().vec(), (std::vector<int64_t>{B, T, S}));
    EncoderOutput enc = m->Encode(batch.src, batch.src_lengths, batch.src_padded);
    DecoderState state = m->InitialState(enc);
    for (int64_t t = 0; t < T; ++t) {
      torch::Tensor a;
      const torch::Tensor step = m->Step(enc, state, batch.tgt_in.select(1, t), &a);
      EXPECT_LT((step - logits->select(1, t)).abs().max().item<double>(), 1e-5)
          << pos << " t=" << t;
      EXPECT_LT((a - attention.select(1, t)).abs().max().item<double>(), 1e-6) << pos << " t=" << t;
    }
    EXPECT_EQ(state.position, T);
  }
}

TEST_F(TransformerTest, AttentionRowsSumToOneAndAreZeroAtSourcePadding) {
  const ModelConfig c = TinyTransformer();
  Seq2Seq m = Make(c);
  const Batch batch = TinyBatch(c);
  torch::Tensor attention;
  ASSERT_OK(m->Forward(batch, &attention));
  EXPECT_LT((attention.sum(2) - 1).abs().max().item<double>(), 1e-5);
  auto lengths = batch.src_lengths.accessor<int64_t, 1>();
  for (int64_t b = 0; b < batch.size(); ++b) {
    const int64_t len = lengths[b];
    if (len < batch.src.size(1)) {
      EXPECT_EQ(attention[b].narrow(1, len, batch.src.size(1) - len).abs().max().item<double>(),
                0.0)
          << b;
    }
  }
}

TEST_F(TransformerTest, PerHeadMapsAverageToTheAttention) {
  ModelConfig c = TinyTransformer();
  c.heads = 4;
  Seq2Seq m = Make(c, 8);
  m->eval();
  const Batch batch = TinyBatch(c);
  torch::Tensor attention;
  ASSERT_OK(m->Forward(batch, &attention));
  absl::StatusOr<torch::Tensor> heads = m->HeadAttention(batch);
  ASSERT_OK(heads);
  ASSERT_EQ(heads->sizes().vec(),
            (std::vector<int64_t>{batch.size(), 4, batch.tgt_in.size(1), batch.src.size(1)}));
  EXPECT_LT((heads->mean(1) - attention).abs().max().item<double>(), 1e-6);
  EXPECT_LT((heads->sum(3) - 1).abs().max().item<double>(), 1e-5);
  EXPECT_GT((heads->select(1, 0) - heads->select(1, 1)).abs().max().item<double>(), 1e-4)
      << "heads differ";
  // The RNN's single map is one head.
  Seq2Seq rnn = Make(Tiny("bahdanau"));
  rnn->eval();
  torch::Tensor rnn_attention;
  ASSERT_OK(rnn->Forward(TinyBatch(Tiny("bahdanau")), &rnn_attention));
  absl::StatusOr<torch::Tensor> one = rnn->HeadAttention(TinyBatch(Tiny("bahdanau")));
  ASSERT_OK(one);
  EXPECT_TRUE(torch::equal(one->squeeze(1), rnn_attention));
}

// A sentence's logits do not depend on the padding the batch adds around it.
TEST_F(TransformerTest, LogitsDoNotDependOnPadding) {
  const ModelConfig c = TinyTransformer();
  Seq2Seq m = Make(c, 5);
  m->eval();
  const std::vector<std::vector<int>> src = {{4, 5, 6, 7}, {8}};
  const std::vector<std::vector<int>> tgt = {{4, 5}, {7, 8, 9, 10}};
  absl::StatusOr<Batch> both = MakeBatch(src, tgt, c);
  ASSERT_OK(both);
  absl::StatusOr<torch::Tensor> lb = m->Forward(*both);
  ASSERT_OK(lb);
  for (size_t i = 0; i < src.size(); ++i) {
    absl::StatusOr<Batch> one = MakeBatch({src[i]}, {tgt[i]}, c);
    ASSERT_OK(one);
    absl::StatusOr<torch::Tensor> lo = m->Forward(*one);
    ASSERT_OK(lo);
    const int64_t T = one->tgt_in.size(1);
    EXPECT_LT((lb->select(0, i).narrow(0, 0, T) - lo->select(0, 0)).abs().max().item<double>(),
              1e-5)
        << i;
  }
}

TEST_F(TransformerTest, GreedyAndBeamSearchRunAndBeamOneIsGreedy) {
  const ModelConfig c = TinyTransformer();
  Seq2Seq m = Make(c, 2);
  const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8}, {9, 10, 11, 4, 5, 6}};
  DecodeOptions options;
  options.max_length_ratio = 1.5;
  absl::StatusOr<std::vector<Hypothesis>> greedy = GreedyDecode(*m, sources, options);
  ASSERT_OK(greedy);
  options.beam_size = 1;
  absl::StatusOr<std::vector<Hypothesis>> beam1 = BeamSearch(*m, sources, options);
  ASSERT_OK(beam1);
  ASSERT_EQ(greedy->size(), sources.size());
  ASSERT_EQ(beam1->size(), sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    EXPECT_EQ((*greedy)[i].tokens, (*beam1)[i].tokens) << i;
    EXPECT_NEAR((*greedy)[i].log_prob, (*beam1)[i].log_prob, 1e-4) << i;
    ASSERT_FALSE((*greedy)[i].attention.empty());
    for (const auto& row : (*greedy)[i].attention) {
      ASSERT_EQ(row.size(), sources[i].size() + 1);
      double sum = 0;
      for (float w : row) sum += w;
      EXPECT_NEAR(sum, 1.0, 1e-5);
    }
  }
  options.beam_size = 4;
  options.n_best = 3;
  absl::StatusOr<std::vector<std::vector<Hypothesis>>> nbest =
      BeamSearchNBest(*m, sources, options);
  ASSERT_OK(nbest);
  ASSERT_EQ(nbest->size(), sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    ASSERT_FALSE((*nbest)[i].empty());
    // The wider beam finds a translation at least as probable (by normalised score) as the
    // greedy one, or the same one.
    EXPECT_GE((*nbest)[i][0].score + 1e-6,
              (*greedy)[i].finished
                  ? (*greedy)[i].log_prob /
                        std::pow(static_cast<double>((*greedy)[i].tokens.size() + 1), 1.0)
                  : -1e30)
        << i;
  }
  EXPECT_TRUE(m->is_training()) << "decoding restores the training mode";
}

// Beam search reorders the key/value caches with the beams: every hypothesis it returns has
// the log-probability the teacher-forced pass gives its tokens.
TEST_F(TransformerTest, BeamHypothesesScoreAsTheTeacherForcedPassScoresThem) {
  ModelConfig c = TinyTransformer(2);
  c.tgt_vocab = 9;  // few tokens: EOS comes up, and beams share prefixes and reorder
  Seq2Seq m = Make(c, 21);
  m->eval();
  {
    // EOS about as likely as a word, so that beams finish at different steps and several
    // finished hypotheses come back per sentence.
    torch::NoGradGuard no_grad;
    m->OrderedParameters().back()[c.eos_id] += 1.0;
  }
  const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8}, {9, 10, 11, 4, 5}};
  for (bool compact : {false, true}) {
    DecodeOptions options;
    options.beam_size = 4;
    options.n_best = 4;
    options.max_length_ratio = 3.0;
    options.compact = compact;  // finished sentences leave the batch (their caches too), or not
    absl::StatusOr<std::vector<std::vector<Hypothesis>>> nbest =
        BeamSearchNBest(*m, sources, options);
    ASSERT_OK(nbest);
    int checked = 0;
    torch::NoGradGuard no_grad;
    for (size_t n = 0; n < sources.size(); ++n) {
      for (const Hypothesis& h : (*nbest)[n]) {
        std::vector<int> tgt = h.tokens;
        absl::StatusOr<Batch> batch = MakeBatch({sources[n]}, {tgt}, c);
        ASSERT_OK(batch);
        absl::StatusOr<torch::Tensor> logits = m->Forward(*batch);
        ASSERT_OK(logits);
        const torch::Tensor lp = torch::log_softmax(logits->select(0, 0), 1);  // [T, V]
        double sum = 0;
        const int64_t steps = static_cast<int64_t>(tgt.size()) + (h.finished ? 1 : 0);
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t tok = t < static_cast<int64_t>(tgt.size()) ? tgt[t] : c.eos_id;
          sum += lp[t][tok].item<double>();
        }
        EXPECT_NEAR(sum, h.log_prob, 1e-4) << "sentence " << n << " compact " << compact;
        EXPECT_EQ(static_cast<int64_t>(h.attention.size()), steps);
        ++checked;
      }
    }
    EXPECT_GE(checked, 8);
  }
}

TEST_F(TransformerTest, DropoutMasksAreTheSameForTheSameSeedInTwoInstances) {
  ModelConfig c = TinyTransformer();
  c.dropout = 0.3;
  Seq2Seq a = Make(c, 4), b = Make(c, 4);
  const Batch batch = TinyBatch(c);
  a->SetDropoutSeed(99);
  b->SetDropoutSeed(99);
  absl::StatusOr<torch::Tensor> la = a->Forward(batch), lb = b->Forward(batch);
  ASSERT_OK(la);
  ASSERT_OK(lb);
  EXPECT_TRUE(torch::equal(*la, *lb));
  // Dropout is on, and the masks come from the model's generator: a different seed differs,
  // and the global generator does not matter.
  torch::manual_seed(1234);
  b->SetDropoutSeed(99);
  absl::StatusOr<torch::Tensor> again = b->Forward(batch);
  ASSERT_OK(again);
  EXPECT_TRUE(torch::equal(*la, *again));
  b->SetDropoutSeed(100);
  absl::StatusOr<torch::Tensor> other = b->Forward(batch);
  ASSERT_OK(other);
  EXPECT_FALSE(torch::equal(*la, *other));
  b->eval();
  absl::StatusOr<torch::Tensor> eval = b->Forward(batch);
  ASSERT_OK(eval);
  EXPECT_FALSE(torch::equal(*la, *eval));
}

TEST_F(TransformerTest, EveryParameterGetsAGradient) {
  for (bool tie : {false, true}) {
    ModelConfig c = TinyTransformer(2, "learned");
    c.tie_embeddings = tie;
    c.dropout = 0.1;
    Seq2Seq m = Make(c, 6);
    const Batch batch = TinyBatch(c);
    absl::StatusOr<LossSum> loss = m->ForwardLoss(batch, 0.1);
    ASSERT_OK(loss);
    loss->sum.backward();
    const auto names = m->OrderedParameterNames();
    const auto params = m->OrderedParameters();
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_TRUE(params[i].grad().defined()) << names[i];
      EXPECT_TRUE(torch::isfinite(params[i].grad()).all().item<bool>()) << names[i];
      // Rows of positions beyond the batch's length get none; everything else does.
      if (names[i] != "src_pos.weight" && names[i] != "tgt_pos.weight") {
        EXPECT_GT(params[i].grad().abs().max().item<double>(), 0.0) << names[i];
      }
    }
  }
}

TEST_F(TransformerTest, LearnedPositionsBeyondTheTableAreAnErrorNotACrash) {
  ModelConfig c = TinyTransformer(1, "learned");
  Seq2Seq m = Make(c);
  std::vector<int> long_src(kMaxLearnedPositions, 5);  // + EOS = one too many
  absl::StatusOr<Batch> batch = MakeBatch({long_src}, {{4, 5}}, c);
  ASSERT_OK(batch);
  EXPECT_THAT(m->Forward(*batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("model.positions learned: position 1024 is beyond the table")));
  EXPECT_THAT(m->ForwardLoss(*batch, 0.1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.positions learned")));
  // Exactly the table's length is fine.
  long_src.pop_back();
  batch = MakeBatch({long_src}, {{4, 5}}, c);
  ASSERT_OK(batch);
  EXPECT_OK(m->Forward(*batch));
  // Decoding past the table (a long output limit) is an error too.
  DecodeOptions options;
  options.max_length_ratio = 3.0;
  absl::StatusOr<std::vector<Hypothesis>> out =
      GreedyDecode(*m, {std::vector<int>(500, 5)}, options);
  if (!out.ok()) {
    EXPECT_THAT(std::string(out.status().message()), HasSubstr("model.positions learned"));
  } else {
    EXPECT_LE((*out)[0].tokens.size(), static_cast<size_t>(kMaxLearnedPositions));
  }
  // Sinusoidal positions have no limit.
  ModelConfig sin = TinyTransformer(1);
  Seq2Seq ms = Make(sin);
  batch = MakeBatch({std::vector<int>(kMaxLearnedPositions + 10, 5)}, {{4, 5}}, sin);
  ASSERT_OK(batch);
  EXPECT_OK(ms->Forward(*batch));
}

TEST_F(TransformerTest, CheckpointRoundTripIsExact) {
  testing::TempDir dir;
  ModelConfig c = TinyTransformer(2, "learned");
  Seq2Seq a = Make(c, 1), b = Make(c, 2);
  CheckpointContents contents;
  contents.names = a->OrderedParameterNames();
  int64_t total = 0;
  for (const auto& p : a->OrderedParameters()) {
    contents.params.push_back(p.detach().clone());
    total += p.numel();
  }
  contents.exp_avg = torch::zeros({total});
  contents.exp_avg_sq = torch::ones({total});
  contents.step = 3;
  ASSERT_OK(WriteCheckpoint(dir.Join("t.ckpt"), contents));
  EXPECT_THAT(LoadParameters(dir.Join("t.ckpt"), *b), testing::IsOkAndHolds(3));
  const auto pa = a->OrderedParameters(), pb = b->OrderedParameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
  a->eval();
  b->eval();
  const Batch batch = TinyBatch(c);
  absl::StatusOr<torch::Tensor> la = a->Forward(batch), lb = b->Forward(batch);
  ASSERT_OK(la);
  ASSERT_OK(lb);
  EXPECT_TRUE(torch::equal(*la, *lb));
  // An RNN checkpoint does not load into the transformer (names differ), and changes nothing.
  Seq2Seq rnn = Make(Tiny("bahdanau"), 1);
  CheckpointContents r;
  r.names = rnn->OrderedParameterNames();
  int64_t rt = 0;
  for (const auto& p : rnn->OrderedParameters()) {
    r.params.push_back(p.detach().clone());
    rt += p.numel();
  }
  r.exp_avg = torch::zeros({rt});
  r.exp_avg_sq = torch::ones({rt});
  ASSERT_OK(WriteCheckpoint(dir.Join("rnn.ckpt"), r));
  EXPECT_FALSE(LoadParameters(dir.Join("rnn.ckpt"), *b).ok());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << i;
}

// Reversing short sequences: needs attention and positions, and a working causal decoder.
TEST_F(TransformerTest, LearnsToReverseShortSequences) {
  ModelConfig c;
  c.architecture = "transformer";
  c.src_vocab = 12;
  c.tgt_vocab = 12;
  c.embedding_dim = 32;
  c.preoutput_dim = 32;
  c.heads = 4;
  c.ff_dim = 64;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.dropout = 0.0;
  Seq2Seq m = Make(c, 11);
  auto adam = MakeAdam(m->OrderedParameters(), AdamConfig{3e-3});
  ASSERT_OK(adam);
  torch::manual_seed(5);
  auto sample = [&](int n) {
    std::vector<std::vector<int>> src, tgt;
    for (int i = 0; i < n; ++i) {
      const int len = 2 + torch::randint(4, {1}).item<int>();
      std::vector<int> s;
      for (int j = 0; j < len; ++j) s.push_back(4 + torch::randint(8, {1}).item<int>());
      src.push_back(s);
      tgt.emplace_back(s.rbegin(), s.rend());
    }
    return std::make_pair(src, tgt);
  };
  double last = 1e9;
  for (int step = 0; step < 300; ++step) {
    auto [src, tgt] = sample(32);
    absl::StatusOr<Batch> batch = MakeBatch(src, tgt, c);
    ASSERT_OK(batch);
    (*adam)->zero_grad();
    absl::StatusOr<LossSum> loss = m->ForwardLoss(*batch, 0.0);
    ASSERT_OK(loss);
    torch::Tensor mean = loss->sum / loss->tokens;
    mean.backward();
    (*adam)->step();
    last = mean.item<double>();
  }
  EXPECT_LT(last, 0.3) << "cross-entropy per token after 300 steps";
  auto [src, tgt] = sample(16);
  absl::StatusOr<std::vector<Hypothesis>> out = GreedyDecode(*m, src, {});
  ASSERT_OK(out);
  int right = 0;
  for (size_t i = 0; i < src.size(); ++i) right += (*out)[i].tokens == tgt[i];
  EXPECT_GE(right, 12) << "of 16 reversed exactly";
}

}  // namespace
}  // namespace tandem::model

namespace tandem::model {
namespace {

// Not a check: times greedy decoding and a training step of the example's transformer
// (d_model 256, 3+3 layers, vocabulary 4000) against the RNN of the same embedding size.
// Run with --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_Timing*'.
TEST_F(TransformerTest, DISABLED_TimingAgainstTheRnn) {
  ModelConfig tf;
  tf.architecture = "transformer";
  tf.src_vocab = tf.tgt_vocab = 4000;
  tf.embedding_dim = tf.preoutput_dim = 256;
  tf.ff_dim = 1024;
  tf.encoder_layers = tf.decoder_layers = 3;
  ModelConfig rnn;
  rnn.src_vocab = rnn.tgt_vocab = 4000;
  rnn.embedding_dim = rnn.hidden_dim = 256;
  rnn.attention_dim = rnn.preoutput_dim = 512;
  torch::manual_seed(0);
  std::vector<std::vector<int>> src, tgt;
  for (int i = 0; i < 64; ++i) {
    std::vector<int> s, t;
    for (int j = 0; j < 18 + i % 8; ++j) s.push_back(4 + torch::randint(3990, {1}).item<int>());
    for (int j = 0; j < 20 + i % 8; ++j) t.push_back(4 + torch::randint(3990, {1}).item<int>());
    src.push_back(s);
    tgt.push_back(t);
  }
  for (const auto& [name, c] : std::vector<std::pair<std::string, ModelConfig>>{{"transformer", tf},
                                                                                 {"rnn", rnn}}) {
    Seq2Seq m = Make(c, 1);
    absl::StatusOr<Batch> batch = MakeBatch(src, tgt, c);
    ASSERT_OK(batch);
    auto adam = MakeAdam(m->OrderedParameters(), AdamConfig{});
    ASSERT_OK(adam);
    // TANDEM_TF_PROFILE=PREFIX: a Chrome trace of the training steps, PREFIX.<name>.json.
    std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
    if (const char* p = std::getenv("TANDEM_TF_PROFILE"); p != nullptr && *p) {
      profile = std::make_unique<torch::autograd::profiler::RecordProfile>(
          std::string(p) + "." + name + ".json");
    }
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
      (*adam)->zero_grad();
      absl::StatusOr<LossSum> loss = m->ForwardLoss(*batch, 0.1);
      ASSERT_OK(loss);
      (loss->sum / loss->tokens).backward();
      (*adam)->step();
    }
    auto t1 = std::chrono::steady_clock::now();
    profile.reset();
    {
      torch::NoGradGuard no_grad;
      m->OrderedParameters().back()[c.eos_id] = -1e4;  // no EOS: every sentence runs its length
    }
    DecodeOptions options;
    options.max_length_ratio = 1.0;  // 19 .. 26 steps per sentence
    for (int b : {1, 5}) {
      options.beam_size = b;
      auto d0 = std::chrono::steady_clock::now();
      absl::StatusOr<std::vector<Hypothesis>> out =
          b == 1 ? GreedyDecode(*m, src, options) : BeamSearch(*m, src, options);
      ASSERT_OK(out);
      auto d1 = std::chrono::steady_clock::now();
      int64_t steps = 0;
      for (const auto& h : *out) steps += static_cast<int64_t>(h.attention.size());
      std::printf("%s: beam %d: 64 sentences, %lld output tokens in %.3f s\n", name.c_str(), b,
                  static_cast<long long>(steps), std::chrono::duration<double>(d1 - d0).count());
    }
    std::printf("%s: %lld parameters, train step (64 pairs, %lld target tokens): %.3f s\n",
                name.c_str(), static_cast<long long>(m->NumParameters()),
                static_cast<long long>(batch->target_tokens),
                std::chrono::duration<double>(t1 - t0).count() / 5);
  }
}

}  // namespace
}  // namespace tandem::model
