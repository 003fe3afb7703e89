// One replica of the model: parameters, the fused Adam state, the step, and the gradient
// buffer through which replicas sum their gradients (DESIGN.md sections 3 and 4). The trainer
// feeds it batches from its data streams; bench/distributed feeds it R1's batches.
//
// Contract of Step(batches): each batch goes forward (dropout masks from its seed) and
// backward, its loss a SUM over target tokens; gradients accumulate as sums in one flat
// buffer laid out in buckets (collective::PlanBuckets). With a communicator of more than one
// rank, each bucket is all-reduced as soon as the last backward has produced all of its
// gradients, overlapping the rest of backward; the loss sum and the token count travel with
// them, in the layout's extra slot "loss_and_tokens" (with three or more streams, each stream's
// gradients are gathered and added in stream order instead: GradientExchange.streams). Then
// the sums are divided by the global token count, clipped by the global norm, and Adam
// (model::FlatAdam) steps, in one pass. Every replica applies the same update and holds the
// same bits. A failed all-reduce returns ABORTED and leaves
// parameters, Adam state and step as they were.
//
// With ema_decay > 0 the replica also keeps an exponential moving average of the parameters
// (Marian's --exponential-smoothing): after the update of step t (1-based), for every element,
// ema = d_t * ema + (1 - d_t) * param in float32 with d_t = min(ema_decay, (1 + t) / (10 + t))
// (Marian's warm-up). It starts as the initial parameters. The same arithmetic on the same bits
// gives every replica the same average; Synchronize hands it over with the parameters, and
// checkpoints keep it (as the model's weights, param/, with the training weights in train/:
// model/checkpoint.h), so a resumed run continues bit for bit.
//
// Torch-free header. Not thread-safe: one thread drives a Replica.
#ifndef TANDEM_TRAINING_REPLICA_H_
#define TANDEM_TRAINING_REPLICA_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/epoch_accounting.h"
#include "model/flat_adam.h"
#include "model/lr_schedule.h"
#include "model/model_config.h"

namespace tandem {

namespace collective {
class Communicator;
}  // namespace collective
namespace model {
struct Batch;
class Seq2SeqImpl;
}  // namespace model

// How a replica's gradients travel: the one place these defaults live (TrainerConfig carries
// one for its replica).
struct GradientExchange {
  // Gradient bucket size: a bucket's all-reduce starts once backward has filled it, so
  // smaller buckets start communication earlier and larger ones cost fewer operations
  // (4 MiB is what the R1-DP runs of BENCHMARKS.md use).
  size_t bucket_bytes = 4 << 20;
  // Deadline of each collective operation of a step (its buckets, synchronisation,
  // validation sums); a peer silent this long fails the step with ABORTED.
  std::chrono::milliseconds timeout{120000};
  // The job's training.gradient_wire is "bf16": gradient buckets travel as bfloat16 (the
  // step's loss and token sums in float32); every replica still ends with the same bits.
  bool bf16_wire = false;
  // The job's number of data streams (workers.max; 0: not a job's replica). With more than
  // two, and more than one rank, a step's gradients are not summed by the all-reduce, whose
  // order of addition follows the world (with three or more terms, float addition is not
  // associative): every rank gathers every stream's gradients, whole, and adds them in stream
  // order, as one process holding every stream does. So any number of workers ends with the
  // bits of one process. It costs about S / 2 times the all-reduce's bytes, without overlap
  // with backward, and ignores bf16_wire (training/README.md, "Stream order").
  int streams = 0;
};

struct ReplicaOptions {
  model::ModelConfig model;  // valid
  uint64_t seed = 0;         // initialisation
  model::AdamConfig adam;
  model::LrSchedule schedule;  // valid
  double clip_norm = 1.0;      // <= 0: no clipping
  double label_smoothing = 0.1;
  GradientExchange exchange;
  double ema_decay = 0;  // 0: no moving average; else in (0, 1) (training.ema_decay)
};

struct StepStats {
  int64_t step = 0;      // the update just applied (1-based)
  int64_t epoch = 0;     // epoch of the batch just used (0-based; set by the trainer)
  double loss = 0;       // global token-mean loss of this step
  int64_t tokens = 0;    // global target tokens of this step
  double grad_norm = 0;  // before clipping
  double learning_rate = 0;
  double seconds = 0;            // wall time of the step
  double compute_seconds = 0;    // forward + backward of this rank's batches
  double comm_wait_seconds = 0;  // waiting for the all-reduce after backward ended
  double comm_seconds = 0;       // the bucket all-reduces' own time (partly hidden)
  // Set by the trainer on the last step of an epoch (or of the job): what the epoch trained,
  // over every stream of the job (the same on every rank).
  std::optional<EpochAccount> epoch_account;
};

class Replica {
 public:
  static absl::StatusOr<std::unique_ptr<Replica>> Create(const ReplicaOptions& options);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // One batch of one data stream, and the seed of its dropout masks.
  struct Input {
    const model::Batch* batch = nullptr;
    uint64_t dropout_seed = 0;
    int stream = -1;  // the job's data stream it comes from (GradientExchange.streams)
  };
  // One update from this rank's batches (none is allowed: the rank then contributes zeros),
  // in increasing stream order. FAILED_PRECONDITION while a communicator is set but
  // Synchronize() has not succeeded; INVALID_ARGUMENT when the ordered sum is on
  // (GradientExchange.streams) and an input's stream is out of range or not increasing.
  absl::StatusOr<StepStats> Step(const std::vector<Input>& inputs);

  // Joins a new generation: `communicator` (not owned, nullptr = world of one) carries the
  // all-reduces from now on; with more than one rank, Synchronize() must follow.
  void SetCommunicator(collective::Communicator* communicator);
  bool distributed() const;

  // Collective: the ranks exchange their steps and one integer each (`proposal`); the lowest
  // rank among those with the highest step broadcasts its parameters, Adam state and step.
  // A failed exchange returns ABORTED (as a step's does) and leaves this replica as it was:
  // what the root sends is adopted only once all of it has arrived.
  struct Agreement {
    int root = 0;              // whose state was adopted
    int64_t max_proposal = 0;  // the largest proposal
  };
  absl::StatusOr<Agreement> Synchronize(int64_t proposal);

  // This rank and the world size (0 and 1 without a communicator).
  int rank() const;
  int world_size() const;

  // Collective: every rank passes the same number of values and gets, for each, the sum over
  // the ranks, added in rank order in double precision from the exact values (each travels as
  // its 64 bit pattern), so every rank holds the same bits. Without a communicator: `values`.
  // A failed exchange returns ABORTED.
  absl::StatusOr<std::vector<double>> SumOverRanks(const std::vector<double>& values);

  int64_t step() const;
  // Where a linear_decay schedule reaches 0 (model/lr_schedule.h; 0: not known yet). Every
  // rank must set the same value before the same step.
  void SetScheduleTotal(int64_t total_steps);
  const model::LrSchedule& schedule() const;
  // Parameters, Adam state and step, and the moving average when on (checkpoint files:
  // atomic; errors name the file and leave the replica as it was). With the average on, the
  // checkpoint's model weights (param/) are the average and train/ holds the training weights;
  // a checkpoint without train/ (an average that was off, or a file from before it existed)
  // loads its param/ as the training weights and starts the average from them.
  absl::Status Save(const std::string& path) const;
  absl::Status Load(const std::string& path);
  // Loads the checkpoint only if its step is past this replica's; returns whether it did.
  absl::StatusOr<bool> LoadIfNewer(const std::string& path);

  int64_t NumParameters() const;
  std::vector<float> FlatParameters() const;  // in the fixed parameter order
  // Of all parameter bits, and of the moving average's after them when it is on.
  uint64_t ParameterChecksum() const;

  // The moving average (training.ema_decay).
  bool has_ema() const;
  // The average, flat in the fixed parameter order; empty when off.
  std::vector<float> FlatEmaParameters() const;
  // Exchanges the model's parameters with the average (nothing when off), bit for bit: the
  // model then computes with the averaged weights (validation); a second call puts the training
  // weights back exactly. Step() refuses (FAILED_PRECONDITION) while they are exchanged; the
  // caller exchanges them back before anything else (Save, Load, Synchronize).
  void SwapEmaIntoModel();
  bool ema_in_model() const;
  model::Seq2SeqImpl& model();                // for decoding (eval mode is the caller's)

  struct Impl;

 private:
  explicit Replica(std::unique_ptr<Impl> impl);
  absl::StatusOr<bool> LoadArchive(const std::string& path, bool only_if_newer);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_TRAINING_REPLICA_H_
