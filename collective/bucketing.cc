#include "collective/bucketing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace tandem::collective {

Span BucketLayout::params() const {
  // Tensors are packed first, so they end where the first extra slot begins.
  return Span{0, slots.empty() ? total : slots.front().span.offset};
}

absl::StatusOr<Span> BucketLayout::slot(absl::string_view name) const {
  for (const Slot& s : slots) {
    if (s.name == name) return s.span;
  }
  return absl::NotFoundError(absl::StrCat("no extra slot '", name, "' in the bucket layout"));
}

BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes, size_t bucket_bytes) {
  return PlanBuckets(tensor_sizes, {}, bucket_bytes);
}

BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes,
                         const std::vector<ExtraSlot>& extra_slots, size_t bucket_bytes) {
  BucketLayout layout;
  const int n = static_cast<int>(tensor_sizes.size());
  layout.offsets.assign(n, 0);
  layout.bucket_of.assign(n, 0);
  size_t offset = 0;
  // Appends `size` elements to the open bucket (opening one first if it is full); returns the
  // bucket's index.
  auto place = [&](size_t size) {
    if (layout.buckets.empty() ||
        (layout.buckets.back().end - layout.buckets.back().begin) * sizeof(float) >= bucket_bytes) {
      layout.buckets.push_back(BucketLayout::Bucket{offset, offset, {}, {}});
    }
    offset += size;
    layout.buckets.back().end = offset;
    return static_cast<int>(layout.buckets.size()) - 1;
  };
  for (int i = n - 1; i >= 0; --i) {  // reverse: see BucketLayout
    const size_t begin = offset;
    const int b = place(tensor_sizes[i]);
    layout.offsets[i] = begin;
    layout.bucket_of[i] = b;
    layout.buckets[b].tensors.push_back(i);
  }
  for (const ExtraSlot& extra : extra_slots) {
    const size_t begin = offset;
    const int b = place(extra.size);
    layout.buckets[b].slots.push_back(static_cast<int>(layout.slots.size()));
    layout.slots.push_back(BucketLayout::Slot{extra.name, Span{begin, extra.size}, b});
  }
  layout.total = offset;
  return layout;
}

GradientBuckets::GradientBuckets(Communicator* communicator, BucketLayout layout)
    : communicator_(communicator), layout_(std::move(layout)), flat_(layout_.total, 0.0f) {
  thread_ = std::thread([this] { Loop(); });
}

GradientBuckets::~GradientBuckets() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

absl::Status GradientBuckets::Begin(Clock::time_point deadline, bool bf16_wire) {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_round_) return absl::FailedPreconditionError("previous bucket round not finished");
  in_round_ = true;
  deadline_ = deadline;
  bf16_wire_ = bf16_wire;
  entry_ready_.assign(layout_.offsets.size() + layout_.slots.size(), false);
  missing_.clear();
  for (const auto& bucket : layout_.buckets) {
    missing_.push_back(bucket.tensors.size() + bucket.slots.size());
  }
  next_bucket_ = 0;
  op_seconds_ = 0;
  error_ = absl::OkStatus();
  cv_.notify_all();
  return absl::OkStatus();
}

// Requires mu_.
absl::Status GradientBuckets::MarkEntryReady(size_t entry, int bucket, absl::string_view what) {
  if (entry_ready_[entry]) {
    return absl::InvalidArgumentError(absl::StrCat(what, " marked ready twice"));
  }
  entry_ready_[entry] = true;
  if (--missing_[bucket] == 0) cv_.notify_all();
  return absl::OkStatus();
}

absl::Status GradientBuckets::MarkReady(int tensor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!in_round_) return absl::InvalidArgumentError("MarkReady outside a bucket round");
  if (tensor < 0 || tensor >= static_cast<int>(layout_.offsets.size())) {
    return absl::InvalidArgumentError(absl::StrCat("unknown tensor ", tensor));
  }
  return MarkEntryReady(tensor, layout_.bucket_of[tensor], absl::StrCat("tensor ", tensor));
}

absl::Status GradientBuckets::MarkSlotReady(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!in_round_) return absl::InvalidArgumentError("MarkSlotReady outside a bucket round");
  for (size_t k = 0; k < layout_.slots.size(); ++k) {
    if (layout_.slots[k].name == name) {
      return MarkEntryReady(layout_.offsets.size() + k, layout_.slots[k].bucket,
                            absl::StrCat("slot '", name, "'"));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown slot '", name, "'"));
}

double GradientBuckets::round_op_seconds() {
  std::lock_guard<std::mutex> lock(mu_);
  return op_seconds_;
}

absl::Status GradientBuckets::WaitAll() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!in_round_) return absl::FailedPreconditionError("WaitAll outside a bucket round");
  cv_.wait(lock, [&] { return next_bucket_ == layout_.buckets.size(); });
  in_round_ = false;
  return error_;
}

// Reduces the buckets of each round in order; after an error skips the rest of the round.
// Bounded: every wait ends at the round's deadline.
void GradientBuckets::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (in_round_ && next_bucket_ < layout_.buckets.size()); });
    if (stop_) return;
    const size_t b = next_bucket_;
    if (error_.ok() &&
        !cv_.wait_until(lock, deadline_, [&] { return stop_ || missing_[b] == 0; })) {
      error_ = absl::DeadlineExceededError(absl::StrCat(
          "bucket ", b, ": ", missing_[b], " tensor(s) or slot(s) never marked ready"));
    }
    if (stop_) return;
    if (error_.ok()) {
      const BucketLayout::Bucket& bucket = layout_.buckets[b];
      OpOptions options;
      options.deadline = deadline_;
      options.bf16_wire = bf16_wire_;
      // In bf16 mode the bucket's extra slots (at its end) travel in float32, in an operation
      // of their own: sums such as token counts must stay exact (bf16 holds integers exactly
      // only up to 256). Every rank has the same layout, so all issue the same operations.
      size_t split = bucket.end;
      if (bf16_wire_) {
        for (int k : bucket.slots) split = std::min(split, layout_.slots[k].span.offset);
      }
      lock.unlock();
      const Clock::time_point start = Clock::now();
      absl::Status status = absl::OkStatus();
      if (split > bucket.begin) {
        status = communicator_->AllReduceSum(flat_.data() + bucket.begin, split - bucket.begin,
                                             options);
      }
      if (status.ok() && split < bucket.end) {
        OpOptions exact = options;
        exact.bf16_wire = false;
        status = communicator_->AllReduceSum(flat_.data() + split, bucket.end - split, exact);
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      lock.lock();
      op_seconds_ += seconds;
      if (!status.ok() && error_.ok()) {
        error_ = Annotate(status, absl::StrCat("bucket ", b));
      }
    }
    ++next_bucket_;
    cv_.notify_all();
  }
}

}  // namespace tandem::collective
