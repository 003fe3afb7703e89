// A small real job for tests that train (training/, inference/): the toy corpus of
// test_util.h as both training and validation set, a tiny model, and the job prepared by
// data/preparer.h (real SentencePiece models, real shards). Header-only; a test using it links
// tandem_preparer, tandem_jobspec and tandem_trainer.
#ifndef TANDEM_TESTS_TESTING_TOY_JOB_H_
#define TANDEM_TESTS_TESTING_TOY_JOB_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "data/preparer.h"
#include "tandem/v1/job.pb.h"
#include "tests/testing/test_util.h"
#include "training/trainer.h"

namespace tandem::testing {

// Writes `lines` toy pairs (from `seed`) to dir/train.{en,es} and returns a spec that trains
// and validates on them with a 40-piece vocabulary and `dim`-wide embeddings and states. The
// caller sets the training fields it needs, then calls PrepareToyJob.
inline v1::JobSpec ToyJobSpec(const TempDir& dir, int lines, unsigned seed, int dim) {
  WriteToyCorpus(dir.path(), lines, seed);
  v1::JobSpec spec;
  spec.mutable_corpus()->set_train_source(dir.Join("train.en"));
  spec.mutable_corpus()->set_train_target(dir.Join("train.es"));
  spec.mutable_corpus()->set_valid_source(dir.Join("train.en"));
  spec.mutable_corpus()->set_valid_target(dir.Join("train.es"));
  spec.mutable_tokenizer()->set_vocab_size(40);
  spec.mutable_model()->set_embedding_dim(dim);
  spec.mutable_model()->set_hidden_dim(dim);
  return spec;
}

struct ToyJob {
  v1::JobSpec spec;     // defaults applied, valid
  std::string dir;      // the prepared job directory
  std::vector<std::string> shards;  // shard files, in shard order
  std::string source_model() const { return dir + "/tokenizer/source.model"; }
  std::string target_model() const { return dir + "/tokenizer/target.model"; }
  std::string valid_file() const { return dir + "/valid.tsv"; }

  // A one-thread trainer of `spec` with one data stream over all shards, validating on
  // the first `valid_bleu_sentences` sentences.
  TrainerConfig TrainerConfigFor(const v1::JobSpec& spec, uint32_t valid_bleu_sentences) const {
    TrainerConfig c;
    c.spec = spec;
    c.source_model = source_model();
    c.target_model = target_model();
    c.streams = {{shards, 0}};
    c.valid_file = valid_file();
    c.valid_bleu_sentences = valid_bleu_sentences;
    c.threads = 1;
    return c;
  }
};

// Applies defaults to `spec`, validates it and prepares it under `job_dir`.
inline absl::StatusOr<ToyJob> PrepareToyJob(v1::JobSpec spec, const std::string& job_dir) {
  ApplyDefaults(spec);
  TANDEM_RETURN_IF_ERROR(ValidateSpec(spec));
  TANDEM_ASSIGN_OR_RETURN(PreparedJob prepared, PrepareJob(spec, job_dir));
  ToyJob job{std::move(spec), job_dir, {}};
  for (const auto& s : prepared.shards) {
    TANDEM_ASSIGN_OR_RETURN(std::string path, ArtifactPath(job_dir, ShardArtifactName(s.index())));
    job.shards.push_back(std::move(path));
  }
  return job;
}

}  // namespace tandem::testing

#endif  // TANDEM_TESTS_TESTING_TOY_JOB_H_
