// What the Seq2Seq tests share (seq2seq_test.cc, fused_decoder_test.cc): the fixture (one
// LibTorch thread), a tiny model configuration, a tiny padded batch, a model from a seed, and a
// gradient comparison.
#ifndef TANDEM_TESTS_MODEL_SEQ2SEQ_TESTING_H_
#define TANDEM_TESTS_MODEL_SEQ2SEQ_TESTING_H_

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/batch.h"
#include "model/model_config.h"
#include "model/seq2seq.h"
#include "tests/testing/status_matchers.h"

namespace tandem::model {

class Seq2SeqTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

inline ModelConfig Tiny(const std::string& attention, const std::string& cell = "gru") {
  ModelConfig c;
  c.src_vocab = 13;
  c.tgt_vocab = 11;
  c.embedding_dim = 6;
  c.hidden_dim = 5;
  c.attention_dim = 7;
  c.preoutput_dim = 8;
  c.attention = attention;
  c.cell = cell;
  c.dropout = 0.0;
  return c;
}

// A small transformer of Tiny's vocabularies (model.architecture "transformer").
inline ModelConfig TinyTransformer(int64_t layers = 2, const std::string& positions = "sinusoidal") {
  ModelConfig c;
  c.architecture = "transformer";
  c.src_vocab = 13;
  c.tgt_vocab = 11;
  c.embedding_dim = 8;
  c.preoutput_dim = 8;
  c.heads = 2;
  c.ff_dim = 12;
  c.encoder_layers = layers;
  c.decoder_layers = layers;
  c.positions = positions;
  c.dropout = 0.0;
  return c;
}

// Three pairs of different lengths: sources padded (lengths 5, 2, 4 with EOS), targets too.
inline Batch TinyBatch(const ModelConfig& c) {
  std::vector<std::vector<int>> src = {{4, 5, 6, 7}, {8}, {9, 10, 11}};
  std::vector<std::vector<int>> tgt = {{4, 5, 6}, {7, 8, 9, 10, 4}, {5}};
  for (auto& s : src)
    for (int& id : s) id = 4 + (id - 4) % static_cast<int>(c.src_vocab - 4);
  for (auto& s : tgt)
    for (int& id : s) id = 4 + (id - 4) % static_cast<int>(c.tgt_vocab - 4);
  absl::StatusOr<Batch> b = MakeBatch(src, tgt, c);
  EXPECT_OK(b);
  return *b;
}

inline Seq2Seq Make(const ModelConfig& c, uint64_t seed = 0) {
  absl::StatusOr<Seq2Seq> m = CreateSeq2Seq(c, seed);
  EXPECT_OK(m);
  return *m;
}

// Every parameter of `got` has a gradient within tol * (1 + max |want's|) of `want`'s.
inline void ExpectSameGradients(const Seq2Seq& got, const Seq2Seq& want, double tol) {
  const auto pg = got->OrderedParameters(), pw = want->OrderedParameters();
  const auto names = want->OrderedParameterNames();
  ASSERT_EQ(pg.size(), pw.size());
  for (size_t k = 0; k < pw.size(); ++k) {
    ASSERT_TRUE(pg[k].grad().defined() && pw[k].grad().defined()) << names[k];
    EXPECT_LT((pg[k].grad() - pw[k].grad()).abs().max().item<double>(),
              tol * (1 + pw[k].grad().abs().max().item<double>()))
        << names[k];
  }
}

}  // namespace tandem::model

#endif  // TANDEM_TESTS_MODEL_SEQ2SEQ_TESTING_H_
