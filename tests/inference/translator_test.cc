// Translation options end to end on real SentencePiece models and a real (untrained, biased)
// model: n-best lists, the length penalty, replace-unknown, the request checks shared by
// the coordinator and tandem-local (inference/translate_request.h), results reported per
// sentence as they end, and concurrent requests decoded in batches
// (inference/translate_batcher.h).
#include "inference/translator.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inference/translate_batcher.h"
#include "inference/translate_request.h"
#include "model/decode.h"
#include "model/seq2seq.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"
#include "tests/testing/toy_job.h"

namespace tandem::inference {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

const std::string kW = "\xe2\x96\x81";  // "▁"

TEST(ReplaceUnknownTest, WithoutUnknownPiecesItJoinsThePieces) {
  EXPECT_EQ(ReplaceUnknown({}, {kW + "el", kW + "pe", "rro"}, {10, 11, 12}, {}, kUnkId),
            "el perro");
  EXPECT_EQ(ReplaceUnknown({}, {}, {}, {}, kUnkId), "");
}

TEST(ReplaceUnknownTest, AnUnknownPieceBecomesTheSourcePieceItAttendsToMost) {
  const std::vector<std::string> src = {kW + "the", kW + "Zü", "rich", kW + "dog"};
  // Target: "▁el" ⁇ "▁perro"; the unknown's row weighs source piece 1 most.
  const std::vector<std::vector<float>> att = {{0.7f, 0.1f, 0.1f, 0.05f, 0.05f},
                                               {0.1f, 0.6f, 0.2f, 0.05f, 0.05f},
                                               {0.0f, 0.0f, 0.1f, 0.9f, 0.0f}};
  EXPECT_EQ(ReplaceUnknown(src, {kW + "el", "<unk>", kW + "perro"}, {10, kUnkId, 11}, att, kUnkId),
            "el Zü perro");
  // After a bare word break ("▁" then the unknown) no second break is added.
  EXPECT_EQ(ReplaceUnknown(src, {kW + "el", kW, "<unk>", kW + "perro"}, {10, 4, kUnkId, 11},
                           {att[0], att[0], att[1], att[2]}, kUnkId),
            "el Zü perro");
  // A source piece inside a word is copied without a break: "▁Zü" + ⁇ -> "Zürich".
  EXPECT_EQ(ReplaceUnknown(src, {kW + "Zü", "<unk>"}, {12, kUnkId},
                           {att[1], {0.0f, 0.1f, 0.8f, 0.1f, 0.0f}}, kUnkId),
            "Zürich");
  // The first piece: no leading space.
  EXPECT_EQ(ReplaceUnknown(src, {"<unk>"}, {kUnkId}, {att[2]}, kUnkId), "dog");
}

TEST(ReplaceUnknownTest, TheSourceEosColumnIsNeverCopied) {
  // The row's largest weight is on the EOS column (index 1 = source length): piece 0 wins.
  EXPECT_EQ(ReplaceUnknown({kW + "hola"}, {"<unk>"}, {kUnkId}, {{0.2f, 0.8f}}, kUnkId), "hola");
}

TEST(ReplaceUnknownTest, WithoutARowOrASourceTheUnknownStays) {
  EXPECT_EQ(ReplaceUnknown({}, {kW + "a", "<unk>"}, {10, kUnkId}, {{1.0f}, {1.0f}}, kUnkId),
            "a \xe2\x81\x87");
  EXPECT_EQ(ReplaceUnknown({kW + "x"}, {"<unk>"}, {kUnkId}, {}, kUnkId), "\xe2\x81\x87");
}

class TranslatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::JobSpec spec = testing::ToyJobSpec(dir_, 300, 3, /*dim=*/16);
    spec.mutable_training()->set_max_steps(1);
    ASSERT_OK_AND_ASSIGN(job_, testing::PrepareToyJob(spec, dir_.Join("job")));
    ASSERT_OK_AND_ASSIGN(source_, Tokenizer::Load(job_.source_model()));
    ASSERT_OK_AND_ASSIGN(target_, Tokenizer::Load(job_.target_model()));
    model::ModelConfig c;
    c.src_vocab = source_->vocab_size();
    c.tgt_vocab = target_->vocab_size();
    c.embedding_dim = c.hidden_dim = c.attention_dim = c.preoutput_dim = 16;
    ASSERT_OK_AND_ASSIGN(model_, model::CreateSeq2Seq(c, 7));
    model_->eval();
    translator_ = std::make_unique<Translator>(model_.get(), source_.get(), target_.get(), kEosId);
  }

  // Adds `delta` to the output layer's bias of target id `id` (an untrained model then
  // prefers, or avoids, that token).
  void Bias(int id, float delta) { Bias(model_, id, delta); }
  static void Bias(model::Seq2Seq& m, int id, float delta) {
    torch::NoGradGuard no_grad;
    m->named_parameters()["out.bias"][id].add_(delta);
  }

  // A transformer of the toy model's size (feed-forward 32), in eval mode, its EOS logit
  // shifted by `eos_bias`.
  absl::StatusOr<model::Seq2Seq> Transformer(int heads, int layers, uint64_t seed,
                                             float eos_bias) {
    model::ModelConfig c = model_->config();
    c.architecture = "transformer";
    c.heads = heads;
    c.ff_dim = 32;
    c.preoutput_dim = c.embedding_dim;
    c.encoder_layers = c.decoder_layers = layers;
    absl::StatusOr<model::Seq2Seq> tf = model::CreateSeq2Seq(c, seed);
    if (!tf.ok()) return tf.status();
    (*tf)->eval();
    Bias(*tf, kEosId, eos_bias);
    return tf;
  }

  testing::TempDir dir_;
  testing::ToyJob job_;
  std::unique_ptr<Tokenizer> source_, target_;
  model::Seq2Seq model_{nullptr};
  std::unique_ptr<Translator> translator_;
};

TEST_F(TranslatorTest, NBestListsAreDistinctRankedAndHeadedByTheBest) {
  Bias(kEosId, 3.0f);  // beams end at several lengths
  const std::vector<std::string> sentences = {"the dog runs", "a small bird sings in the house",
                                              "red"};
  for (const double alpha : {0.0, 1.0, 2.5}) {
    TranslateOptions o;
    o.beam_size = 6;
    o.n_best = 6;
    o.length_penalty = alpha;
    ASSERT_OK_AND_ASSIGN(auto all, translator_->Translate(sentences, o));
    o.n_best = 1;
    ASSERT_OK_AND_ASSIGN(auto best, translator_->Translate(sentences, o));
    ASSERT_EQ(all.size(), sentences.size());
    for (size_t i = 0; i < all.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("alpha ", alpha, " sentence ", i));
      ASSERT_GE(all[i].size(), 2u);
      ASSERT_LE(all[i].size(), 6u);
      ASSERT_EQ(best[i].size(), 1u);
      EXPECT_EQ(all[i][0].text, best[i][0].text);
      EXPECT_DOUBLE_EQ(all[i][0].score, best[i][0].score);
      for (size_t k = 0; k < all[i].size(); ++k) {
        EXPECT_LE(all[i][k].log_prob, 0.0);
        if (alpha == 0.0) EXPECT_DOUBLE_EQ(all[i][k].score, all[i][k].log_prob);
        // A length penalty above 0 divides by length^alpha >= 1: the score is no lower.
        if (alpha > 0.0) EXPECT_GE(all[i][k].score, all[i][k].log_prob - 1e-12);
      }
    }
  }
}

TEST_F(TranslatorTest, NBestCandidatesAreDistinctHypotheses) {
  Bias(kEosId, 3.0f);
  std::vector<std::vector<int>> src;
  for (const char* s : {"the dog runs", "a small bird sings in the house"}) {
    ASSERT_OK_AND_ASSIGN(std::vector<int> ids, source_->Encode(s));
    src.push_back(ids);
  }
  model::DecodeOptions o;
  o.beam_size = 5;
  o.n_best = 5;
  o.length_alpha = 1.0;
  ASSERT_OK_AND_ASSIGN(auto all, model::BeamSearchNBest(*model_, src, o));
  ASSERT_OK_AND_ASSIGN(auto best, model::BeamSearch(*model_, src, o));
  for (size_t n = 0; n < src.size(); ++n) {
    SCOPED_TRACE(n);
    std::set<std::vector<int>> seen;
    for (size_t k = 0; k < all[n].size(); ++k) {
      const model::Hypothesis& h = all[n][k];
      EXPECT_TRUE(seen.insert(h.tokens).second) << "candidate " << k << " repeats";
      // score = log P / length^alpha, the length counting EOS when the hypothesis finished.
      const double length = static_cast<double>(h.tokens.size() + (h.finished ? 1 : 0));
      EXPECT_NEAR(h.score, h.log_prob / std::max(length, 1.0), 1e-9);
      EXPECT_EQ(h.attention.size(), h.tokens.size() + (h.finished ? 1 : 0));
      // Hypotheses that ended, best first; one cut at the length limit only alone.
      EXPECT_TRUE(h.finished || all[n].size() == 1) << "candidate " << k;
      if (k > 0) EXPECT_GE(all[n][k - 1].score, h.score);
    }
    EXPECT_EQ(all[n][0].tokens, best[n].tokens);
    EXPECT_DOUBLE_EQ(all[n][0].score, best[n].score);
  }
  o.n_best = 6;
  EXPECT_THAT(model::BeamSearchNBest(*model_, src, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_best must be in [1, 5], got 6 (at most the beam size)")));
  o.n_best = 2;
  EXPECT_THAT(model::GreedyDecode(*model_, src, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(greedy)")));
}

TEST_F(TranslatorTest, ReplaceUnknownCopiesSourceTextIntoTheOutput) {
  Bias(kUnkId, 50.0f);  // every step emits the unknown piece until the length limit
  const std::string sentence = "the \xce\xa9mega dog";  // "Ω" is in no training sentence
  ASSERT_OK_AND_ASSIGN(std::vector<int> ids, source_->Encode(sentence));
  EXPECT_NE(std::find(ids.begin(), ids.end(), kUnkId), ids.end());
  for (const int beam : {1, 4}) {
    SCOPED_TRACE(beam);
    TranslateOptions o;
    o.beam_size = beam;
    ASSERT_OK_AND_ASSIGN(auto plain, translator_->Translate({sentence}, o));
    EXPECT_THAT(plain[0][0].text, HasSubstr("\xe2\x81\x87"));  // "⁇"
    o.replace_unk = true;
    ASSERT_OK_AND_ASSIGN(auto replaced, translator_->Translate({sentence}, o));
    const std::string& text = replaced[0][0].text;
    EXPECT_FALSE(text.empty());
    EXPECT_THAT(text, ::testing::Not(HasSubstr("\xe2\x81\x87")));
    // Only source text is copied in: every byte but the spaces comes from the sentence.
    for (const char ch : text) {
      if (ch != ' ') EXPECT_NE(sentence.find(ch), std::string::npos) << text;
    }
  }
  // The attention view uses the same replacement.
  ASSERT_OK_AND_ASSIGN(Alignment a, translator_->Attention(sentence, /*replace_unk=*/true));
  ASSERT_OK_AND_ASSIGN(auto greedy, translator_->Translate({sentence}, TranslateOptions{1, 1.0, 1, true}));
  EXPECT_EQ(a.translation, greedy[0][0].text);
}

TEST_F(TranslatorTest, RequestsCarryTheOptionsAndAreCheckedBeforeDecoding) {
  Bias(kEosId, 3.0f);
  v1::TranslateRequest r;
  r.add_sentences("the dog runs");
  r.add_sentences("red");
  r.set_beam_size(4);
  r.set_n_best(3);
  r.set_length_penalty(0.0);
  ASSERT_OK_AND_ASSIGN(v1::TranslateResponse resp, TranslateWith(*translator_, r));
  ASSERT_EQ(resp.translations_size(), 2);
  TranslateOptions o;
  o.beam_size = 4;
  o.n_best = 3;
  o.length_penalty = 0.0;
  ASSERT_OK_AND_ASSIGN(auto direct, translator_->Translate({"the dog runs", "red"}, o));
  for (int i = 0; i < 2; ++i) {
    const v1::Translation& t = resp.translations(i);
    ASSERT_EQ(t.n_best_size(), static_cast<int>(direct[i].size()));
    EXPECT_EQ(t.text(), t.n_best(0).text());
    for (int k = 0; k < t.n_best_size(); ++k) {
      EXPECT_EQ(t.n_best(k).text(), direct[i][k].text);
      EXPECT_DOUBLE_EQ(t.n_best(k).score(), direct[i][k].score);
      EXPECT_DOUBLE_EQ(t.n_best(k).score(), t.n_best(k).log_prob());  // length penalty 0
    }
  }
  // One candidate: no list, as before n-best existed.
  r.set_n_best(1);
  ASSERT_OK_AND_ASSIGN(resp, TranslateWith(*translator_, r));
  EXPECT_EQ(resp.translations(0).n_best_size(), 0);

  auto refused = [&](auto edit, const std::string& message) {
    v1::TranslateRequest bad = r;
    edit(bad);
    EXPECT_THAT(TranslateWith(*translator_, bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)));
  };
  refused([](auto& b) { b.set_length_penalty(-0.5); }, "length_penalty -0.5 is out of range 0..10");
  refused([](auto& b) { b.set_length_penalty(11); }, "length_penalty 11 is out of range 0..10");
  refused([](auto& b) { b.set_length_penalty(std::nan("")); }, "length_penalty nan");
  refused([](auto& b) { b.set_n_best(5); }, "n_best 5 is more than the beam size 4");
  refused([](auto& b) { b.set_beam_size(0); b.set_n_best(6); }, "more than the beam size 5");
  refused([](auto& b) { b.set_attention(true); b.set_n_best(2); }, "n_best: an attention request");
  refused([](auto& b) { b.set_beam_size(65); }, "beam_size 65 is out of range 1..64");
}

// Per-head attention (Alignment::head_weights, TranslateRequest.heads) of a transformer: the
// map of each head for the greedy output, rows summing to one, whose mean is the averaged map
// decoding recorded.
TEST_F(TranslatorTest, ATransformersAlignmentCarriesEachHeadsWeights) {
  // A few pieces before EOS.
  ASSERT_OK_AND_ASSIGN(model::Seq2Seq tf, Transformer(/*heads=*/4, /*layers=*/2, 11, -2.0f));
  Translator translator(tf.get(), source_.get(), target_.get(), kEosId);
  ASSERT_OK_AND_ASSIGN(Alignment plain, translator.Attention("the small dog runs"));
  EXPECT_TRUE(plain.head_weights.empty()) << "only when asked";
  ASSERT_OK_AND_ASSIGN(Alignment a, translator.Attention("the small dog runs", false, true));
  EXPECT_EQ(a.translation, plain.translation);
  EXPECT_EQ(a.weights, plain.weights);
  ASSERT_EQ(a.head_weights.size(), 4u);
  ASSERT_GE(a.weights.size(), 2u);
  for (size_t i = 0; i < a.weights.size(); ++i) {
    for (size_t j = 0; j < a.weights[i].size(); ++j) {
      double mean = 0;
      for (const auto& head : a.head_weights) {
        ASSERT_EQ(head.size(), a.weights.size());
        ASSERT_EQ(head[i].size(), a.source_pieces.size());
        mean += head[i][j] / 4.0;
      }
      EXPECT_NEAR(mean, a.weights[i][j], 1e-5) << i << " " << j;
    }
  }
  for (const auto& head : a.head_weights) {
    for (const auto& row : head) {
      double sum = 0;
      for (float w : row) sum += w;
      EXPECT_NEAR(sum, 1.0, 1e-5);
    }
  }
  EXPECT_NE(a.head_weights[0], a.head_weights[1]) << "the heads differ";

  // The same through the request, head-major and counted.
  v1::TranslateRequest r;
  r.add_sentences("the small dog runs");
  r.set_attention(true);
  r.set_heads(true);
  ASSERT_OK_AND_ASSIGN(v1::TranslateResponse resp, TranslateWith(translator, r));
  const v1::Translation& t = resp.translations(0);
  EXPECT_EQ(t.head_count(), 4u);
  ASSERT_EQ(static_cast<size_t>(t.head_weights_size()),
            4 * a.weights.size() * a.source_pieces.size());
  const size_t cols = a.source_pieces.size(), rows = a.weights.size();
  EXPECT_EQ(t.head_weights(2 * rows * cols + 1 * cols + 0), a.head_weights[2][1][0]);
  r.set_heads(false);
  ASSERT_OK_AND_ASSIGN(resp, TranslateWith(translator, r));
  EXPECT_EQ(resp.translations(0).head_count(), 0u);
  EXPECT_EQ(resp.translations(0).head_weights_size(), 0);
  // Heads come only with attention.
  r.set_attention(false);
  r.set_heads(true);
  EXPECT_THAT(TranslateWith(translator, r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("heads:")));
}

// Cut at the length limit (no EOS), the teacher-forced maps keep the decoder's rows.
TEST_F(TranslatorTest, HeadMapsOfAnOutputCutAtTheLengthLimitHaveItsRows) {
  // Never ends.
  ASSERT_OK_AND_ASSIGN(model::Seq2Seq tf, Transformer(/*heads=*/2, /*layers=*/1, 5, -100.0f));
  ASSERT_OK_AND_ASSIGN(auto hyps, model::GreedyDecode(*tf, {{5, 6, 7}}));
  ASSERT_FALSE(hyps[0].finished);
  ASSERT_OK_AND_ASSIGN(auto heads, model::HeadAttentionOf(*tf, {5, 6, 7}, hyps[0]));
  ASSERT_EQ(heads.size(), 2u);
  ASSERT_EQ(heads[0].size(), hyps[0].attention.size());
  for (size_t i = 0; i < heads[0].size(); ++i) {
    for (size_t j = 0; j < heads[0][i].size(); ++j) {
      EXPECT_NEAR((heads[0][i][j] + heads[1][i][j]) / 2, hyps[0].attention[i][j], 1e-5);
    }
  }
}

// An RNN model has one attention: asked for heads, it sends that map as the only head.
TEST_F(TranslatorTest, AnRnnAlignmentHasOneHeadEqualToItsAttention) {
  ASSERT_OK_AND_ASSIGN(Alignment a, translator_->Attention("the dog runs", false, true));
  ASSERT_EQ(a.head_weights.size(), 1u);
  EXPECT_EQ(a.head_weights[0], a.weights);
  v1::TranslateRequest r;
  r.add_sentences("the dog runs");
  r.set_attention(true);
  r.set_heads(true);
  ASSERT_OK_AND_ASSIGN(v1::TranslateResponse resp, TranslateWith(*translator_, r));
  EXPECT_EQ(resp.translations(0).head_count(), 1u);
  EXPECT_THAT(resp.translations(0).head_weights(),
              ::testing::ElementsAreArray(resp.translations(0).weights()));
}

// Sentences of 1, 4, 9 and 2 words; with EOS suppressed every hypothesis runs to its length
// limit, ceil(2 x (subwords + 1)), so they end in order of length.
std::vector<std::string> MixedLengths() {
  return {"red", "the dog runs fast", "a small bird sings in the house every day", "big dog"};
}

TEST_F(TranslatorTest, EachSentenceIsReportedOnceWhenItEndsWithTheResultReturned) {
  Bias(kEosId, -50.0f);
  std::vector<std::vector<int>> src;
  for (const std::string& s : MixedLengths()) {
    ASSERT_OK_AND_ASSIGN(src.emplace_back(), source_->Encode(s));
  }
  for (const int beam : {1, 3}) {
    for (const bool compact : {true, false}) {
      SCOPED_TRACE(absl::StrCat("beam ", beam, compact ? " compact" : " full batch"));
      model::DecodeOptions o;
      o.beam_size = beam;
      o.n_best = beam > 1 ? 2 : 1;
      o.compact = compact;
      std::vector<size_t> reported;
      std::vector<std::vector<model::Hypothesis>> seen(src.size());
      const model::SentenceDone done = [&](size_t n, const std::vector<model::Hypothesis>& h) {
        reported.push_back(n);
        seen[n] = h;
      };
      std::vector<std::vector<model::Hypothesis>> result;
      if (beam > 1) {
        ASSERT_OK_AND_ASSIGN(result, model::BeamSearchNBest(*model_, src, o, done));
      } else {
        ASSERT_OK_AND_ASSIGN(auto greedy, model::GreedyDecode(*model_, src, o, done));
        for (auto& h : greedy) result.push_back({h});
      }
      // Once each, shortest limit first (ties in input order).
      std::vector<size_t> by_length = {0, 3, 1, 2};
      std::stable_sort(by_length.begin(), by_length.end(),
                       [&](size_t a, size_t b) { return src[a].size() < src[b].size(); });
      EXPECT_EQ(reported, by_length);
      for (size_t n = 0; n < src.size(); ++n) {
        ASSERT_EQ(seen[n].size(), result[n].size()) << n;
        for (size_t k = 0; k < seen[n].size(); ++k) {
          EXPECT_EQ(seen[n][k].tokens, result[n][k].tokens);
          EXPECT_DOUBLE_EQ(seen[n][k].score, result[n][k].score);
          EXPECT_EQ(seen[n][k].attention, result[n][k].attention);
        }
        // Run to the limit: ceil(2 x (subwords + 1)) tokens, none of them EOS.
        EXPECT_EQ(result[n][0].tokens.size(), 2 * (src[n].size() + 1)) << n;
      }
    }
  }
}

TEST_F(TranslatorTest, TheTranslatorReportsEachSentenceInItsOwnIndexAndText) {
  Bias(kEosId, -50.0f);
  TranslateOptions o;
  o.beam_size = 2;
  std::vector<std::vector<Candidate>> seen(MixedLengths().size());
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(auto all, translator_->Translate(
                                     MixedLengths(), o,
                                     [&](size_t n, const std::vector<Candidate>& c) {
                                       ++calls;
                                       seen.at(n) = c;
                                     }));
  EXPECT_EQ(calls, 4);
  for (size_t n = 0; n < all.size(); ++n) {
    ASSERT_EQ(seen[n].size(), 1u);
    EXPECT_EQ(seen[n][0].text, all[n][0].text);
  }
}

// A sentence of 60 words: with EOS suppressed it decodes for 122 steps.
std::string LongSentence() {
  std::string words;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&words, i == 0 ? "" : " ", i % 2 ? "dog" : "the");
  return words;
}

TEST_F(TranslatorTest, AloneARequestStartsAtOnceWithTheTranslatorsResult) {
  TranslateBatcher batcher(absl::Seconds(30), /*busy=*/1);  // nothing else decodes: no wait
  const absl::Time start = absl::Now();
  for (const int beam : {1, 4}) {
    TranslateOptions o;
    o.beam_size = beam;
    ASSERT_OK_AND_ASSIGN(auto direct, translator_->Translate(MixedLengths(), o));
    ASSERT_OK_AND_ASSIGN(auto batched, batcher.Translate(*translator_, MixedLengths(), o));
    ASSERT_EQ(batched.size(), direct.size());
    for (size_t n = 0; n < direct.size(); ++n) EXPECT_EQ(batched[n][0].text, direct[n][0].text);
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));  // neither waited for company
  EXPECT_EQ(batcher.stats().batches, 2u);
  EXPECT_EQ(batcher.stats().joined, 0u);
  EXPECT_THAT(batcher.Translate(*translator_, {}, TranslateOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no sentence")));
}

// A request that waits for company because the cores are busy stops waiting when a core frees
// up (the other batch answered its requests), not at its deadline.
TEST_F(TranslatorTest, AWaitForCompanyEndsWhenACoreFreesUp) {
  Bias(kEosId, -50.0f);  // the long sentence runs to its length limit
  TranslateBatcher batcher(absl::Seconds(60), /*busy=*/1);
  TranslateOptions beam2;
  beam2.beam_size = 2;
  std::thread long_request(
      [&] { ASSERT_OK(batcher.Translate(*translator_, {LongSentence()}, beam2).status()); });
  for (int i = 0; i < 3000 && batcher.stats().batches == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  TranslateOptions beam3;  // cannot join the long request's batch
  beam3.beam_size = 3;
  const absl::Time start = absl::Now();
  ASSERT_OK(batcher.Translate(*translator_, {"red"}, beam3).status());
  long_request.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(30)) << "waited for its deadline";
  EXPECT_EQ(batcher.stats().batches, 2u);
  EXPECT_EQ(batcher.stats().joined, 0u);
  // And a request right after another's answer does not count that batch as busy.
  for (int i = 0; i < 5; ++i) {
    const absl::Time t = absl::Now();
    ASSERT_OK(batcher.Translate(*translator_, {"red"}, beam3).status());
    EXPECT_LT(absl::Now() - t, absl::Seconds(30)) << i;
  }
}

TEST_F(TranslatorTest, WhileACoreIsFreeANewRequestStartsWithoutWaiting) {
  Bias(kEosId, -50.0f);
  TranslateBatcher batcher(absl::Seconds(30), /*busy=*/2);
  TranslateOptions o;
  o.beam_size = 2;
  std::thread long_request(
      [&] { ASSERT_OK(batcher.Translate(*translator_, {LongSentence()}, o).status()); });
  for (int i = 0; i < 3000 && batcher.stats().batches == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // One batch decodes, a second core is free: the short request does not wait 30 s for
  // company, and decodes beside the long one.
  const absl::Time start = absl::Now();
  ASSERT_OK(batcher.Translate(*translator_, {"red"}, o).status());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  long_request.join();
  EXPECT_EQ(batcher.stats().batches, 2u);
  EXPECT_EQ(batcher.stats().joined, 0u);
}

TEST_F(TranslatorTest, ConcurrentRequestsShareABatchAndGetTheirOwnResults) {
  TranslateBatcher batcher(absl::Seconds(2), /*busy=*/0);
  const std::vector<std::string> sentences = {"red",       "the dog",      "a bird sings",
                                              "big house", "the dog runs", "a small red bird"};
  for (const int beam : {1, 3}) {
    SCOPED_TRACE(absl::StrCat("beam ", beam));
    TranslateOptions o;
    o.beam_size = beam;
    const TranslateBatcher::Stats before = batcher.stats();
    std::vector<absl::StatusOr<std::vector<std::vector<Candidate>>>> got(sentences.size());
    std::vector<std::thread> clients;
    for (size_t i = 0; i < sentences.size(); ++i) {
      clients.emplace_back([&, i] { got[i] = batcher.Translate(*translator_, {sentences[i]}, o); });
    }
    for (auto& t : clients) t.join();
    const TranslateBatcher::Stats stats = batcher.stats();
    EXPECT_EQ(stats.batches - before.batches, 1u);
    EXPECT_EQ(stats.joined - before.joined, 5u);
    EXPECT_EQ(stats.requests - before.requests, 6u);
    EXPECT_EQ(stats.largest, 6u);
    for (size_t i = 0; i < sentences.size(); ++i) {
      SCOPED_TRACE(sentences[i]);
      ASSERT_OK(got[i].status());
      ASSERT_EQ(got[i]->size(), 1u);
      ASSERT_OK_AND_ASSIGN(auto alone, translator_->Translate({sentences[i]}, o));
      EXPECT_EQ((*got[i])[0][0].text, alone[0][0].text);
    }
  }
}

TEST_F(TranslatorTest, AShortRequestReturnsBeforeTheLongOneInItsBatch) {
  Bias(kEosId, -50.0f);
  TranslateBatcher batcher(absl::Seconds(1), /*busy=*/0);
  TranslateOptions o;
  o.beam_size = 2;
  std::atomic<bool> long_done{false};
  bool long_done_when_short_returned = true;
  std::thread long_request([&] {
    ASSERT_OK(batcher.Translate(*translator_, {LongSentence()}, o).status());
    long_done = true;
  });
  std::thread short_request([&] {
    ASSERT_OK(batcher.Translate(*translator_, {"red"}, o).status());
    long_done_when_short_returned = long_done;
  });
  short_request.join();
  long_request.join();
  EXPECT_EQ(batcher.stats().batches, 1u);  // together: the second joined the first's batch
  EXPECT_EQ(batcher.stats().joined, 1u);
  EXPECT_FALSE(long_done_when_short_returned);  // 4 steps, not 122
}

TEST_F(TranslatorTest, BatchesKeepOptionsAndCapacityApartAndZeroWaitTurnsBatchingOff) {
  // Beam 2 twice, beam 3 twice, beam 2 with bf16 once.
  const std::vector<std::pair<int, bool>> requests = {
      {2, false}, {3, false}, {2, false}, {3, false}, {2, true}};
  for (const int wait_ms : {0, 1000}) {
    SCOPED_TRACE(absl::StrCat("wait ", wait_ms, " ms"));
    TranslateBatcher batcher(absl::Milliseconds(wait_ms), /*busy=*/0);
    std::vector<std::thread> clients;
    for (const auto& [beam, bf16] : requests) {
      clients.emplace_back([&, beam = beam, bf16 = bf16] {
        TranslateOptions o;
        o.beam_size = beam;
        o.bf16 = bf16;
        ASSERT_OK(batcher.Translate(*translator_, {"the dog"}, o).status());
      });
    }
    for (auto& t : clients) t.join();
    const TranslateBatcher::Stats stats = batcher.stats();
    EXPECT_EQ(stats.requests, 5u);
    EXPECT_EQ(stats.joined, wait_ms == 0 ? 0u : 2u);
    EXPECT_EQ(stats.batches, wait_ms == 0 ? 5u : 3u);
  }
  // A batch holds at most Translator::ChunkSize sentences: 64 greedy, 32 with a beam, or with
  // bf16 16 / beam.
  TranslateBatcher batcher(absl::Seconds(1), /*busy=*/0);
  TranslateOptions o;
  o.beam_size = 5;
  o.bf16 = true;
  ASSERT_EQ(Translator::ChunkSize(o), 3u);
  std::vector<std::thread> clients;
  for (const size_t n : {2, 1, 2}) {  // 2 + 1 fill one batch; the last 2 need another
    clients.emplace_back([&, n] {
      ASSERT_OK(batcher.Translate(*translator_, std::vector<std::string>(n, "red"), o).status());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // in this order
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(batcher.stats().batches, 2u);
  EXPECT_EQ(batcher.stats().largest, 3u);
}

// TranslateRequest.int8: refused with the reason until the model's output layer is
// quantized (TrainedModel does it on load), then the same translations as float32 on this
// model, in batches of their own.
TEST_F(TranslatorTest, Int8IsRefusedUntilPreparedThenTranslatesLikeFloat) {
  Bias(kEosId, 3.0f);
  const std::vector<std::string> sentences = {"the dog runs", "a small bird sings in the house",
                                              "red"};
  v1::TranslateRequest r;
  r.set_job_id("j");
  for (const std::string& s : sentences) r.add_sentences(s);
  r.set_int8(true);
  EXPECT_THAT(TranslateWith(*translator_, r).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("int8: this model has no int8 output layer")));
  ASSERT_OK(model_->PrepareInt8Decoding());
  for (const int beam : {1, 3}) {
    SCOPED_TRACE(absl::StrCat("beam ", beam));
    r.set_beam_size(beam);
    ASSERT_OK_AND_ASSIGN(const v1::TranslateResponse int8, TranslateWith(*translator_, r));
    ASSERT_OK_AND_ASSIGN(const std::vector<std::string> f32,
                         translator_->Translate(sentences, beam));
    ASSERT_EQ(int8.translations_size(), 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(int8.translations(i).text(), f32[i]) << i;
  }
  // Int8 and float32 requests never share a batch.
  TranslateBatcher batcher(absl::Seconds(1), /*busy=*/0);
  std::vector<std::thread> clients;
  for (const bool int8 : {false, true, false, true}) {
    clients.emplace_back([&, int8] {
      TranslateOptions o;
      o.beam_size = 2;
      o.int8 = int8;
      ASSERT_OK(batcher.Translate(*translator_, {"the dog"}, o).status());
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(batcher.stats().batches, 2u);
  EXPECT_EQ(batcher.stats().joined, 2u);
}

TEST(TranslatorChunkTest, GreedyChunksAreLargerAndBf16LimitsOnlyWithoutInt8) {
  TranslateOptions o;
  o.beam_size = 1;
  EXPECT_EQ(Translator::ChunkSize(o), 64u);
  o.beam_size = 5;
  EXPECT_EQ(Translator::ChunkSize(o), 32u);
  o.bf16 = true;
  EXPECT_EQ(Translator::ChunkSize(o), 3u);  // 16 rows / beam 5
  o.beam_size = 1;
  EXPECT_EQ(Translator::ChunkSize(o), 16u);
  o.int8 = true;  // the output layer, the largest product, is int8 at any row count
  EXPECT_EQ(Translator::ChunkSize(o), 64u);
  o.beam_size = 5;
  EXPECT_EQ(Translator::ChunkSize(o), 32u);
}

// Chunks are bounded by sentences and by source subwords x beams (16,384).
TEST(TranslatorChunkTest, ChunksAreBoundedByTokensAsWellAsSentences) {
  using Ends = std::vector<size_t>;
  TranslateOptions o;
  o.beam_size = 5;
  EXPECT_EQ(Translator::ChunkEnds({}, o), Ends{});
  EXPECT_EQ(Translator::ChunkEnds({3}, o), Ends{1});
  // Short sentences: the sentence count decides (32 with a beam, 64 greedy).
  EXPECT_EQ(Translator::ChunkEnds(std::vector<size_t>(70, 10), o), (Ends{32, 64, 70}));
  o.beam_size = 1;
  EXPECT_EQ(Translator::ChunkEnds(std::vector<size_t>(70, 10), o), (Ends{64, 70}));
  // Long ones: (399 + 1) x 5 = 2,000 per sentence, so 8 fit in 16,384; 400 x 5 x 41 > 16,384.
  o.beam_size = 5;
  EXPECT_EQ(Translator::ChunkEnds(std::vector<size_t>(20, 399), o), (Ends{8, 16, 20}));
  // A sentence over the budget alone is a chunk of one; then the budget starts again.
  EXPECT_EQ(Translator::ChunkEnds({5000, 4000, 10, 10}, o), (Ends{1, 2, 4}));
  // Exactly the budget fits: 16,384 = 4 x (4,095 + 1) greedy.
  o.beam_size = 1;
  EXPECT_EQ(Translator::ChunkEnds({4095, 4095, 4095, 4095, 4095}, o), (Ends{4, 5}));
}

TEST_F(TranslatorTest, ADecodingErrorIsEveryMembersError) {
  TranslateBatcher batcher(absl::Seconds(1), /*busy=*/0);
  TranslateOptions o;
  o.beam_size = 2;
  o.n_best = 3;  // more than the beam: the decoder refuses
  std::vector<absl::Status> got(2);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < got.size(); ++i) {
    clients.emplace_back([&, i] { got[i] = batcher.Translate(*translator_, {"the dog"}, o).status(); });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(batcher.stats().batches, 1u);
  for (const absl::Status& s : got) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n_best must be in [1, 2]")));
  }
}

}  // namespace
}  // namespace tandem::inference
