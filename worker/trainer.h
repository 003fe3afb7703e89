// The trainer: one replica's training loop over its shards (DESIGN.md section 3). The local
// mode (`tandem-local train`) runs it with a world of one; a distributed worker passes a
// gradient all-reduce. Contract of Step():
//   forward + backward on this rank's next token-budgeted batch (loss as a SUM over target
//   tokens), then the gradients, the loss sum and the token count are summed over all ranks
//   (`all_reduce`, if given), divided by the global token count, clipped by the global norm,
//   and Adam steps. Every replica therefore applies the same update. A failed all-reduce
//   returns ABORTED and leaves the parameters as they were before the step.
// Checkpoints hold parameters, optimizer state, step, data position and RNG state, written
// atomically; a run resumed from one continues with the same losses as a run never stopped.
// Not thread-safe: one thread drives a Trainer.
#ifndef TANDEM_WORKER_TRAINER_H_
#define TANDEM_WORKER_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

struct TrainerConfig {
  tandem::v1::JobSpec spec;         // defaults applied, valid
  std::string source_model;         // SentencePiece models
  std::string target_model;
  std::vector<std::string> shard_files;  // prepared TSV shards this rank trains on
  uint64_t shard_id = 0;                 // mixes into the shuffling seed
  // Further data streams whose batches join the same update (gradient accumulation). With the
  // shards and ids of ranks 1..N-1 this process computes exactly the update N ranks would.
  struct Stream {
    std::vector<std::string> shard_files;
    uint64_t shard_id = 0;
  };
  std::vector<Stream> more_streams;
  std::string valid_file;                // prepared validation TSV ("" = none)
  uint32_t valid_bleu_sentences = 200;   // decoded for validation BLEU (0 = all)
  int threads = 2;
  // Sums `count` floats over all ranks in place; empty for a world of one.
  std::function<absl::Status(float* data, size_t count)> all_reduce;
};

struct StepStats {
  int64_t step = 0;        // the update just applied (1-based)
  int64_t epoch = 0;       // epoch of the batch just used (0-based)
  double loss = 0;         // global token-mean loss of this step
  int64_t tokens = 0;      // global target tokens of this step
  double grad_norm = 0;    // before clipping
  double learning_rate = 0;
  double seconds = 0;      // wall time of the step
};

struct ValidationStats {
  double loss = 0;         // token-mean loss over the validation set
  double bleu = 0;         // greedy decoding, sacreBLEU-compatible
  int64_t sentences = 0;   // decoded for BLEU
};

// Early stopping on validation BLEU (training.early_stopping_patience; 0 = never).
class EarlyStopping {
 public:
  explicit EarlyStopping(uint32_t patience) : patience_(patience) {}
  // Records one validation; true when `patience` validations in a row brought no
  // improvement over the best BLEU so far.
  bool ShouldStop(double bleu) {
    if (bleu > best_) {
      best_ = bleu;
      bad_ = 0;
      return false;
    }
    return patience_ > 0 && ++bad_ >= patience_;
  }
  uint32_t bad_validations() const { return bad_; }

 private:
  uint32_t patience_;
  double best_ = -1;
  uint32_t bad_ = 0;
};

class Trainer {
 public:
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(TrainerConfig config);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  absl::StatusOr<StepStats> Step();
  absl::StatusOr<ValidationStats> Validate();

  // True once max_steps updates or `epochs` passes are done.
  bool Finished() const;
  int64_t step() const;

  // Writes a checkpoint file atomically.
  absl::Status SaveCheckpoint(const std::string& path) const;
  // Restores a checkpoint written by SaveCheckpoint for the same model shape; a truncated
  // file or one of another shape is an error naming the file, and leaves the trainer as it was.
  absl::Status LoadCheckpoint(const std::string& path);

  // Translates sentences with the current parameters (greedy if beam_size <= 1).
  absl::StatusOr<std::vector<std::string>> Translate(const std::vector<std::string>& sentences,
                                                     int beam_size);

  // Translates one sentence (greedy) and returns the subwords on both sides with the
  // attention weights [target piece][source piece] (the source side ends with "</s>").
  struct Alignment {
    std::vector<std::string> source_pieces, target_pieces;
    std::vector<std::vector<float>> weights;
    std::string translation;
  };
  absl::StatusOr<Alignment> Attention(const std::string& sentence);

  // The number of parameters, and a checksum of all parameter bits (equal on all replicas).
  int64_t NumParameters() const;
  // Every parameter value, in the fixed parameter order (for comparing replicas).
  std::vector<float> FlatParameters() const;
  uint64_t ParameterChecksum() const;

 private:
  struct Impl;
  explicit Trainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_TRAINER_H_
