// Gradient buckets: tensors packed in a fixed order into flat buckets of about N bytes, each
// all-reduced on a background thread as soon as all of its tensors are marked ready, so
// communication overlaps the rest of backward. Torch-free: works on float spans.
#ifndef TANDEM_COLLECTIVE_BUCKETING_H_
#define TANDEM_COLLECTIVE_BUCKETING_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "collective/communicator.h"

namespace tandem::collective {

// Where each tensor lives in one flat float buffer, and how that buffer is cut into buckets.
// Tensors are packed in REVERSE order (the last tensor at offset 0, in bucket 0): backward
// produces the gradients of the last layers first, so bucket 0 fills first. A bucket closes
// once it holds at least bucket_bytes; a tensor is never split, so one larger than
// bucket_bytes gets a bucket of its own. Empty tensors belong to the bucket open at the time.
struct BucketLayout {
  struct Bucket {
    size_t begin = 0;  // element range in the flat buffer
    size_t end = 0;
    std::vector<int> tensors;
  };
  std::vector<size_t> offsets;  // per tensor, in elements
  std::vector<int> bucket_of;   // per tensor
  std::vector<Bucket> buckets;
  size_t total = 0;             // elements
};

BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes, size_t bucket_bytes);

// Owns the flat buffer and a background thread. Per round (one training step):
//   Begin(sequence, deadline) -> write gradients into tensor_data(i) and MarkReady(i) for
//   every tensor (any thread, any order) -> WaitAll().
// Buckets are all-reduced in bucket order with sequences first_sequence + bucket index, so
// every rank issues the same operations in the same order. Not thread-safe except MarkReady.
class GradientBuckets {
 public:
  GradientBuckets(Communicator* communicator, BucketLayout layout);
  ~GradientBuckets();

  const BucketLayout& layout() const { return layout_; }
  float* data() { return flat_.data(); }
  float* tensor_data(int tensor) { return flat_.data() + layout_.offsets.at(tensor); }

  // Starts a round. FAILED_PRECONDITION while the previous round is unfinished.
  absl::Status Begin(uint64_t first_sequence, Clock::time_point deadline,
                     bool bf16_wire = false);
  // Tensor `tensor`'s gradient is in place; its bucket starts once complete. INVALID_ARGUMENT
  // for an unknown tensor, one marked twice, or outside a round.
  absl::Status MarkReady(int tensor);
  // Waits until every bucket is reduced (or skipped after an error); returns the first error.
  // A tensor never marked ready ends the round with DEADLINE_EXCEEDED at the deadline.
  absl::Status WaitAll();
  // The summed durations of the current (or last) round's bucket all-reduces, each from its
  // start to its end: the communication time, whether or not it overlapped backward.
  double round_op_seconds();

 private:
  void Loop();

  Communicator* communicator_;
  const BucketLayout layout_;
  std::vector<float> flat_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool in_round_ = false;
  bool stop_ = false;
  uint64_t first_sequence_ = 0;
  Clock::time_point deadline_;
  bool bf16_wire_ = false;
  std::vector<bool> tensor_ready_;
  std::vector<size_t> missing_;  // per bucket: tensors not yet ready
  size_t next_bucket_ = 0;       // the background thread's progress in this round
  double op_seconds_ = 0;
  absl::Status error_;
  std::thread thread_;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_BUCKETING_H_
