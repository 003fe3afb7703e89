// Gradient buckets: tensors (and a few named extra slots) packed in a fixed order into flat
// buckets of about N bytes, each all-reduced on a background thread as soon as all of its
// entries are marked ready, so communication overlaps the rest of backward. Torch-free: works
// on float spans.
#ifndef TANDEM_COLLECTIVE_BUCKETING_H_
#define TANDEM_COLLECTIVE_BUCKETING_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collective/communicator.h"

namespace tandem::collective {

// A run of elements of the flat buffer.
struct Span {
  size_t offset = 0;
  size_t size = 0;
};

// Floats that travel with the gradients but are no tensor's, e.g. {"loss_and_tokens", 2}.
struct ExtraSlot {
  std::string name;
  size_t size = 0;
};

// Where each tensor and extra slot lives in one flat float buffer, and how that buffer is cut
// into buckets. Callers ask for spans (params(), slot(name), offsets); the packing order is the
// planner's: tensors in REVERSE order (the last tensor at offset 0, in bucket 0), because
// backward produces the gradients of the last layers first, so bucket 0 fills first; then the
// extra slots, in the order given, at the end (in the last bucket). A bucket closes once it
// holds at least bucket_bytes; a tensor is never split, so one larger than bucket_bytes gets a
// bucket of its own. Empty tensors belong to the bucket open at the time.
struct BucketLayout {
  struct Bucket {
    size_t begin = 0;  // element range in the flat buffer
    size_t end = 0;
    std::vector<int> tensors;
    std::vector<int> slots;  // indices into `slots`
  };
  struct Slot {
    std::string name;
    Span span;
    int bucket = 0;
  };
  std::vector<size_t> offsets;  // per tensor, in elements
  std::vector<int> bucket_of;   // per tensor
  std::vector<Slot> slots;      // per extra slot, in the order given
  std::vector<Bucket> buckets;
  size_t total = 0;  // elements

  // The span every tensor lies in (contiguous, no extra slot inside).
  Span params() const;
  // The span of extra slot `name`; NOT_FOUND if there is none.
  absl::StatusOr<Span> slot(absl::string_view name) const;
};

BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes, size_t bucket_bytes);
BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes,
                         const std::vector<ExtraSlot>& extra_slots, size_t bucket_bytes);

// Owns the flat buffer and a background thread. Per round (one training step):
//   Begin(deadline) -> write gradients into tensor_data(i) and MarkReady(i) for every tensor,
//   and MarkSlotReady(name) for every extra slot (any thread, any order) -> WaitAll().
// Buckets are all-reduced in bucket order, one operation each, so every rank issues the same
// operations in the same order (the communicator numbers them). Not thread-safe except
// MarkReady and MarkSlotReady.
class GradientBuckets {
 public:
  GradientBuckets(Communicator* communicator, BucketLayout layout);
  ~GradientBuckets();

  const BucketLayout& layout() const { return layout_; }
  float* data() { return flat_.data(); }
  float* tensor_data(int tensor) { return flat_.data() + layout_.offsets.at(tensor); }

  // Starts a round. FAILED_PRECONDITION while the previous round is unfinished. bf16_wire:
  // the tensors' gradients travel as bfloat16 (OpOptions::bf16_wire), the extra slots still
  // in float32 (the bucket holding them takes two operations: its tensors, then its slots).
  absl::Status Begin(Clock::time_point deadline, bool bf16_wire = false);
  // Tensor `tensor`'s gradient is in place; its bucket starts once complete. INVALID_ARGUMENT
  // for an unknown tensor, one marked twice, or outside a round.
  absl::Status MarkReady(int tensor);
  // The same for extra slot `name`.
  absl::Status MarkSlotReady(absl::string_view name);
  // Waits until every bucket is reduced (or skipped after an error); returns the first error.
  // An entry never marked ready ends the round with DEADLINE_EXCEEDED at the deadline.
  absl::Status WaitAll();
  // The summed durations of the current (or last) round's bucket all-reduces, each from its
  // start to its end: the communication time, whether or not it overlapped backward.
  double round_op_seconds();

 private:
  void Loop();
  absl::Status MarkEntryReady(size_t entry, int bucket, absl::string_view what);

  Communicator* communicator_;
  const BucketLayout layout_;
  std::vector<float> flat_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool in_round_ = false;
  bool stop_ = false;
  Clock::time_point deadline_;
  bool bf16_wire_ = false;
  std::vector<bool> entry_ready_;  // tensors, then extra slots
  std::vector<size_t> missing_;    // per bucket: entries not yet ready
  size_t next_bucket_ = 0;         // the background thread's progress in this round
  double op_seconds_ = 0;
  absl::Status error_;
  std::thread thread_;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_BUCKETING_H_
