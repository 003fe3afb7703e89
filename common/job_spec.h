// Job specifications: defaults, validation, and job files (YAML or JSON) mapped onto the
// JobSpec message field by field. The coordinator and the client both use this, so a bad job
// file is refused on the user's machine with the same message the coordinator would give.
#ifndef TANDEM_COMMON_JOB_SPEC_H_
#define TANDEM_COMMON_JOB_SPEC_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// Documented defaults (also in the .proto comments).
inline constexpr uint32_t kDefaultVocabSize = 8000;
inline constexpr uint32_t kDefaultMaxWords = 100;
inline constexpr uint32_t kDefaultEmbeddingDim = 256;
inline constexpr uint32_t kDefaultHiddenDim = 256;
inline constexpr uint32_t kDefaultHeads = 4;  // model.architecture transformer
inline constexpr float kDefaultDropout = 0.1f;
inline constexpr uint32_t kDefaultBatchTokens = 4096;
inline constexpr float kDefaultLearningRate = 3e-4f;
inline constexpr float kDefaultLabelSmoothing = 0.1f;
inline constexpr float kDefaultClipNorm = 1.0f;
inline constexpr uint32_t kDefaultValidationInterval = 500;
inline constexpr uint32_t kDefaultCheckpointInterval = 1000;
inline constexpr uint32_t kDefaultCheckpointsKept = 3;

// The corpus's file fields with their paths ("corpus.train_source", ...), always in this
// order: train_source, train_target, train_tsv, valid_source, valid_target, valid_tsv.
template <class String>
struct CorpusFileField {
  const char* path;
  String* value;
};
std::vector<CorpusFileField<std::string>> CorpusFileFields(tandem::v1::CorpusSpec& corpus);
std::vector<CorpusFileField<const std::string>> CorpusFileFields(
    const tandem::v1::CorpusSpec& corpus);

// Fills every unset (zero) field with its documented default. Idempotent.
void ApplyDefaults(tandem::v1::JobSpec& spec);

// Sizing from the corpus: a job that leaves out its model's size (model.embedding_dim and
// model.hidden_dim) gets that size, and whichever of tokenizer.vocab_size, model.dropout,
// training.learning_rate and training.batch_tokens it also leaves out, chosen by the
// preparation from the training pairs kept and the time budget (the table in job_spec.cc,
// documented in the README). A job that gives its model's size keeps the fixed defaults.
//
// The fields of `raw` (as written, before ApplyDefaults) to choose; empty when the job gives
// its model's size.
std::vector<std::string> SizingLeftOut(const tandem::v1::JobSpec& raw);
// Sets the fields in `fields` (SizingLeftOut's) for `training_pairs` and the spec's
// max_duration; returns one line per field: what was chosen and why. The result passes
// ValidateSpec when `spec` did.
std::vector<std::string> ChooseSizing(tandem::v1::JobSpec& spec,
                                      const std::vector<std::string>& fields,
                                      uint64_t training_pairs);
// Puts the fields back at their defaults (a prepared job's spec as it was submitted).
void ResetSizing(tandem::v1::JobSpec& spec, const std::vector<std::string>& fields);

// The most parameters a job's model may have (4 GB in float32; with Adam's two moments and
// the gradients about 16 GB on a worker).
inline constexpr uint64_t kMaxModelParameters = 1'000'000'000;

// An upper bound on the parameters of a model of `m` with vocabularies of `vocab_size`
// (generous: it counts a bidirectional encoder and the widest output layer).
uint64_t ModelParameterBound(const tandem::v1::ModelSpec& m, uint32_t vocab_size);

// Checks every field against its allowed range after defaults, string fields against their
// length limits and the model's total size against kMaxModelParameters; the error names the
// field (e.g. "training.learning_rate: must be in (0, 10], got -1"). Does not touch the
// filesystem.
absl::Status ValidateSpec(const tandem::v1::JobSpec& spec);

// A job field's duration ("90s", "30m", "2h"; 1s to a year); the error names `field`.
absl::StatusOr<absl::Duration> ParseJobDuration(const std::string& field,
                                                const std::string& text);
// ParseJobDuration's check; "" (no limit) is fine.
absl::Status CheckDuration(const std::string& field, const std::string& text);

// Job labels (JobSpec.labels): how many, and what a key and a value may be.
inline constexpr size_t kMaxLabels = 32;
inline constexpr size_t kMaxLabelKeyBytes = 63;
inline constexpr size_t kMaxLabelValueBytes = 256;
// One label; the error begins "labels: " and names the key.
absl::Status CheckLabel(absl::string_view key, absl::string_view value);
absl::Status CheckLabels(const google::protobuf::Map<std::string, std::string>& labels);

// Where each field of a job came from: "job.yaml:4:3" for a field of a job file, "--set
// training.max_steps" for an override; keyed by field path ("training.max_steps").
struct JobFileMarks {
  std::map<std::string, std::string> where;
};

// `error` (from ValidateSpec, whose messages begin with the field's path) with the place the
// field was written prepended when `marks` knows it: "job.yaml:7:19: training.learning_rate:
// must be in (0, 10], got -1".
absl::Status LocateSpecError(const absl::Status& error, const JobFileMarks& marks);

// Parses a job file's text (YAML, or JSON, which is YAML's flow style). `filename` is used in
// messages: "job.yaml:4:3: unknown field 'atention' in model (known: ...)". Unknown fields,
// wrong types and out-of-range numbers are errors. Does not apply defaults.
// A field written twice in one mapping, and an explicit 0 for a field whose 0 only means
// "the default" (training.batch_tokens: 0), are errors too. `marks`, if set, receives where
// each field was written.
absl::StatusOr<tandem::v1::JobSpec> ParseJobText(absl::string_view text,
                                                  const std::string& filename,
                                                  JobFileMarks* marks = nullptr);

// Like ParseJobText, but sets the fields found in `text` on an existing spec, leaving the
// others as they are (used for command-line overrides such as training.max_steps=100).
absl::Status MergeJobText(absl::string_view text, const std::string& filename,
                          tandem::v1::JobSpec& spec, JobFileMarks* marks = nullptr);

// Applies one "dotted.path=value" override (the CLI's --set).
absl::Status ApplyOverride(const std::string& assignment, tandem::v1::JobSpec& spec,
                           JobFileMarks* marks = nullptr);

// Reads and parses a job file. Relative corpus paths are resolved against the file's directory.
absl::StatusOr<tandem::v1::JobSpec> ParseJobFile(const std::string& path,
                                                  JobFileMarks* marks = nullptr);

// The spec as JSON (proto field names), for --json output.
std::string SpecToJson(const tandem::v1::JobSpec& spec);

}  // namespace tandem

#endif  // TANDEM_COMMON_JOB_SPEC_H_
