#include "common/job_spec.h"

#include <cmath>
#include <functional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using v1::JobSpec;

constexpr char kYaml[] = R"(name: demo
corpus:
  train_source: train.en
  train_target: train.es
tokenizer:
  vocab_size: 4000
  joint: true
model:
  attention: luong_general
  dropout: 0
training:
  max_steps: 200
  learning_rate: 0.001
workers:
  min: 2
)";

TEST(JobSpecTest, ParsesYaml) {
  auto spec = ParseJobText(kYaml, "job.yaml");
  ASSERT_OK(spec);
  EXPECT_EQ(spec->name(), "demo");
  EXPECT_EQ(spec->corpus().train_source(), "train.en");
  EXPECT_EQ(spec->tokenizer().vocab_size(), 4000u);
  EXPECT_TRUE(spec->tokenizer().joint());
  EXPECT_EQ(spec->model().attention(), "luong_general");
  EXPECT_TRUE(spec->model().dropout_set());
  EXPECT_EQ(spec->training().max_steps(), 200u);
  EXPECT_FLOAT_EQ(spec->training().learning_rate(), 0.001f);
  EXPECT_EQ(spec->workers().min(), 2u);
}

TEST(JobSpecTest, ParsesJson) {
  auto spec = ParseJobText(
      R"({"corpus": {"train_tsv": "c.tsv"}, "model": {"attention": "none"}, "workers": {"min": 3, "max": 4}})",
      "job.json");
  ASSERT_OK(spec);
  EXPECT_EQ(spec->corpus().train_tsv(), "c.tsv");
  EXPECT_EQ(spec->model().attention(), "none");
  EXPECT_EQ(spec->workers().max(), 4u);
}

TEST(JobSpecTest, UnknownFieldNamesFileLineAndKnownFields) {
  EXPECT_THAT(ParseJobText("model:\n  hidden_dim: 8\n  atention: bahdanau\n", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("job.yaml:3:3: unknown field 'atention' in model (known: "),
                             HasSubstr(" attention"))));
  EXPECT_THAT(
      ParseJobText("modle: {}\n", "j.yaml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown field 'modle' in the job")));
}

TEST(JobSpecTest, WrongTypesNameTheField) {
  EXPECT_THAT(ParseJobText("training:\n  learning_rate: fast\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("j.yaml:2:18: training.learning_rate: expected a number, "
                                 "got 'fast'")));
  EXPECT_THAT(ParseJobText("workers:\n  min: -2\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("workers.min: expected a whole number")));
  EXPECT_THAT(ParseJobText("tokenizer:\n  joint: maybe\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tokenizer.joint: expected true or false")));
  EXPECT_THAT(ParseJobText("model: bahdanau\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model: expected a mapping")));
  EXPECT_THAT(
      ParseJobText("name: [a, b]\n", "j.yaml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name: expected a single value")));
}

TEST(JobSpecTest, SyntaxErrorsAndEmptyFiles) {
  EXPECT_THAT(ParseJobText("model: {attention: x\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("j.yaml:")));
  EXPECT_THAT(ParseJobText("", "e.yaml"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   HasSubstr("e.yaml: the job file is empty")));
  EXPECT_THAT(ParseJobText("- a\n- b\n", "l.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a job file is a mapping")));
}

JobSpec Valid() {
  JobSpec spec;
  spec.mutable_corpus()->set_train_source("a.en");
  spec.mutable_corpus()->set_train_target("a.es");
  ApplyDefaults(spec);
  return spec;
}

TEST(JobSpecTest, DefaultsAreDocumentedValuesAndValid) {
  JobSpec spec = Valid();
  EXPECT_OK(ValidateSpec(spec));
  EXPECT_EQ(spec.tokenizer().vocab_size(), kDefaultVocabSize);
  EXPECT_EQ(spec.model().attention(), "bahdanau");
  EXPECT_FLOAT_EQ(spec.model().dropout(), kDefaultDropout);
  EXPECT_EQ(spec.training().epochs(), 1u);
  EXPECT_EQ(spec.training().gradient_wire(), "") << "empty is fp32, left unfilled";
  EXPECT_EQ(spec.workers().min(), 1u);
  EXPECT_EQ(spec.workers().max(), 1u);
  EXPECT_EQ(spec.training().validation_interval_steps(), kDefaultValidationInterval);
  EXPECT_EQ(spec.training().checkpoint_interval_steps(), kDefaultCheckpointInterval);
  JobSpec again = spec;
  ApplyDefaults(again);
  EXPECT_EQ(again.SerializeAsString(), spec.SerializeAsString()) << "idempotent";
}

// training.gradient_wire from a job file: bf16 is taken; anything else is refused naming the
// field and the choices, with the file's line.
TEST(JobSpecTest, GradientWireIsFp32OrBf16) {
  auto spec = ParseJobText("training:\n  gradient_wire: bf16\n", "j.yaml");
  ASSERT_OK(spec);
  EXPECT_EQ(spec->training().gradient_wire(), "bf16");
  JobSpec valid = Valid();
  valid.mutable_training()->set_gradient_wire("bf16");
  EXPECT_OK(ValidateSpec(valid));
  valid.mutable_training()->set_gradient_wire("fp32");
  EXPECT_OK(ValidateSpec(valid));
  valid.mutable_training()->set_gradient_wire("BF16");
  EXPECT_THAT(ValidateSpec(valid),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("training.gradient_wire: 'BF16' is not one of fp32, bf16")));
}

// training.ema_decay: 0 (off, the default) or a decay in (0, 1); anything else is refused
// naming the field, and a job file's value reaches the spec as written (a double: 0.9999 is
// not rounded to float).
TEST(JobSpecTest, EmaDecayIsOffOrADecayBelowOne) {
  auto spec = ParseJobText("training:\n  max_steps: 5\n  ema_decay: 0.9999\n", "j.yaml");
  ASSERT_OK(spec);
  EXPECT_EQ(spec->training().ema_decay(), 0.9999);
  JobSpec valid = Valid();
  EXPECT_EQ(valid.training().ema_decay(), 0.0);
  EXPECT_OK(ValidateSpec(valid));
  for (double ok : {1e-9, 0.5, 0.9999, 0.999999}) {
    valid.mutable_training()->set_ema_decay(ok);
    EXPECT_OK(ValidateSpec(valid)) << ok;
  }
  for (double bad : {1.0, 1.5, -0.1, -1e-12, std::nan(""), HUGE_VAL}) {
    valid.mutable_training()->set_ema_decay(bad);
    EXPECT_THAT(ValidateSpec(valid),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("training.ema_decay: must be in [0, 1) (0 = off)")))
        << bad;
  }
  EXPECT_THAT(ParseJobText("training:\n  ema_decay: often\n", "j.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("j.yaml:2:14: training.ema_decay: expected a number")));
}

TEST(JobSpecTest, ExplicitZeroDropoutIsKept) {
  auto spec = ParseJobText("model:\n  dropout: 0\ntraining:\n  label_smoothing: 0\n", "j");
  ASSERT_OK(spec);
  ApplyDefaults(*spec);
  EXPECT_EQ(spec->model().dropout(), 0.0f);
  EXPECT_EQ(spec->training().label_smoothing(), 0.0f);
}

// workers.wait_timeout takes a duration as people write them; a bad one is refused with the
// place it was written.
TEST(JobSpecTest, WaitTimeoutIsADuration) {
  JobFileMarks marks;
  ASSERT_OK_AND_ASSIGN(JobSpec spec,
                       ParseJobText("corpus: {train_tsv: x.tsv}\nworkers:\n  wait_timeout: 1h30m\n",
                                    "job.yaml", &marks));
  ApplyDefaults(spec);
  EXPECT_OK(ValidateSpec(spec));
  EXPECT_EQ(spec.workers().wait_timeout(), "1h30m");
  ASSERT_OK(ApplyOverride("workers.wait_timeout=soon", spec, &marks));
  EXPECT_THAT(LocateSpecError(ValidateSpec(spec), marks),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set workers.wait_timeout: workers.wait_timeout: 'soon'")));
}

// training.max_duration alone bounds a job: no default epoch limit is added beside it.
TEST(JobSpecTest, MaxDurationAloneBoundsTraining) {
  ASSERT_OK_AND_ASSIGN(JobSpec spec, ParseJobText("corpus: {train_tsv: x.tsv}\n"
                                                  "training: {max_duration: 2h}\n",
                                                  "job.yaml"));
  ApplyDefaults(spec);
  EXPECT_OK(ValidateSpec(spec));
  EXPECT_EQ(spec.training().epochs(), 0u);
  EXPECT_EQ(spec.training().max_steps(), 0u);
  // Cadences left out are spaced over the budget: they stay 0.
  EXPECT_EQ(spec.training().validation_interval_steps(), 0u);
  EXPECT_EQ(spec.training().checkpoint_interval_steps(), 0u);
  // A linear schedule may end where the budget does, without max_steps.
  spec.mutable_training()->set_lr_schedule("linear");
  EXPECT_OK(ValidateSpec(spec));
  EXPECT_THAT(ParseJobDuration("training.max_duration", "90m"),
              testing::IsOkAndHolds(absl::Minutes(90)));
  spec.mutable_training()->clear_max_duration();
  spec.mutable_training()->set_lr_schedule("constant");
  EXPECT_THAT(ValidateSpec(spec), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("set max_steps, epochs or max_duration")));
  JobSpec plain = Valid();
  plain.mutable_training()->clear_epochs();
  plain.mutable_training()->clear_max_steps();
  ApplyDefaults(plain);
  EXPECT_EQ(plain.training().epochs(), 1u) << "without a budget: one pass over the corpus";
}

// A job that leaves out its model's size gets it, and the other sizing fields it leaves out,
// from the corpus size and the budget; one that gives the size keeps the fixed defaults.
TEST(JobSpecTest, SizingLeftOutIsChosenFromTheCorpusAndTheBudget) {
  JobSpec raw;
  raw.mutable_corpus()->set_train_tsv("x.tsv");
  const std::vector<std::string> all = {"tokenizer.vocab_size", "model.embedding_dim",
                                        "model.hidden_dim",     "model.dropout",
                                        "training.learning_rate", "training.batch_tokens"};
  EXPECT_EQ(SizingLeftOut(raw), all);
  JobSpec given = raw;
  given.mutable_model()->set_embedding_dim(64);
  EXPECT_TRUE(SizingLeftOut(given).empty()) << "the model's size given: nothing is chosen";
  JobSpec some = raw;
  some.mutable_model()->set_dropout(0.0f);
  some.mutable_model()->set_dropout_set(true);  // an explicit 0 is given
  some.mutable_training()->set_batch_tokens(1000);
  EXPECT_THAT(SizingLeftOut(some),
              ElementsAre("tokenizer.vocab_size", "model.embedding_dim", "model.hidden_dim",
                          "training.learning_rate"));

  struct Case {
    uint64_t pairs;
    std::string budget;
    uint32_t vocab, embedding, hidden, batch;
    float dropout;
  };
  for (const Case& c : std::vector<Case>{{0, "", 2000, 128, 128, 2048, 0.3f},
                                         {9'999, "", 2000, 128, 128, 2048, 0.3f},
                                         {10'000, "", 8000, 256, 256, 4096, 0.2f},
                                         {250'000, "", 16000, 512, 512, 8192, 0.1f},
                                         {5'000'000, "", 32000, 512, 1024, 8192, 0.1f},
                                         // A budget under an hour: one size smaller, the
                                         // vocabulary still by the data.
                                         {250'000, "30m", 16000, 256, 256, 4096, 0.2f},
                                         {5'000, "30m", 2000, 128, 128, 2048, 0.3f},
                                         {250'000, "2h", 16000, 512, 512, 8192, 0.1f}}) {
    SCOPED_TRACE(absl::StrCat(c.pairs, " pairs, budget '", c.budget, "'"));
    JobSpec spec = raw;
    spec.mutable_training()->set_max_duration(c.budget);
    ApplyDefaults(spec);
    const std::vector<std::string> lines = ChooseSizing(spec, all, c.pairs);
    EXPECT_OK(ValidateSpec(spec));
    EXPECT_EQ(spec.tokenizer().vocab_size(), c.vocab);
    EXPECT_EQ(spec.model().embedding_dim(), c.embedding);
    EXPECT_EQ(spec.model().hidden_dim(), c.hidden);
    EXPECT_EQ(spec.training().batch_tokens(), c.batch);
    EXPECT_FLOAT_EQ(spec.model().dropout(), c.dropout);
    ASSERT_EQ(lines.size(), all.size());
    EXPECT_THAT(lines[2], HasSubstr(absl::StrCat("model.hidden_dim ", c.hidden, ": ", c.pairs,
                                                 " training pairs")));
    if (c.budget == "30m" && c.pairs >= 10'000) {
      EXPECT_THAT(lines[2], HasSubstr("one size smaller for a time budget under an hour"));
      EXPECT_THAT(lines[0], Not(HasSubstr("smaller")));
    }
    // Undone: the spec as submitted, with the fixed defaults.
    JobSpec reset = spec;
    ResetSizing(reset, all);
    JobSpec expected = raw;
    expected.mutable_training()->set_max_duration(c.budget);
    ApplyDefaults(expected);
    EXPECT_EQ(reset.SerializeAsString(), expected.SerializeAsString());
  }
  // Only the fields asked for change.
  JobSpec spec = some;
  ApplyDefaults(spec);
  ChooseSizing(spec, SizingLeftOut(some), 50'000);
  EXPECT_EQ(spec.training().batch_tokens(), 1000u);
  EXPECT_FLOAT_EQ(spec.model().dropout(), 0.0f);
  EXPECT_EQ(spec.model().hidden_dim(), 256u);
}

// Labels come from job files (a mapping) and --set labels.KEY=VALUE; each key once.
TEST(JobSpecTest, LabelsFromJobFilesAndOverrides) {
  JobFileMarks marks;
  ASSERT_OK_AND_ASSIGN(JobSpec spec, ParseJobText("corpus: {train_tsv: x.tsv}\n"
                                                  "labels:\n  team: nlp\n  exp.id: '42'\n",
                                                  "job.yaml", &marks));
  ASSERT_OK(ApplyOverride("labels.owner=ana", spec, &marks));
  ASSERT_OK(ApplyOverride("labels.team=mt", spec, &marks));
  ApplyDefaults(spec);
  EXPECT_OK(ValidateSpec(spec));
  EXPECT_EQ(spec.labels().size(), 3u);
  EXPECT_EQ(spec.labels().at("team"), "mt") << "--set overrides the file";
  EXPECT_EQ(spec.labels().at("exp.id"), "42");
  EXPECT_EQ(spec.labels().at("owner"), "ana");
  EXPECT_THAT(ParseJobText("labels:\n  team: a\n  team: b\n", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("job.yaml:3:3: labels.team is written twice (first at "
                                 "job.yaml:2:3)")));
  EXPECT_THAT(ParseJobText("labels: [a, b]\n", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("job.yaml:1:")));
  ASSERT_OK(ApplyOverride("labels.Bad=x", spec, &marks));
  EXPECT_THAT(LocateSpecError(ValidateSpec(spec), marks),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'Bad' is not a label")));
}

TEST(JobSpecTest, RangeErrorsNameFieldAndRange) {
  struct Case {
    std::function<void(JobSpec&)> mutate;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {[](JobSpec& s) { s.mutable_training()->set_learning_rate(-1); },
       "training.learning_rate: must be in (0, 10], got -1"},
      {[](JobSpec& s) { s.mutable_tokenizer()->set_vocab_size(8); },
       "tokenizer.vocab_size: must be in [16, 64000], got 8"},
      {[](JobSpec& s) { s.mutable_model()->set_attention("transformer"); },
       "model.attention: 'transformer' is not one of bahdanau, luong_dot, luong_general, none"},
      {[](JobSpec& s) { s.mutable_model()->set_dropout(1.0f); }, "model.dropout: must be in [0, 1)"},
      {[](JobSpec& s) { s.mutable_training()->set_batch_tokens(1); },
       "training.batch_tokens: must be in [16, 1000000], got 1"},
      {[](JobSpec& s) { s.mutable_workers()->set_max(0); }, "workers.max: 0 is below workers.min 1"},
      {[](JobSpec& s) { s.mutable_workers()->set_min(3); }, "workers.max: 1 is below workers.min 3"},
      {[](JobSpec& s) {
         s.mutable_workers()->set_min(1025);
         s.mutable_workers()->set_max(1025);
       },
       "workers.min: must be in [1, 1024], got 1025"},
      {[](JobSpec& s) { s.mutable_workers()->set_wait_timeout("5x"); },
       "workers.wait_timeout: '5x' is not a duration between 1s and a year (write e.g. 90s, 30m "
       "or 2h)"},
      {[](JobSpec& s) { s.mutable_workers()->set_wait_timeout("0s"); }, "workers.wait_timeout: '0s'"},
      {[](JobSpec& s) { s.mutable_workers()->set_wait_timeout("-5m"); }, "workers.wait_timeout"},
      {[](JobSpec& s) { s.mutable_workers()->set_wait_timeout("9000h"); }, "workers.wait_timeout"},
      {[](JobSpec& s) { s.mutable_training()->set_max_duration("0.5s"); },
       "training.max_duration: '0.5s' is not a duration between 1s and a year"},
      {[](JobSpec& s) { s.mutable_training()->set_max_duration("2 hours"); },
       "training.max_duration: '2 hours'"},
      {[](JobSpec& s) { (*s.mutable_labels())["Team"] = "x"; },
       "labels: 'Team' is not a label name (1 to 63 characters of a-z 0-9 . _ / -, beginning "
       "with a letter or digit)"},
      {[](JobSpec& s) { (*s.mutable_labels())[""] = "x"; }, "labels: '' is not a label name"},
      {[](JobSpec& s) { (*s.mutable_labels())["-x"] = "x"; }, "labels: '-x' is not"},
      {[](JobSpec& s) { (*s.mutable_labels())[std::string(64, 'k')] = "x"; }, "is not a label"},
      {[](JobSpec& s) { (*s.mutable_labels())["k"] = std::string(257, 'v'); },
       "labels: the value of 'k' is 257 bytes; at most 256"},
      {[](JobSpec& s) {
         for (int i = 0; i < 33; ++i) (*s.mutable_labels())[absl::StrCat("k", i)] = "v";
       },
       "labels: 33 labels; at most 32"},
      {[](JobSpec& s) { s.mutable_training()->set_clip_norm(-2); }, "training.clip_norm"},
      {[](JobSpec& s) { s.mutable_corpus()->clear_train_target(); }, "train_target is missing"},
      {[](JobSpec& s) { s.mutable_corpus()->set_train_tsv("x.tsv"); }, "either train_source"},
      {[](JobSpec& s) { s.mutable_corpus()->set_valid_source("v.en"); },
       "valid_source and valid_target must both be set"},
      {[](JobSpec& s) { s.mutable_training()->set_lr_schedule("cosine"); }, "training.lr_schedule"},
      // Defaults: one epoch, no max_steps, no budget: nowhere for 'linear' to end.
      {[](JobSpec& s) { s.mutable_training()->set_lr_schedule("linear"); },
       "training.lr_schedule: 'linear' decays to 0 at training.max_steps or where "
       "training.max_duration runs out"},
      {[](JobSpec& s) {
         s.mutable_training()->set_lr_schedule("linear");
         s.mutable_training()->set_max_steps(100);
         s.mutable_training()->set_warmup_steps(100);
       },
       "'linear' needs max_steps (100) above warmup_steps (100)"},
      {[](JobSpec& s) { s.mutable_training()->set_gradient_wire("fp16"); },
       "training.gradient_wire: 'fp16' is not one of fp32, bf16"},
      {[](JobSpec& s) { s.mutable_model()->set_hidden_dim(100000); }, "model.hidden_dim"},
      {[](JobSpec& s) { s.set_name(std::string(200, 'n')); }, "name: at most 128"},
      {[](JobSpec& s) { s.mutable_corpus()->set_source_lang(std::string(33, 'x')); },
       "corpus.source_lang: at most 32"},
      {[](JobSpec& s) { s.mutable_corpus()->set_train_source(std::string(5000, 'f')); },
       "file name of at most 4096"},
      // Every dimension in range, the whole far too large for any worker.
      {[](JobSpec& s) {
         s.mutable_tokenizer()->set_vocab_size(64000);
         s.mutable_model()->set_embedding_dim(4096);
         s.mutable_model()->set_hidden_dim(4096);
       },
       "parameters with tokenizer.vocab_size 64000"},
  };
  for (const Case& c : cases) {
    JobSpec spec = Valid();
    c.mutate(spec);
    EXPECT_THAT(ValidateSpec(spec),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)));
  }
}

TEST(JobSpecTest, DuplicateFieldsAndZerosThatMeanDefaultAreRefusedWithTheirPlace) {
  EXPECT_THAT(ParseJobText("training:\n  max_steps: 5\n  max_steps: 7\n", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("job.yaml:3:3: training.max_steps is written twice (first at "
                                 "job.yaml:2:3)")));
  EXPECT_THAT(ParseJobText("{workers: {min: 1}, workers: {max: 2}}", "job.json"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("workers is written twice")));
  EXPECT_THAT(ParseJobText("training:\n  batch_tokens: 0\n", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("job.yaml:2:17: training.batch_tokens: 0 is not a value here")));
  EXPECT_THAT(ParseJobText("model: {hidden_dim: 0.0}", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.hidden_dim: 0")));
  // Where 0 is a value, it stays one.
  ASSERT_OK_AND_ASSIGN(const JobSpec zero,
                       ParseJobText("model: {dropout: 0}\ntraining: {warmup_steps: 0}\n", "j"));
  EXPECT_TRUE(zero.model().dropout_set());
}

TEST(JobSpecTest, ValidationErrorsNameWhereTheFieldWasWritten) {
  JobFileMarks marks;
  ASSERT_OK_AND_ASSIGN(JobSpec spec,
                       ParseJobText("corpus: {train_tsv: x.tsv}\ntraining:\n  learning_rate: -1\n",
                                    "job.yaml", &marks));
  ASSERT_OK(ApplyOverride("workers.min=5", spec, &marks));
  ASSERT_OK(ApplyOverride("workers.max=2", spec, &marks));
  ApplyDefaults(spec);
  EXPECT_THAT(LocateSpecError(ValidateSpec(spec), marks),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("job.yaml:3:18: training.learning_rate: must be in")));
  spec.mutable_training()->set_learning_rate(0.001f);
  EXPECT_THAT(LocateSpecError(ValidateSpec(spec), marks),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--set workers.max: workers.max: 2 is below workers.min 5")));
  // A field nobody wrote (a default) has no place; the message is unchanged.
  spec.mutable_workers()->set_max(5);
  spec.mutable_model()->set_cell("rnn");
  EXPECT_THAT(LocateSpecError(ValidateSpec(spec), marks),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::StartsWith("model.cell:")));
  EXPECT_OK(LocateSpecError(absl::OkStatus(), marks));
}

TEST(JobSpecTest, ModelParameterBoundIsAnUpperBoundThatScales) {
  JobSpec spec = Valid();
  ApplyDefaults(spec);
  v1::ModelSpec m = spec.model();
  m.set_embedding_dim(256);
  m.set_hidden_dim(256);
  m.set_encoder_layers(1);
  m.set_decoder_layers(1);
  m.set_cell("gru");
  // The README's example model has about 10 million parameters; the bound is above that,
  // within a small factor.
  const uint64_t bound = ModelParameterBound(m, 8000);
  EXPECT_GT(bound, 10'000'000u);
  EXPECT_LT(bound, 40'000'000u);
  v1::ModelSpec lstm = m;
  lstm.set_cell("lstm");
  EXPECT_GT(ModelParameterBound(lstm, 8000), bound);
  v1::ModelSpec deeper = m;
  deeper.set_encoder_layers(4);
  EXPECT_GT(ModelParameterBound(deeper, 8000), bound);
  EXPECT_GT(ModelParameterBound(m, 16000), bound);
  // The largest model within the per-dimension limits is refused as a whole.
  m.set_embedding_dim(4096);
  m.set_hidden_dim(4096);
  m.set_encoder_layers(8);
  m.set_decoder_layers(8);
  EXPECT_GT(ModelParameterBound(m, 64000), kMaxModelParameters);
}

TEST(JobSpecTest, OverridesSetNestedFieldsAndKeepOthers) {
  ASSERT_OK_AND_ASSIGN(JobSpec spec, ParseJobText(kYaml, "job.yaml"));
  ASSERT_OK(ApplyOverride("training.max_steps=50", spec));
  ASSERT_OK(ApplyOverride("name=it's mine", spec));
  ASSERT_OK(ApplyOverride("model.tie_embeddings=true", spec));
  EXPECT_EQ(spec.training().max_steps(), 50u);
  EXPECT_EQ(spec.name(), "it's mine");
  EXPECT_TRUE(spec.model().tie_embeddings());
  EXPECT_FLOAT_EQ(spec.training().learning_rate(), 0.001f);  // untouched
  EXPECT_THAT(ApplyOverride("training.nope=1", spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown field 'nope'")));
  EXPECT_THAT(ApplyOverride("no_equals", spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected path=value")));
  EXPECT_THAT(ApplyOverride("training..x=1", spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty field name")));
  EXPECT_THAT(ApplyOverride("training.max_steps=lots", spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("training.max_steps: expected a whole number")));
  EXPECT_EQ(spec.training().max_steps(), 50u) << "a refused override changes nothing";
}

TEST(JobSpecTest, JobFileResolvesRelativeCorpusPaths) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("job.yaml"), kYaml);
  auto spec = ParseJobFile(dir.Join("job.yaml"));
  ASSERT_OK(spec);
  EXPECT_EQ(spec->corpus().train_source(), dir.Join("train.en"));
  EXPECT_THAT(ParseJobFile(dir.Join("none.yaml")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir.Join("none.yaml"))));
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

// model.architecture transformer: its fields parse, take their defaults, and each mistake is
// refused naming the field.
TEST(JobSpecTest, TransformerParsesTakesDefaultsAndRefusesWhatDoesNotApply) {
  ASSERT_OK_AND_ASSIGN(JobSpec spec,
                       ParseJobText("corpus: {train_tsv: c.tsv}\n"
                                    "model:\n  architecture: transformer\n  embedding_dim: 64\n"
                                    "  encoder_layers: 3\n  decoder_layers: 2\n"
                                    "training: {max_steps: 10}\n",
                                    "job.yaml"));
  ApplyDefaults(spec);
  ASSERT_OK(ValidateSpec(spec));
  EXPECT_EQ(spec.model().heads(), kDefaultHeads);
  EXPECT_EQ(spec.model().positions(), "sinusoidal");
  EXPECT_EQ(spec.model().ff_dim(), 0u) << "0 = 4 * embedding_dim, resolved for the model";
  EXPECT_TRUE(spec.model().attention().empty()) << "does not apply: stays empty";
  EXPECT_TRUE(spec.model().cell().empty());
  JobSpec again = spec;
  ApplyDefaults(again);
  EXPECT_EQ(again.SerializeAsString(), spec.SerializeAsString()) << "idempotent";

  auto expect_bad = [&](const std::function<void(v1::ModelSpec&)>& change,
                        const std::string& what) {
    JobSpec bad = spec;
    change(*bad.mutable_model());
    EXPECT_THAT(ValidateSpec(bad), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)));
  };
  expect_bad([](v1::ModelSpec& m) { m.set_attention("bahdanau"); },
             "model.attention: does not apply to architecture transformer");
  expect_bad([](v1::ModelSpec& m) { m.set_cell("lstm"); },
             "model.cell: does not apply to architecture transformer");
  expect_bad([](v1::ModelSpec& m) { m.set_recompute_attention(true); },
             "model.recompute_attention: does not apply to architecture transformer");
  expect_bad([](v1::ModelSpec& m) { m.set_heads(3); },
             "model.heads: embedding_dim (64) must be divisible by heads (3)");
  expect_bad([](v1::ModelSpec& m) { m.set_heads(65); }, "model.heads");
  expect_bad([](v1::ModelSpec& m) { m.set_positions("rotary"); },
             "model.positions: 'rotary' is not one of sinusoidal, learned");
  expect_bad([](v1::ModelSpec& m) { m.set_encoder_layers(13); }, "model.encoder_layers");
  expect_bad([](v1::ModelSpec& m) { m.set_ff_dim(20000); }, "model.ff_dim");
  expect_bad([](v1::ModelSpec& m) { m.set_architecture("cnn"); },
             "model.architecture: 'cnn' is not one of rnn, transformer");
  // 12 layers are allowed for the transformer, 9 are not for the RNN.
  JobSpec deep = spec;
  deep.mutable_model()->set_encoder_layers(12);
  EXPECT_OK(ValidateSpec(deep));

  // The transformer's fields with the RNN would be silently ignored: refused.
  JobSpec rnn = Valid();
  ApplyDefaults(rnn);
  ASSERT_OK(ValidateSpec(rnn));
  rnn.mutable_model()->set_architecture("rnn");
  EXPECT_OK(ValidateSpec(rnn));
  rnn.mutable_model()->set_heads(4);
  EXPECT_THAT(ValidateSpec(rnn), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("model.heads: does not apply to architecture rnn")));
  rnn.mutable_model()->set_heads(0);
  rnn.mutable_model()->set_positions("learned");
  EXPECT_THAT(ValidateSpec(rnn), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("model.positions: does not apply")));
  // 0 means the default for heads and ff_dim: writing it is a mistake, as for the sizes.
  EXPECT_THAT(ParseJobText("model: {heads: 0}", "job.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model.heads: 0")));
}

// Sizing from the corpus works for the transformer: the table's embedding size is d_model,
// there is no hidden_dim to choose, and the result is valid.
TEST(JobSpecTest, TransformerSizingChoosesDModelFromTheTable) {
  JobSpec raw;
  raw.mutable_corpus()->set_train_tsv("x.tsv");
  raw.mutable_model()->set_architecture("transformer");
  const std::vector<std::string> fields = SizingLeftOut(raw);
  EXPECT_THAT(fields, ElementsAre("tokenizer.vocab_size", "model.embedding_dim", "model.dropout",
                                  "training.learning_rate", "training.batch_tokens",
                                  "training.warmup_steps", "training.lr_schedule"));
  // The peak rate is 1 / sqrt(d_model x warm-up), not the recurrent models' rate.
  for (const auto& [pairs, d_model, warmup, rate] :
       std::vector<std::tuple<uint64_t, uint32_t, uint32_t, float>>{
           {5'000, 128, 800, 0.003125f}, {50'000, 256, 1000, 0.0019764f},
           {500'000, 512, 4000, 0.00069877f}}) {
    JobSpec spec = raw;
    ApplyDefaults(spec);
    const std::vector<std::string> lines = ChooseSizing(spec, fields, pairs);
    EXPECT_OK(ValidateSpec(spec)) << pairs;
    EXPECT_EQ(spec.model().embedding_dim(), d_model) << pairs;
    EXPECT_EQ(spec.model().ff_dim(), 0u) << "follows d_model";
    // A warm-up, then a decay: the transformer does not train from a constant rate.
    EXPECT_EQ(spec.training().warmup_steps(), warmup) << pairs;
    EXPECT_NEAR(spec.training().learning_rate(), rate, rate * 1e-4) << pairs;
    EXPECT_THAT(lines, Contains(HasSubstr(absl::StrCat(
                           "a Transformer's peak, 1 / sqrt(d_model x ", warmup, " warm-up steps)"))));
    EXPECT_EQ(spec.training().lr_schedule(), "inverse_sqrt") << pairs;
    EXPECT_THAT(lines, Contains("training.lr_schedule inverse_sqrt: a Transformer warms up, then "
                                "decays as 1 / sqrt(step)"));
    ASSERT_EQ(lines.size(), fields.size());
    JobSpec reset = spec;
    ResetSizing(reset, fields);
    JobSpec expected = raw;
    ApplyDefaults(expected);
    EXPECT_EQ(reset.SerializeAsString(), expected.SerializeAsString());
  }
  // With max_steps the warm-up is at most a tenth of it; with a time budget the decay is
  // linear to the budget's end; given fields are kept, and a constant rate has no warm-up.
  JobSpec short_run = raw;
  short_run.mutable_training()->set_max_steps(2000);
  ApplyDefaults(short_run);
  std::vector<std::string> lines = ChooseSizing(short_run, fields, 500'000);
  EXPECT_EQ(short_run.training().warmup_steps(), 200u);
  EXPECT_NEAR(short_run.training().learning_rate(), 0.00069877f, 1e-7)
      << "the row's peak: a warm-up cut short does not raise it";
  EXPECT_THAT(lines, Contains(HasSubstr("training.warmup_steps 200: 500000 training pairs "
                                        "(100000 to 1000000); at most a tenth of "
                                        "training.max_steps")));
  JobSpec budget = raw;
  budget.mutable_training()->set_max_duration("2h");
  ApplyDefaults(budget);
  ChooseSizing(budget, fields, 50'000);
  EXPECT_OK(ValidateSpec(budget));
  EXPECT_EQ(budget.training().lr_schedule(), "linear");
  EXPECT_EQ(budget.training().warmup_steps(), 1000u);
  // Under an hour, one size smaller: d_model 128, its warm-up and its peak.
  JobSpec half_hour = raw;
  half_hour.mutable_training()->set_max_duration("30m");
  ApplyDefaults(half_hour);
  ChooseSizing(half_hour, fields, 50'000);
  EXPECT_EQ(half_hour.model().embedding_dim(), 128u);
  EXPECT_EQ(half_hour.training().warmup_steps(), 800u);
  EXPECT_NEAR(half_hour.training().learning_rate(), 0.003125f, 1e-6);
  JobSpec constant = raw;
  constant.mutable_training()->set_lr_schedule("constant");
  EXPECT_THAT(SizingLeftOut(constant), Not(Contains("training.warmup_steps")));
  EXPECT_THAT(SizingLeftOut(constant), Not(Contains("training.lr_schedule")));
  JobSpec warm = raw;
  warm.mutable_training()->set_warmup_steps(50);
  EXPECT_THAT(SizingLeftOut(warm), Not(Contains("training.warmup_steps")));
  // The recurrent models keep their constant rate.
  JobSpec rnn = raw;
  rnn.mutable_model()->clear_architecture();
  EXPECT_THAT(SizingLeftOut(rnn), Not(Contains("training.lr_schedule")));

  JobSpec given = raw;
  given.mutable_model()->set_embedding_dim(64);
  EXPECT_TRUE(SizingLeftOut(given).empty());
  // hidden_dim does not size a transformer: it is still sized from the corpus.
  JobSpec hidden = raw;
  hidden.mutable_model()->set_hidden_dim(64);
  EXPECT_FALSE(SizingLeftOut(hidden).empty());
}

}  // namespace
}  // namespace tandem
