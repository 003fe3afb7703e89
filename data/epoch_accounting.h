// Epochs over a job's data streams, and what each epoch trained (torch-free).
//
// A job has a fixed set of data streams (Assignment.streams); every stream reshuffles its
// pairs into a batch plan per epoch, from (seed, epoch, stream), and stream s's plan of epoch e
// has n(s, e) batches. Streams differ in size and so in n(s, e). An epoch of the job is one pass
// over every stream:
//   - epoch e lasts L(e) = max over the streams of n(s, e) steps, from step G(e) = L(0) + ... +
//     L(e - 1) (0-based: the step whose update uses the epoch's first batches);
//   - a stream with n batches in an epoch of L steps trains its batch j at step
//     G(e) + floor(j L / n): the longest streams train a batch at every step, shorter ones are
//     spread evenly over the epoch and contribute nothing at the other steps.
// So every pair is trained exactly once per epoch, and where a batch is trained depends only on
// the data (never on which rank holds the stream, nor on how many ranks there are).
//
// EpochSchedule holds the lengths L(e) the ranks agreed on; PairLedger counts how often each
// pair of one stream was trained in one epoch; EpochAccount is what an epoch trained, summed
// over streams (DescribeEpochAccount: the text of the job's "epoch_end" event).
#ifndef TANDEM_DATA_EPOCH_ACCOUNTING_H_
#define TANDEM_DATA_EPOCH_ACCOUNTING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem {

// What one epoch trained (of one stream, or summed over streams with +=).
struct EpochAccount {
  int64_t epoch = 0;        // 0-based
  int64_t first_step = 0;   // the epoch's first step (0-based, G(e))
  int64_t end_step = 0;     // one past the last step counted (G(e + 1) for a whole epoch)
  int64_t epoch_steps = 0;  // L(e): the steps of the whole epoch
  int64_t pairs = 0;        // sentence pairs in the streams counted
  int64_t trained = 0;      // pair trainings (a pair trained twice counts twice)
  int64_t distinct = 0;     // pairs trained at least once
  int64_t repeated = 0;     // pairs trained twice or more
  int64_t never = 0;        // pairs not trained

  // The whole epoch was counted (not a job's last, partial one).
  bool complete() const { return end_step == first_step + epoch_steps; }
  // Every pair exactly once: a complete epoch that trained each pair once.
  bool exactly_once() const {
    return complete() && repeated == 0 && never == 0 && distinct == pairs && trained == pairs;
  }
  // Adds the counts of `other` (another stream of the same epoch).
  EpochAccount& operator+=(const EpochAccount& other);
  bool operator==(const EpochAccount& o) const;

  // The counts as doubles (exact below 2^53), for a sum over ranks, and back.
  std::vector<double> Counts() const;
  static constexpr size_t kCounts = 5;
  void SetCounts(const std::vector<double>& counts);
};

// "epoch 3 (steps 121-160 of 121-160): 1200 pairs, 1200 trained once, 0 twice or more, 0 never
// (1200 trainings)"; steps are 1-based as in progress reports (an update's step number).
std::string DescribeEpochAccount(const EpochAccount& a);

class EpochSchedule {
 public:
  // Appends the length L of the next epoch (>= 1).
  void Append(int64_t length);
  void Clear();
  // Epochs whose lengths are known.
  int64_t known_epochs() const { return static_cast<int64_t>(lengths_.size()); }
  // G(e) for e <= known_epochs().
  int64_t Start(int64_t e) const { return starts_[static_cast<size_t>(e)]; }
  int64_t Length(int64_t e) const { return lengths_[static_cast<size_t>(e)]; }
  // The step at which the known epochs end (G(known_epochs())).
  int64_t end() const { return starts_.back(); }
  // The epoch of `step` (0-based), or -1 when it lies past the known epochs.
  int64_t EpochOf(int64_t step) const;

  // Of a stream with `batches` batches in an epoch of `length` steps (1 <= batches <= length):
  // the batch it trains at `offset` steps into the epoch, if any.
  static std::optional<int64_t> BatchAt(int64_t offset, int64_t batches, int64_t length);
  // The number of its batches trained at offsets before `offset` (0 <= offset <= length).
  static int64_t BatchesBefore(int64_t offset, int64_t batches, int64_t length);

 private:
  std::vector<int64_t> lengths_;
  std::vector<int64_t> starts_ = {0};
};

// How often each pair of one stream was trained in one epoch.
class PairLedger {
 public:
  PairLedger() = default;
  explicit PairLedger(size_t pairs) : counts_(pairs, 0) {}
  size_t pairs() const { return counts_.size(); }
  void Clear();
  // Counts the pairs of one batch (indices below pairs()), or takes them back.
  void Add(const std::vector<uint32_t>& batch);
  void Remove(const std::vector<uint32_t>& batch);
  // pairs, trained, distinct, repeated, never (the step fields are left 0).
  EpochAccount Account() const;

 private:
  std::vector<uint32_t> counts_;
};

}  // namespace tandem

#endif  // TANDEM_DATA_EPOCH_ACCOUNTING_H_
