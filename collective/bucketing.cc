#include "collective/bucketing.h"

#include "absl/strings/str_cat.h"

namespace tandem::collective {

BucketLayout PlanBuckets(const std::vector<size_t>& tensor_sizes, size_t bucket_bytes) {
  BucketLayout layout;
  const int n = static_cast<int>(tensor_sizes.size());
  layout.offsets.assign(n, 0);
  layout.bucket_of.assign(n, 0);
  size_t offset = 0;
  for (int i = n - 1; i >= 0; --i) {
    if (layout.buckets.empty() ||
        (layout.buckets.back().end - layout.buckets.back().begin) * sizeof(float) >=
            bucket_bytes) {
      layout.buckets.push_back(BucketLayout::Bucket{offset, offset, {}});
    }
    BucketLayout::Bucket& bucket = layout.buckets.back();
    layout.offsets[i] = offset;
    layout.bucket_of[i] = static_cast<int>(layout.buckets.size()) - 1;
    offset += tensor_sizes[i];
    bucket.end = offset;
    bucket.tensors.push_back(i);
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

absl::Status GradientBuckets::Begin(uint64_t first_sequence, Clock::time_point deadline,
                                    bool bf16_wire) {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_round_) return absl::FailedPreconditionError("previous bucket round not finished");
  in_round_ = true;
  first_sequence_ = first_sequence;
  deadline_ = deadline;
  bf16_wire_ = bf16_wire;
  tensor_ready_.assign(layout_.offsets.size(), false);
  missing_.clear();
  for (const auto& bucket : layout_.buckets) missing_.push_back(bucket.tensors.size());
  next_bucket_ = 0;
  op_seconds_ = 0;
  error_ = absl::OkStatus();
  cv_.notify_all();
  return absl::OkStatus();
}

absl::Status GradientBuckets::MarkReady(int tensor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!in_round_) return absl::InvalidArgumentError("MarkReady outside a bucket round");
  if (tensor < 0 || tensor >= static_cast<int>(tensor_ready_.size())) {
    return absl::InvalidArgumentError(absl::StrCat("unknown tensor ", tensor));
  }
  if (tensor_ready_[tensor]) {
    return absl::InvalidArgumentError(absl::StrCat("tensor ", tensor, " marked ready twice"));
  }
  tensor_ready_[tensor] = true;
  if (--missing_[layout_.bucket_of[tensor]] == 0) cv_.notify_all();
  return absl::OkStatus();
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
    cv_.wait(lock, [&] {
      return stop_ || (in_round_ && next_bucket_ < layout_.buckets.size());
    });
    if (stop_) return;
    const size_t b = next_bucket_;
    if (error_.ok() &&
        !cv_.wait_until(lock, deadline_, [&] { return stop_ || missing_[b] == 0; })) {
      error_ = absl::DeadlineExceededError(absl::StrCat(
          "bucket ", b, ": ", missing_[b], " tensor(s) never marked ready"));
    }
    if (stop_) return;
    if (error_.ok()) {
      const BucketLayout::Bucket& bucket = layout_.buckets[b];
      OpOptions options;
      options.sequence = first_sequence_ + b;
      options.deadline = deadline_;
      options.bf16_wire = bf16_wire_;
      lock.unlock();
      const Clock::time_point start = Clock::now();
      absl::Status status = communicator_->AllReduceSum(
          flat_.data() + bucket.begin, bucket.end - bucket.begin, options);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      lock.lock();
      op_seconds_ += seconds;
      if (!status.ok() && error_.ok()) {
        error_ = absl::Status(status.code(), absl::StrCat("bucket ", b, ": ", status.message()));
      }
    }
    ++next_bucket_;
    cv_.notify_all();
  }
}

}  // namespace tandem::collective
