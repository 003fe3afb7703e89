// The trainer: one replica and its data streams (DESIGN.md sections 3-5). The training loop
// (training/training_loop.h) drives it: the local mode (`tandem train --local`) with a world
// of one, a distributed worker with a communicator of its generation.
//
// Step() takes the batch of every stream of this rank that trains at this step and makes one
// update of the Replica (training/replica.h: gradient buckets that overlap backward, global token-mean, global
// norm clipping, fused Adam; a failed all-reduce returns ABORTED and changes nothing).
//
// Everything but (parameters, Adam state, step) is a function of the step: a stream's
// position (its plan of epoch e comes from (seed, e, stream id)) and the dropout masks (the
// generator is seeded from (seed, step, stream id) before each stream's forward).
//
// Epochs (data/epoch_accounting.h): epoch e lasts as many steps as the longest plan of epoch e
// over every stream of the job; a shorter stream's batches are spread evenly over the epoch
// (it contributes nothing at the other steps), so every pair is trained exactly once per
// epoch. The ranks agree on the epochs' lengths (Synchronize, then at the steps where more
// are needed), and the step that ends an epoch (or the job) carries the epoch's account
// (StepStats::epoch_account: pairs trained, distinct, twice or more, never), counted from the
// batches this rank trained and, for steps before a stream came to it, from the schedule. So a
// stream can move to another rank, and a replica can adopt another's state, with the
// training continuing exactly as if nothing had happened.
//
// Checkpoints hold parameters, Adam state and step, written atomically; a run resumed from
// one continues with the same losses as a run never stopped.
//
// With training.ema_decay the replica keeps a moving average of the parameters
// (training/replica.h): Validate() scores the averaged weights, and checkpoints (the final model
// too) carry them as the model's weights, the ones translation loads.
// Not thread-safe: one thread drives a Trainer.
#ifndef TANDEM_TRAINING_TRAINER_H_
#define TANDEM_TRAINING_TRAINER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inference/translator.h"
#include "tandem/v1/job.pb.h"
#include "training/replica.h"  // StepStats

namespace tandem {

struct TrainerConfig {
  tandem::v1::JobSpec spec;  // defaults applied, valid
  std::string source_model;  // SentencePiece models
  std::string target_model;
  // One data stream: the prepared TSV shards it cycles and its id (Assignment.streams).
  struct Stream {
    std::vector<std::string> shard_files;
    uint64_t id = 0;
  };
  // This rank's streams. A process given the streams of ranks 0..N-1 computes exactly the
  // update that N ranks compute together.
  std::vector<Stream> streams;
  std::string valid_file;               // prepared validation TSV ("" = none)
  uint32_t valid_bleu_sentences = 200;  // decoded for validation BLEU (0 = all)
  int threads = 2;
  // The generation's communicator (not owned; outlives its use; see SetCommunicator).
  // nullptr: a world of one.
  collective::Communicator* communicator = nullptr;
  GradientExchange exchange;  // bucket size and collective deadline
};

struct ValidationStats {
  double loss = 0;           // token-mean loss over the validation set
  double bleu = 0;           // greedy decoding, sacreBLEU-compatible
  int64_t sentences = 0;     // decoded for BLEU
  int64_t decoded_here = 0;  // of those, decoded by this rank (its share when distributed)
};

class Trainer {
 public:
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(TrainerConfig config);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // FAILED_PRECONDITION while a communicator is set but Synchronize() has not succeeded.
  absl::StatusOr<StepStats> Step();
  // Loss over the validation set and greedy BLEU over its first valid_bleu_sentences, with the
  // moving average's weights when training.ema_decay is on (the training weights are put back
  // bit for bit before it returns). With a communicator it is collective: every rank scores
  // 1/world of the batches and sentences and all get the same result (call it on every rank at
  // the same step).
  absl::StatusOr<ValidationStats> Validate();

  // Joins a new generation: `communicator` (not owned, nullptr = world of one) carries the
  // all-reduces from now on; Synchronize() must follow before the next Step().
  void SetCommunicator(collective::Communicator* communicator);
  // Replaces this rank's data streams (a new generation's assignment); streams already
  // loaded keep their pairs. They continue at the current step.
  absl::Status SetStreams(std::vector<TrainerConfig::Stream> streams);
  // Collective (every rank of the generation calls it): the ranks exchange their steps, and
  // the lowest rank among those with the highest step broadcasts its parameters, Adam state
  // and step to all. Fresh replicas all start from the job seed, so a new job's rank 0
  // initialises everyone; survivors of a failure hand their state to a joining worker with
  // no checkpoint involved. The ranks also agree on the epochs' lengths, and so on the last
  // step of an epoch limit. Returns the rank whose state was adopted (0 with a world of one).
  absl::StatusOr<int> Synchronize();

  // Collective (every rank calls it at the same step): the account of the epoch of the last
  // step so far, over every stream of the job; for a job that stops inside an epoch (its
  // deadline, early stopping). nullopt before the first step.
  absl::StatusOr<std::optional<EpochAccount>> EpochAccountSoFar();

  // True once max_steps updates or `epochs` passes over the corpus are done.
  bool Finished() const;
  // Collective (every rank calls it at the same step): whether any rank passed true. The
  // ranks use it to agree on decisions taken from their own clocks (training.max_duration).
  absl::StatusOr<bool> AnyRank(bool mine);
  // Collective: the sums over the ranks of `mine` (Replica::SumOverRanks: the same bits on
  // every rank).
  absl::StatusOr<std::vector<double>> SumOverRanks(const std::vector<double>& mine);
  // The step at which training is expected to end by its time budget (training.max_duration),
  // as the ranks agreed (0: not known); planned_steps() is that, or the last step of
  // max_steps or the epochs when earlier. A linear schedule reaches 0 there (at max_steps
  // before any estimate; without either it holds the base rate after warm-up). Every rank
  // must set the same value before the same step.
  void SetPlannedSteps(int64_t planned);
  int64_t planned_steps() const;
  int64_t step() const;
  // This rank and the world size of the current generation (0 and 1 without a communicator).
  int rank() const;
  int world_size() const;

  // Writes a checkpoint file atomically.
  absl::Status SaveCheckpoint(const std::string& path) const;
  // Restores a checkpoint written by SaveCheckpoint for the same model shape; a truncated
  // file or one of another shape is an error naming the file, and leaves the trainer as it was.
  absl::Status LoadCheckpoint(const std::string& path);
  // The same, only if the checkpoint's step is past this trainer's; returns whether it loaded.
  absl::StatusOr<bool> LoadCheckpointIfNewer(const std::string& path);

  // Decoding with the current training parameters (translations, alignments).
  inference::Translator& translator();

  // The number of parameters, and a checksum of all parameter bits (equal on all replicas).
  int64_t NumParameters() const;
  // Every parameter value, in the fixed parameter order (for comparing replicas).
  std::vector<float> FlatParameters() const;
  // The moving average of training.ema_decay in the same order (empty when off).
  std::vector<float> FlatEmaParameters() const;
  // Of the parameters, and of the moving average when it is on.
  uint64_t ParameterChecksum() const;

 private:
  struct Impl;
  explicit Trainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_TRAINING_TRAINER_H_
