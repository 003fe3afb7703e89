// ModelConfig validation, the R1 parameter count without LibTorch, and LR schedules.
#include "model/model_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/job_spec.h"
#include "model/lr_schedule.h"
#include "model/model_spec.h"
#include "tests/testing/status_matchers.h"

namespace tandem::model {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ModelConfigTest, R1IsValidAndHas12270912Parameters) {
  const ModelConfig c = R1Config();
  EXPECT_OK(Validate(c));
  EXPECT_EQ(ParameterCount(c), 12270912);
  EXPECT_EQ(c.AnnotationDim(), 512);
  EXPECT_EQ(c.DecoderHidden(), 512);
}

TEST(ModelConfigTest, UnknownAttentionNamesFieldAndChoices) {
  ModelConfig c = R1Config();
  c.attention = "foo";
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "model.attention: unknown attention type 'foo' (expected bahdanau, "
                       "luong_dot, luong_general, none)"));
}

TEST(ModelConfigTest, UnknownCell) {
  ModelConfig c = R1Config();
  c.cell = "rnn";
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("model.cell: unknown cell type 'rnn'")));
}

TEST(ModelConfigTest, ZeroSizesAreRejectedWithTheField) {
  const struct {
    const char* field;
    int64_t ModelConfig::*member;
  } cases[] = {{"src_vocab", &ModelConfig::src_vocab},
               {"tgt_vocab", &ModelConfig::tgt_vocab},
               {"embedding_dim", &ModelConfig::embedding_dim},
               {"hidden_dim", &ModelConfig::hidden_dim},
               {"encoder_layers", &ModelConfig::encoder_layers},
               {"decoder_layers", &ModelConfig::decoder_layers},
               {"attention_dim", &ModelConfig::attention_dim},
               {"preoutput_dim", &ModelConfig::preoutput_dim}};
  for (const auto& tc : cases) {
    ModelConfig c = R1Config();
    c.*tc.member = 0;
    EXPECT_THAT(Validate(c),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(std::string("model.") + tc.field + ": must be in [")));
  }
}

TEST(ModelConfigTest, AttentionDimIgnoredWithoutBahdanau) {
  ModelConfig c = R1Config();
  c.attention = "luong_dot";
  c.attention_dim = 0;
  EXPECT_OK(Validate(c));
}

TEST(ModelConfigTest, DropoutRange) {
  ModelConfig c = R1Config();
  c.dropout = 1.0;
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("model.dropout: must be in [0, 1), got 1")));
  c.dropout = -0.1;
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("model.dropout: must be in [0, 1), got -0.1")));
}

TEST(ModelConfigTest, TyingNeedsEqualSizes) {
  ModelConfig c = R1Config();
  c.tie_embeddings = true;  // embedding 256 != pre-output 512
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("model.tie_embeddings: needs embedding_dim ==")));
  c.preoutput_dim = 256;
  EXPECT_OK(Validate(c));
  // Tying removes the 8000 x 256 output matrix.
  ModelConfig untied = c;
  untied.tie_embeddings = false;
  EXPECT_EQ(ParameterCount(untied) - ParameterCount(c), 8000 * 256);
}

TEST(ModelConfigTest, SpecialIdsMustDiffer) {
  ModelConfig c = R1Config();
  c.eos_id = c.bos_id;
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("model.eos_id: must differ from bos_id")));
}

TEST(LrScheduleTest, Constant) {
  LrSchedule s{"constant", 3e-4, 0, 0};
  ASSERT_OK(Validate(s));
  EXPECT_DOUBLE_EQ(LearningRate(s, 1), 3e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 100000), 3e-4);
}

TEST(LrScheduleTest, InverseSqrt) {
  LrSchedule s{"inverse_sqrt", 1e-3, 4000, 0};
  ASSERT_OK(Validate(s));
  EXPECT_DOUBLE_EQ(LearningRate(s, 1), 1e-3 / 4000);
  EXPECT_DOUBLE_EQ(LearningRate(s, 2000), 5e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 4000), 1e-3);
  EXPECT_DOUBLE_EQ(LearningRate(s, 16000), 5e-4);   // sqrt(4000 / 16000) = 1/2
  EXPECT_DOUBLE_EQ(LearningRate(s, 64000), 2.5e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 0), LearningRate(s, 1));
}

TEST(LrScheduleTest, LinearDecay) {
  LrSchedule s{"linear_decay", 1e-3, 100, 1100};
  ASSERT_OK(Validate(s));
  EXPECT_DOUBLE_EQ(LearningRate(s, 50), 5e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 100), 1e-3);
  EXPECT_DOUBLE_EQ(LearningRate(s, 600), 5e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 1100), 0.0);
  EXPECT_DOUBLE_EQ(LearningRate(s, 5000), 0.0);
  // An end not known yet (a time budget before its first estimate): warm-up, then base_lr.
  s.total_steps = 0;
  ASSERT_OK(Validate(s));
  EXPECT_DOUBLE_EQ(LearningRate(s, 50), 5e-4);
  EXPECT_DOUBLE_EQ(LearningRate(s, 5000), 1e-3);
}

TEST(LrScheduleTest, ValidateNamesField) {
  EXPECT_THAT(Validate(LrSchedule{"cosine", 1e-3, 0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("schedule.kind: unknown schedule 'cosine'")));
  EXPECT_THAT(Validate(LrSchedule{"linear_decay", 1e-3, 100, 100}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("schedule.total_steps")));
  EXPECT_THAT(Validate(LrSchedule{"constant", 0.0, 0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("schedule.base_lr")));
}

// ValidateSpec bounds a job's model by ModelParameterBound: it must never be below the
// parameters the model really has.
TEST(ModelConfigTest, TheSpecsParameterBoundIsNeverBelowTheRealCount) {
  for (const char* cell : {"gru", "lstm"}) {
    for (int64_t e : {8, 256, 1000}) {
      for (int64_t h : {8, 256, 1000}) {
        for (int64_t layers : {1, 3}) {
          for (int64_t v : {50, 8000}) {
            for (bool tie : {false, true}) {
              ModelConfig c;
              c.src_vocab = c.tgt_vocab = v;
              c.embedding_dim = e;
              c.hidden_dim = h;
              c.encoder_layers = c.decoder_layers = layers;
              c.cell = cell;
              c.attention_dim = c.preoutput_dim = c.DecoderHidden();  // as ModelConfigFor
              c.tie_embeddings = tie && c.preoutput_dim == e;
              v1::ModelSpec m;
              m.set_embedding_dim(static_cast<uint32_t>(e));
              m.set_hidden_dim(static_cast<uint32_t>(h));
              m.set_encoder_layers(static_cast<uint32_t>(layers));
              m.set_decoder_layers(static_cast<uint32_t>(layers));
              m.set_cell(cell);
              const int64_t real = ParameterCount(c);
              const uint64_t bound = ModelParameterBound(m, static_cast<uint32_t>(v));
              EXPECT_GE(bound, static_cast<uint64_t>(real))
                  << cell << " e=" << e << " h=" << h << " layers=" << layers << " v=" << v;
              EXPECT_LT(bound, static_cast<uint64_t>(real) * 4 + 100000);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace tandem::model

namespace tandem::model {
namespace {

// A transformer job's spec becomes a valid transformer ModelConfig (defaults resolved), and
// the spec's parameter bound is above the exact count.
TEST(ModelConfigTest, TransformerFromTheSpecIsValidAndBoundedBySpecBound) {
  for (uint32_t e : {64u, 256u}) {
    for (uint32_t layers : {1u, 6u}) {
      for (const char* pos : {"sinusoidal", "learned"}) {
        for (bool tie : {false, true}) {
          v1::JobSpec spec;
          spec.mutable_corpus()->set_train_tsv("x.tsv");
          auto& m = *spec.mutable_model();
          m.set_architecture("transformer");
          m.set_embedding_dim(e);
          m.set_encoder_layers(layers);
          m.set_decoder_layers(layers);
          m.set_positions(pos);
          m.set_tie_embeddings(tie);
          ApplyDefaults(spec);
          ASSERT_OK(ValidateSpec(spec));
          const ModelConfig c = ModelConfigFor(spec, 8000, 8000);
          ASSERT_OK(Validate(c));
          EXPECT_EQ(c.architecture, "transformer");
          EXPECT_EQ(c.heads, 4);
          EXPECT_EQ(c.ff_dim, 4 * e);
          EXPECT_EQ(c.preoutput_dim, e);
          EXPECT_EQ(c.positions, pos);
          EXPECT_LE(static_cast<uint64_t>(ParameterCount(c)),
                    ModelParameterBound(spec.model(), 8000));
        }
      }
    }
  }
  // The example job (examples/transformer.yaml's model): d_model 256, 3+3 layers, vocab 8000.
  ModelConfig c;
  c.architecture = "transformer";
  c.embedding_dim = c.preoutput_dim = 256;
  c.ff_dim = 1024;
  c.encoder_layers = c.decoder_layers = 3;
  // Embeddings 2 x 2,048,000; encoder 3 x 789,760 + 512; decoder 3 x 1,053,440 + 512;
  // output 2,056,000.
  EXPECT_EQ(ParameterCount(c), 4'096'000 + 2'369'792 + 3'160'832 + 2'056'000);
}

}  // namespace
}  // namespace tandem::model
