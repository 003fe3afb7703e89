#include "common/job_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/files.h"
#include "common/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace tandem {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using tandem::v1::JobSpec;

bool IsTransformer(const v1::ModelSpec& m) { return m.architecture() == "transformer"; }

absl::Status RangeError(absl::string_view field, absl::string_view range, double got) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be in ", range, ", got ", got));
}

template <typename T>
absl::Status CheckRange(absl::string_view field, T value, T lo, T hi) {
  if (value < lo || value > hi) {
    return RangeError(field, absl::StrCat("[", lo, ", ", hi, "]"), static_cast<double>(value));
  }
  return absl::OkStatus();
}

absl::Status CheckOneOf(absl::string_view field, const std::string& value,
                        std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": '", value, "' is not one of ",
                                                 absl::StrJoin(allowed, ", ")));
}

// --- YAML -> protobuf, by reflection ---

std::string Where(const std::string& filename, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  // An override's YAML is made here: its lines and columns mean nothing to the user.
  if (m.line < 0 || absl::StartsWith(filename, "--set ")) return filename;
  return absl::StrCat(filename, ":", m.line + 1, ":", m.column + 1);
}

std::string KnownFields(const Descriptor* d) {
  std::vector<std::string> names;
  for (int i = 0; i < d->field_count(); ++i) names.push_back(d->field(i)->name());
  return absl::StrJoin(names, ", ");
}

absl::Status TypeError(const std::string& where, const std::string& path, const char* expected,
                       const YAML::Node& node) {
  std::string got = node.IsScalar() ? absl::StrCat("'", node.Scalar(), "'")
                    : node.IsMap()  ? std::string("a mapping")
                    : node.IsSequence() ? std::string("a list")
                                        : std::string("nothing");
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", path, ": expected ", expected, ", got ", got));
}

absl::Status FillMessage(const YAML::Node& node, Message& msg, const std::string& prefix,
                         const std::string& filename, JobFileMarks* marks);

// Fields whose 0 is not a value but "use the default" (ApplyDefaults): writing 0 is a mistake.
bool ZeroMeansDefault(const std::string& path) {
  static const std::set<std::string> kPaths = {
      "corpus.max_words",        "tokenizer.vocab_size",
      "tokenizer.character_coverage", "model.embedding_dim",
      "model.hidden_dim",        "model.encoder_layers",
      "model.decoder_layers",    "model.heads",
      "model.ff_dim",            "training.batch_tokens",
      "training.learning_rate",  "training.clip_norm",
      "training.validation_interval_steps", "training.checkpoint_interval_steps",
      "training.checkpoints_kept", "workers.min",
      "workers.max"};
  return kPaths.count(path) > 0;
}

// A map<string, string> field (JobSpec.labels): a mapping of plain values, each key once.
absl::Status FillStringMap(const YAML::Node& value, Message& msg, const FieldDescriptor* f,
                           const std::string& path, const std::string& filename) {
  const std::string where = Where(filename, value);
  if (!value.IsMap()) return TypeError(where, path, "a mapping of names to values", value);
  const Descriptor* entry_type = f->message_type();
  const FieldDescriptor* key_f = entry_type->FindFieldByName("key");
  const FieldDescriptor* value_f = entry_type->FindFieldByName("value");
  if (key_f->cpp_type() != FieldDescriptor::CPPTYPE_STRING ||
      value_f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", path, ": field type not supported in job files"));
  }
  std::map<std::string, std::string> seen;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string key_where = Where(filename, it->first);
    if (!it->first.IsScalar() || !it->second.IsScalar()) {
      return TypeError(key_where, path, "plain names and values", it->second);
    }
    const std::string& key = it->first.Scalar();
    if (auto [first, added] = seen.emplace(key, key_where); !added) {
      return absl::InvalidArgumentError(absl::StrCat(key_where, ": ", path, ".", key,
                                                     " is written twice (first at ",
                                                     first->second, ")"));
    }
    Message* entry = msg.GetReflection()->AddMessage(&msg, f);
    entry->GetReflection()->SetString(entry, key_f, key);
    entry->GetReflection()->SetString(entry, value_f, it->second.Scalar());
  }
  return absl::OkStatus();
}

absl::Status FillField(const YAML::Node& value, Message& msg, const FieldDescriptor* f,
                       const std::string& path, const std::string& filename,
                       JobFileMarks* marks) {
  const Reflection* r = msg.GetReflection();
  const std::string where = Where(filename, value);
  if (f->is_map()) return FillStringMap(value, msg, f, path, filename);
  if (f->is_repeated()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", path, ": lists are not supported"));
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!value.IsMap()) return TypeError(where, path, "a mapping", value);
    return FillMessage(value, *r->MutableMessage(&msg, f), path, filename, marks);
  }
  if (!value.IsScalar()) return TypeError(where, path, "a single value", value);
  const std::string& s = value.Scalar();
  if (ZeroMeansDefault(path)) {
    double number = 1;
    if (absl::SimpleAtod(s, &number) && number == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": ", path, ": 0 is not a value here; leave the field out for the default"));
    }
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(&msg, f, s);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b;
      if (!absl::SimpleAtob(s, &b)) return TypeError(where, path, "true or false", value);
      r->SetBool(&msg, f, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint64_t v;
      if (!absl::SimpleAtoi(s, &v) || v > std::numeric_limits<uint32_t>::max()) {
        return TypeError(where, path, "a whole number in [0, 4294967295]", value);
      }
      r->SetUInt32(&msg, f, static_cast<uint32_t>(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(s, &v)) return TypeError(where, path, "a whole number >= 0", value);
      r->SetUInt64(&msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(s, &v)) return TypeError(where, path, "a whole number", value);
      r->SetInt32(&msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(s, &v)) return TypeError(where, path, "a whole number", value);
      r->SetInt64(&msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(s, &v) || !std::isfinite(v)) {
        return TypeError(where, path, "a number", value);
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        r->SetFloat(&msg, f, static_cast<float>(v));
      } else {
        r->SetDouble(&msg, f, v);
      }
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", path, ": field type not supported in job files"));
  }
}

absl::Status FillMessage(const YAML::Node& node, Message& msg, const std::string& prefix,
                         const std::string& filename, JobFileMarks* marks) {
  const Descriptor* d = msg.GetDescriptor();
  std::map<std::string, std::string> seen;  // field -> where it was first written
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(filename, it->first), ": field names must be plain words"));
    }
    const std::string key = it->first.Scalar();
    const FieldDescriptor* f = d->FindFieldByName(key);
    if (f == nullptr) f = d->FindFieldByCamelcaseName(key);
    const std::string where = Where(filename, it->first);
    if (f == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unknown field '", key, "' in ", prefix.empty() ? "the job" : prefix,
          " (known: ", KnownFields(d), ")"));
    }
    const std::string path = prefix.empty() ? key : absl::StrCat(prefix, ".", f->name());
    if (auto [first, added] = seen.emplace(f->name(), where); !added) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", path, " is written twice (first at ",
                                                     first->second, ")"));
    }
    if (marks != nullptr) marks->where[path] = Where(filename, it->second);
    // "model.dropout: 0" must mean zero, not "use the default": remember it was set.
    TANDEM_RETURN_IF_ERROR(FillField(it->second, msg, f, path, filename, marks));
    const FieldDescriptor* set_flag = d->FindFieldByName(f->name() + "_set");
    if (set_flag != nullptr && set_flag->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      msg.GetReflection()->SetBool(&msg, set_flag, true);
    }
  }
  return absl::OkStatus();
}

bool IsAbsolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

// "upload:<sha256>" and "server:/path" (files the coordinator holds or has) stay as written.
void ResolveAgainst(const std::string& dir, std::string* path) {
  if (path->empty() || IsAbsolute(*path) || absl::StartsWith(*path, "upload:") ||
      absl::StartsWith(*path, "server:")) {
    return;
  }
  // "examples/../data/x" reads as "data/x" in messages and uploads.
  *path = std::filesystem::path(absl::StrCat(dir, "/", *path)).lexically_normal().string();
}

}  // namespace

std::vector<CorpusFileField<std::string>> CorpusFileFields(v1::CorpusSpec& c) {
  return {{"corpus.train_source", c.mutable_train_source()},
          {"corpus.train_target", c.mutable_train_target()},
          {"corpus.train_tsv", c.mutable_train_tsv()},
          {"corpus.valid_source", c.mutable_valid_source()},
          {"corpus.valid_target", c.mutable_valid_target()},
          {"corpus.valid_tsv", c.mutable_valid_tsv()}};
}

std::vector<CorpusFileField<const std::string>> CorpusFileFields(const v1::CorpusSpec& c) {
  return {{"corpus.train_source", &c.train_source()}, {"corpus.train_target", &c.train_target()},
          {"corpus.train_tsv", &c.train_tsv()},       {"corpus.valid_source", &c.valid_source()},
          {"corpus.valid_target", &c.valid_target()}, {"corpus.valid_tsv", &c.valid_tsv()}};
}

void ApplyDefaults(JobSpec& spec) {
  auto& c = *spec.mutable_corpus();
  if (c.max_words() == 0) c.set_max_words(kDefaultMaxWords);
  auto& t = *spec.mutable_tokenizer();
  if (t.vocab_size() == 0) t.set_vocab_size(kDefaultVocabSize);
  if (t.model_type().empty()) t.set_model_type("unigram");
  if (t.character_coverage() == 0) t.set_character_coverage(1.0f);
  auto& m = *spec.mutable_model();
  if (IsTransformer(m)) {
    // attention and cell do not apply and stay empty (ValidateSpec refuses them); ff_dim 0
    // stays 0 and means 4 * embedding_dim (resolved by model::ModelConfigFor), so that it
    // follows an embedding_dim chosen later by ChooseSizing.
    if (m.heads() == 0) m.set_heads(kDefaultHeads);
    if (m.positions().empty()) m.set_positions("sinusoidal");
  } else {
    if (m.attention().empty()) m.set_attention("bahdanau");
    if (m.cell().empty()) m.set_cell("gru");
  }
  if (m.embedding_dim() == 0) m.set_embedding_dim(kDefaultEmbeddingDim);
  if (m.hidden_dim() == 0) m.set_hidden_dim(kDefaultHiddenDim);
  if (m.encoder_layers() == 0) m.set_encoder_layers(1);
  if (m.decoder_layers() == 0) m.set_decoder_layers(1);
  if (!m.dropout_set() && m.dropout() == 0) m.set_dropout(kDefaultDropout);
  m.set_dropout_set(true);
  auto& tr = *spec.mutable_training();
  if (tr.batch_tokens() == 0) tr.set_batch_tokens(kDefaultBatchTokens);
  // A time budget alone bounds training; without one, one pass over the corpus.
  if (tr.max_steps() == 0 && tr.epochs() == 0 && tr.max_duration().empty()) tr.set_epochs(1);
  if (tr.learning_rate() == 0) tr.set_learning_rate(kDefaultLearningRate);
  if (tr.lr_schedule().empty()) tr.set_lr_schedule("constant");
  if (!tr.label_smoothing_set() && tr.label_smoothing() == 0) {
    tr.set_label_smoothing(kDefaultLabelSmoothing);
  }
  tr.set_label_smoothing_set(true);
  if (tr.clip_norm() == 0) tr.set_clip_norm(kDefaultClipNorm);
  // With a time budget, cadences left out stay 0: spaced over the budget instead of every so
  // many steps (training/training_loop.h).
  if (tr.validation_interval_steps() == 0 && tr.max_duration().empty()) {
    tr.set_validation_interval_steps(kDefaultValidationInterval);
  }
  if (tr.checkpoint_interval_steps() == 0 && tr.max_duration().empty()) {
    tr.set_checkpoint_interval_steps(kDefaultCheckpointInterval);
  }
  if (tr.checkpoints_kept() == 0) tr.set_checkpoints_kept(kDefaultCheckpointsKept);
  auto& w = *spec.mutable_workers();
  if (w.min() == 0) w.set_min(1);
  if (w.max() == 0) w.set_max(w.min());
}

namespace {

// Model sizes by training pairs kept: the vocabulary follows the data; the rest follows the
// data and the budget. Common NMT practice for recurrent models: small corpora want small
// vocabularies, narrow models and more dropout; large ones the reverse.
// warmup_steps: the Transformer's only (recurrent models train from a constant rate); Adam's
// early updates are too large for attention-only models without a warm-up, and longer
// training of wider models wants a longer one. learning_rate: the recurrent models'; a
// Transformer's peak is TransformerPeakRate of the row's d_model and warm-up instead.
struct SizeClass {
  uint64_t min_pairs;
  const char* range;
  uint32_t vocab_size, embedding_dim, hidden_dim;
  float dropout, learning_rate;
  uint32_t batch_tokens, warmup_steps;
};
constexpr SizeClass kSizeClasses[] = {
    {0, "under 10000", 2000, 128, 128, 0.3f, 1e-3f, 2048, 800},
    {10'000, "10000 to 100000", 8000, 256, 256, 0.2f, 5e-4f, 4096, 1000},
    {100'000, "100000 to 1000000", 16000, 512, 512, 0.1f, 3e-4f, 8192, 4000},
    {1'000'000, "1000000 or more", 32000, 512, 1024, 0.1f, 2e-4f, 8192, 4000},
};
constexpr int kSizeClassCount = static_cast<int>(sizeof(kSizeClasses) / sizeof(kSizeClasses[0]));
// A time budget under this trains one size smaller: on CPUs a smaller model that sees more of
// the data in the time does better.
constexpr absl::Duration kShortBudget = absl::Hours(1);

// A Transformer's peak learning rate, reached at the end of the warm-up: Vaswani et al.'s
// schedule at its peak, 1 / sqrt(d_model * warmup_steps) (0.0031 for d_model 128 and 800
// steps, 0.0020 for 256 and 1,000, 0.0007 for 512 and 4,000). Measured on the 30-minute
// quality benchmark (BENCHMARKS.md): at d_model 128, 0.003 after 800 steps beat 0.002 after
// 800 by 0.9 test BLEU and 0.001 after 400 by 5; recurrent rates leave it far short.
float TransformerPeakRate(const SizeClass& c) {
  return static_cast<float>(
      1.0 / std::sqrt(static_cast<double>(c.embedding_dim) * static_cast<double>(c.warmup_steps)));
}

constexpr const char* kSizingFields[] = {
    "tokenizer.vocab_size",   "model.embedding_dim",   "model.hidden_dim",
    "model.dropout",          "training.learning_rate", "training.batch_tokens",
    "training.warmup_steps",  "training.lr_schedule"};

void ClearField(JobSpec& spec, const std::string& field) {
  if (field == "tokenizer.vocab_size") spec.mutable_tokenizer()->set_vocab_size(0);
  if (field == "model.embedding_dim") spec.mutable_model()->set_embedding_dim(0);
  if (field == "model.hidden_dim") spec.mutable_model()->set_hidden_dim(0);
  if (field == "model.dropout") {
    spec.mutable_model()->set_dropout(0);
    spec.mutable_model()->set_dropout_set(false);
  }
  if (field == "training.learning_rate") spec.mutable_training()->set_learning_rate(0);
  if (field == "training.batch_tokens") spec.mutable_training()->set_batch_tokens(0);
  if (field == "training.warmup_steps") spec.mutable_training()->set_warmup_steps(0);
  if (field == "training.lr_schedule") spec.mutable_training()->clear_lr_schedule();
}

void SetField(JobSpec& spec, const std::string& field, const SizeClass& c) {
  if (field == "tokenizer.vocab_size") spec.mutable_tokenizer()->set_vocab_size(c.vocab_size);
  if (field == "model.embedding_dim") spec.mutable_model()->set_embedding_dim(c.embedding_dim);
  if (field == "model.hidden_dim") spec.mutable_model()->set_hidden_dim(c.hidden_dim);
  if (field == "model.dropout") {
    spec.mutable_model()->set_dropout(c.dropout);
    spec.mutable_model()->set_dropout_set(true);
  }
  if (field == "training.learning_rate") {
    spec.mutable_training()->set_learning_rate(
        IsTransformer(spec.model()) ? TransformerPeakRate(c) : c.learning_rate);
  }
  if (field == "training.batch_tokens") spec.mutable_training()->set_batch_tokens(c.batch_tokens);
  auto& tr = *spec.mutable_training();
  if (field == "training.warmup_steps") {
    // At most a tenth of a fixed number of steps, so that most of training runs at the peak
    // rate or after it.
    const uint64_t tenth = tr.max_steps() != 0 ? tr.max_steps() / 10 : c.warmup_steps;
    tr.set_warmup_steps(static_cast<uint32_t>(std::min<uint64_t>(c.warmup_steps, tenth)));
  }
  // Warm up, then decay: linearly to where a time budget runs out, else as 1 / sqrt(step).
  if (field == "training.lr_schedule") {
    tr.set_lr_schedule(tr.max_duration().empty() ? "inverse_sqrt" : "linear");
  }
}

std::string FieldValue(const JobSpec& spec, const std::string& field) {
  if (field == "tokenizer.vocab_size") return absl::StrCat(spec.tokenizer().vocab_size());
  if (field == "model.embedding_dim") return absl::StrCat(spec.model().embedding_dim());
  if (field == "model.hidden_dim") return absl::StrCat(spec.model().hidden_dim());
  if (field == "model.dropout") return absl::StrCat(spec.model().dropout());
  if (field == "training.learning_rate") return absl::StrCat(spec.training().learning_rate());
  if (field == "training.batch_tokens") return absl::StrCat(spec.training().batch_tokens());
  if (field == "training.warmup_steps") return absl::StrCat(spec.training().warmup_steps());
  if (field == "training.lr_schedule") return spec.training().lr_schedule();
  return "";
}

}  // namespace

std::vector<std::string> SizingLeftOut(const JobSpec& raw) {
  const bool transformer = IsTransformer(raw.model());
  if (raw.model().embedding_dim() != 0 || (!transformer && raw.model().hidden_dim() != 0)) {
    return {};
  }
  std::vector<std::string> out;
  for (const char* field : kSizingFields) {
    const std::string f = field;
    // The transformer has no hidden_dim: the table's embedding size is its d_model (the
    // feed-forward size follows as 4 * d_model); vocabulary, dropout, learning rate and batch
    // come from the same row as for the RNN, and it alone gets a warm-up and a decay.
    if (transformer && f == "model.hidden_dim") continue;
    const bool schedule = f == "training.warmup_steps" || f == "training.lr_schedule";
    if (!transformer && schedule) continue;
    // A constant rate has no warm-up to choose.
    if (f == "training.warmup_steps" && raw.training().lr_schedule() == "constant") continue;
    const bool left_out =
        (f == "tokenizer.vocab_size" && raw.tokenizer().vocab_size() == 0) ||
        f == "model.embedding_dim" || f == "model.hidden_dim" ||
        (f == "model.dropout" && !raw.model().dropout_set() && raw.model().dropout() == 0) ||
        (f == "training.learning_rate" && raw.training().learning_rate() == 0) ||
        (f == "training.batch_tokens" && raw.training().batch_tokens() == 0) ||
        (f == "training.warmup_steps" && raw.training().warmup_steps() == 0) ||
        (f == "training.lr_schedule" && raw.training().lr_schedule().empty());
    if (left_out) out.push_back(f);
  }
  return out;
}

std::vector<std::string> ChooseSizing(JobSpec& spec, const std::vector<std::string>& fields,
                                      uint64_t training_pairs) {
  if (fields.empty()) return {};
  int data = 0;
  while (data + 1 < kSizeClassCount && training_pairs >= kSizeClasses[data + 1].min_pairs) ++data;
  int model = data;
  bool short_budget = false;
  if (!spec.training().max_duration().empty()) {
    absl::StatusOr<absl::Duration> budget =
        ParseJobDuration("training.max_duration", spec.training().max_duration());
    short_budget = budget.ok() && *budget < kShortBudget && model > 0;
    if (short_budget) --model;
  }
  // A smaller model when the chosen one would not pass the spec's limits (a long sentence
  // limit with a large vocabulary can).
  for (;; --model) {
    JobSpec tried = spec;
    for (const std::string& f : fields) {
      SetField(tried, f, kSizeClasses[f == "tokenizer.vocab_size" ? data : model]);
    }
    if (ValidateSpec(tried).ok() || model == 0) {
      spec = std::move(tried);
      break;
    }
  }
  std::vector<std::string> lines;
  for (const std::string& f : fields) {
    std::string why = absl::StrCat(training_pairs, " training pairs (", kSizeClasses[data].range,
                                   ")");
    if (f != "tokenizer.vocab_size" && short_budget) {
      absl::StrAppend(&why, "; one size smaller for a time budget under an hour");
    }
    if (f == "training.warmup_steps" && spec.training().max_steps() != 0 &&
        spec.training().warmup_steps() < kSizeClasses[model].warmup_steps) {
      absl::StrAppend(&why, "; at most a tenth of training.max_steps");
    }
    if (f == "training.learning_rate" && IsTransformer(spec.model())) {
      absl::StrAppend(&why, "; a Transformer's peak, 1 / sqrt(d_model x ",
                      kSizeClasses[model].warmup_steps, " warm-up steps)");
    }
    if (f == "training.lr_schedule") {
      why = spec.training().max_duration().empty()
                ? "a Transformer warms up, then decays as 1 / sqrt(step)"
                : "a Transformer warms up, then decays to 0 where training.max_duration runs out";
    }
    lines.push_back(absl::StrCat(f, " ", FieldValue(spec, f), ": ", why));
  }
  return lines;
}

void ResetSizing(JobSpec& spec, const std::vector<std::string>& fields) {
  if (fields.empty()) return;
  for (const std::string& f : fields) ClearField(spec, f);
  ApplyDefaults(spec);
}

uint64_t ModelParameterBound(const v1::ModelSpec& m, uint32_t vocab_size) {
  if (IsTransformer(m)) {
    // Embeddings and the output layer, learned positions (at most 1024 per side), and per
    // layer up to two attentions (4e^2 + 4e), the feed-forward pair and three layer norms.
    const uint64_t v = vocab_size, e = m.embedding_dim();
    const uint64_t f = m.ff_dim() != 0 ? m.ff_dim() : 4 * e;
    const uint64_t layers = uint64_t{m.encoder_layers()} + m.decoder_layers();
    return 3 * v * e + v + 2 * 1024 * e + layers * (8 * e * e + 8 * e + 2 * e * f + f + 7 * e);
  }
  const uint64_t v = vocab_size, e = m.embedding_dim(), h = m.hidden_dim();
  const uint64_t gates = m.cell() == "lstm" ? 4 : 3;
  // Both embeddings; the output layer (at most [hidden; context; embedding] wide); per layer
  // a recurrent cell of 2h units over inputs of at most e + 2h (counted twice for the
  // encoder's two directions); the pre-output layer; attention and bridges.
  const uint64_t layers = uint64_t{m.encoder_layers()} * 2 + m.decoder_layers();
  return 2 * v * e + v * (4 * h + e + 1) + layers * gates * (2 * h) * (e + 4 * h + 2) +
         2 * h * (4 * h + e + 1) + 16 * h * h;
}

absl::StatusOr<absl::Duration> ParseJobDuration(const std::string& field,
                                                const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::Seconds(1) || d > absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", text,
                     "' is not a duration between 1s and a year (write e.g. 90s, 30m or 2h)"));
  }
  return d;
}

absl::Status CheckDuration(const std::string& field, const std::string& text) {
  if (text.empty()) return absl::OkStatus();
  return ParseJobDuration(field, text).status();
}

absl::Status CheckLabel(absl::string_view key, absl::string_view value) {
  auto lower_or_digit = [](char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c); };
  const bool key_ok =
      !key.empty() && key.size() <= kMaxLabelKeyBytes && lower_or_digit(key[0]) &&
      std::all_of(key.begin(), key.end(), [&](char c) {
        return lower_or_digit(c) || c == '.' || c == '_' || c == '/' || c == '-';
      });
  if (!key_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "labels: '", key, "' is not a label name (1 to ", kMaxLabelKeyBytes,
        " characters of a-z 0-9 . _ / -, beginning with a letter or digit)"));
  }
  if (value.size() > kMaxLabelValueBytes) {
    return absl::InvalidArgumentError(absl::StrCat("labels: the value of '", key, "' is ",
                                                   value.size(), " bytes; at most ",
                                                   kMaxLabelValueBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckLabels(const google::protobuf::Map<std::string, std::string>& labels) {
  if (labels.size() > kMaxLabels) {
    return absl::InvalidArgumentError(
        absl::StrCat("labels: ", labels.size(), " labels; at most ", kMaxLabels));
  }
  for (const auto& [key, value] : labels) TANDEM_RETURN_IF_ERROR(CheckLabel(key, value));
  return absl::OkStatus();
}

namespace {

absl::Status NotForArchitecture(const char* field, const char* architecture) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": does not apply to architecture ", architecture));
}

// model.* of architecture transformer but dropout (ValidateSpec). Layers
// go to 12 (8 for the RNN): a Transformer layer costs less than a recurrent one.
absl::Status ValidateTransformerSpec(const v1::ModelSpec& m) {
  // attention and cell describe the RNN: a value would be silently ignored.
  if (!m.attention().empty()) return NotForArchitecture("model.attention", "transformer");
  if (!m.cell().empty()) return NotForArchitecture("model.cell", "transformer");
  if (m.recompute_attention()) {
    return NotForArchitecture("model.recompute_attention", "transformer");
  }
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.embedding_dim", m.embedding_dim(), 1, 4096));
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.encoder_layers", m.encoder_layers(), 1, 12));
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.decoder_layers", m.decoder_layers(), 1, 12));
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.heads", m.heads(), 1, 64));
  if (m.embedding_dim() % m.heads() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model.heads: embedding_dim (", m.embedding_dim(),
                     ") must be divisible by heads (", m.heads(), ")"));
  }
  if (m.ff_dim() != 0) {
    TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.ff_dim", m.ff_dim(), 1, 16384));
  }
  TANDEM_RETURN_IF_ERROR(
      CheckOneOf("model.positions", m.positions(), {"sinusoidal", "learned"}));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSpec(const JobSpec& spec) {
  if (spec.name().size() > 128) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: at most 128 characters, got ", spec.name().size()));
  }
  const auto& c = spec.corpus();
  for (const auto& [field, code] : {std::pair<const char*, const std::string*>{
                                        "corpus.source_lang", &c.source_lang()},
                                    {"corpus.target_lang", &c.target_lang()}}) {
    if (code->size() > 32) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": at most 32 characters, got ", code->size()));
    }
  }
  for (const auto& [field, file] : CorpusFileFields(c)) {
    if (file->size() > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("corpus: a file name of at most 4096 bytes, got ", file->size()));
    }
  }
  const bool pair = !c.train_source().empty() || !c.train_target().empty();
  if (pair == !c.train_tsv().empty()) {
    return absl::InvalidArgumentError(
        "corpus: set either train_source and train_target, or train_tsv");
  }
  if (pair && (c.train_source().empty() || c.train_target().empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "corpus: ", c.train_source().empty() ? "train_source" : "train_target",
        " is missing (train_source and train_target go together)"));
  }
  const bool vpair = !c.valid_source().empty() || !c.valid_target().empty();
  if (vpair && !c.valid_tsv().empty()) {
    return absl::InvalidArgumentError(
        "corpus: set either valid_source and valid_target, or valid_tsv, not both");
  }
  if (vpair && (c.valid_source().empty() || c.valid_target().empty())) {
    return absl::InvalidArgumentError(
        "corpus: valid_source and valid_target must both be set");
  }
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("corpus.max_words", c.max_words(), 1, 1000));
  const auto& t = spec.tokenizer();
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("tokenizer.vocab_size", t.vocab_size(), 16, 64000));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("tokenizer.model_type", t.model_type(), {"unigram", "bpe"}));
  if (!(t.character_coverage() > 0 && t.character_coverage() <= 1)) {
    return RangeError("tokenizer.character_coverage", "(0, 1]", t.character_coverage());
  }
  const auto& m = spec.model();
  if (!m.architecture().empty()) {
    TANDEM_RETURN_IF_ERROR(
        CheckOneOf("model.architecture", m.architecture(), {"rnn", "transformer"}));
  }
  if (IsTransformer(m)) {
    TANDEM_RETURN_IF_ERROR(ValidateTransformerSpec(m));
  } else {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("model.attention", m.attention(),
                                      {"bahdanau", "luong_dot", "luong_general", "none"}));
    TANDEM_RETURN_IF_ERROR(CheckOneOf("model.cell", m.cell(), {"gru", "lstm"}));
    TANDEM_RETURN_IF_ERROR(
        CheckRange<uint32_t>("model.embedding_dim", m.embedding_dim(), 1, 4096));
    TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("model.hidden_dim", m.hidden_dim(), 1, 4096));
    TANDEM_RETURN_IF_ERROR(
        CheckRange<uint32_t>("model.encoder_layers", m.encoder_layers(), 1, 8));
    TANDEM_RETURN_IF_ERROR(
        CheckRange<uint32_t>("model.decoder_layers", m.decoder_layers(), 1, 8));
    // The transformer's fields would be silently ignored.
    if (m.heads() != 0) return NotForArchitecture("model.heads", "rnn");
    if (m.ff_dim() != 0) return NotForArchitecture("model.ff_dim", "rnn");
    if (!m.positions().empty()) return NotForArchitecture("model.positions", "rnn");
  }
  if (!(m.dropout() >= 0 && m.dropout() < 1)) {
    return RangeError("model.dropout", "[0, 1)", m.dropout());
  }
  // Each dimension may be in range and the model still not fit any worker: the total is
  // bounded too, before a worker tries to allocate it.
  const uint64_t params = ModelParameterBound(m, t.vocab_size());
  if (params > kMaxModelParameters) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: up to ", params, " parameters with tokenizer.vocab_size ", t.vocab_size(),
        ", embedding_dim ", m.embedding_dim(), ", hidden_dim ", m.hidden_dim(), " and ",
        m.encoder_layers(), "+", m.decoder_layers(), " layers; the limit is ",
        kMaxModelParameters, ": make the model smaller"));
  }
  const auto& tr = spec.training();
  TANDEM_RETURN_IF_ERROR(
      CheckRange<uint32_t>("training.batch_tokens", tr.batch_tokens(), 16, 1000000));
  if (tr.max_steps() == 0 && tr.epochs() == 0 && tr.max_duration().empty()) {
    return absl::InvalidArgumentError("training: set max_steps, epochs or max_duration");
  }
  TANDEM_RETURN_IF_ERROR(CheckDuration("training.max_duration", tr.max_duration()));
  if (!(tr.learning_rate() > 0 && tr.learning_rate() <= 10)) {
    return RangeError("training.learning_rate", "(0, 10]", tr.learning_rate());
  }
  TANDEM_RETURN_IF_ERROR(
      CheckRange<uint32_t>("training.warmup_steps", tr.warmup_steps(), 0, 10000000));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("training.lr_schedule", tr.lr_schedule(),
                                    {"constant", "inverse_sqrt", "linear"}));
  if (tr.lr_schedule() == "linear") {
    if (tr.max_steps() == 0 && tr.max_duration().empty()) {
      return absl::InvalidArgumentError(
          "training.lr_schedule: 'linear' decays to 0 at training.max_steps or where "
          "training.max_duration runs out: set one of them");
    }
    if (tr.max_steps() != 0 && tr.max_steps() <= tr.warmup_steps()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "training.lr_schedule: 'linear' needs max_steps (", tr.max_steps(),
          ") above warmup_steps (", tr.warmup_steps(), ")"));
    }
  }
  // Empty means fp32 and is left so (no default filled in): a spec stored before the field
  // existed stays byte-for-byte the same spec.
  if (!tr.gradient_wire().empty()) {
    TANDEM_RETURN_IF_ERROR(
        CheckOneOf("training.gradient_wire", tr.gradient_wire(), {"fp32", "bf16"}));
  }
  if (!(tr.label_smoothing() >= 0 && tr.label_smoothing() < 1)) {
    return RangeError("training.label_smoothing", "[0, 1)", tr.label_smoothing());
  }
  if (!(tr.clip_norm() > 0 && std::isfinite(tr.clip_norm()))) {
    return RangeError("training.clip_norm", "(0, inf)", tr.clip_norm());
  }
  TANDEM_RETURN_IF_ERROR(
      CheckRange<uint32_t>("training.checkpoints_kept", tr.checkpoints_kept(), 1, 100));
  // 0 is off; 1 would never move the average, and anything else is not a decay.
  if (!(tr.ema_decay() == 0 || (tr.ema_decay() > 0 && tr.ema_decay() < 1))) {
    return RangeError("training.ema_decay", "[0, 1) (0 = off)", tr.ema_decay());
  }
  const auto& w = spec.workers();
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("workers.min", w.min(), 1, 1024));
  if (w.max() < w.min()) {
    return absl::InvalidArgumentError(absl::StrCat("workers.max: ", w.max(),
                                                   " is below workers.min ", w.min()));
  }
  TANDEM_RETURN_IF_ERROR(CheckRange<uint32_t>("workers.max", w.max(), 1, 1024));
  TANDEM_RETURN_IF_ERROR(CheckDuration("workers.wait_timeout", w.wait_timeout()));
  return CheckLabels(spec.labels());
}

absl::StatusOr<JobSpec> ParseJobText(absl::string_view text, const std::string& filename,
                                     JobFileMarks* marks) {
  JobSpec spec;
  TANDEM_RETURN_IF_ERROR(MergeJobText(text, filename, spec, marks));
  return spec;
}

absl::Status LocateSpecError(const absl::Status& error, const JobFileMarks& marks) {
  if (error.ok()) return error;
  const absl::string_view message = error.message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return error;
  auto it = marks.where.find(std::string(message.substr(0, colon)));
  if (it == marks.where.end()) return error;
  return absl::Status(error.code(), absl::StrCat(it->second, ": ", message));
}

absl::Status ApplyOverride(const std::string& assignment, JobSpec& spec, JobFileMarks* marks) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--set ", assignment, ": expected path=value, e.g. training.max_steps=100"));
  }
  const std::string path = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  // Nested YAML for a.b.c: "a:\n  b:\n    c: 'value'" (single quotes, doubled inside).
  std::string yaml, indent;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--set ", assignment, ": empty field name"));
    }
    absl::StrAppend(&yaml, indent, key, ":");
    if (dot == std::string::npos) break;
    absl::StrAppend(&yaml, "\n");
    indent += "  ";
    start = dot + 1;
  }
  std::string quoted;
  for (char c : value) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  absl::StrAppend(&yaml, " '", quoted, "'\n");
  return MergeJobText(yaml, "--set " + path, spec, marks);
}

absl::Status MergeJobText(absl::string_view text, const std::string& filename, JobSpec& spec,
                          JobFileMarks* marks) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(filename, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat(filename, ": the job file is empty"));
  }
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(filename, root), ": a job file is a mapping of fields (corpus, "
                                            "tokenizer, model, training, workers)"));
  }
  return FillMessage(root, spec, "", filename, marks);
}

absl::StatusOr<JobSpec> ParseJobFile(const std::string& path, JobFileMarks* marks) {
  TANDEM_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1 << 20));
  TANDEM_ASSIGN_OR_RETURN(JobSpec spec, ParseJobText(text, path, marks));
  const size_t slash = path.rfind('/');
  const std::string dir = AbsolutePath(slash == std::string::npos ? "." : path.substr(0, slash));
  for (const auto& [field, file] : CorpusFileFields(*spec.mutable_corpus())) {
    ResolveAgainst(dir, file);
  }
  return spec;
}

std::string SpecToJson(const JobSpec& spec) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(spec, &out, opts);
  return out;
}

}  // namespace tandem
