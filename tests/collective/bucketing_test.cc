#include "collective/bucketing.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collective/in_process.h"
#include "common/status.h"
#include "tests/testing/collective_testing.h"
#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

using ::testing::HasSubstr;
using tandem::testing::StatusIs;

TEST(PlanBucketsTest, PacksInReverseOrderWithoutSplittingTensors) {
  // 4-byte floats; buckets close at >= 40 bytes (10 elements).
  BucketLayout layout = PlanBuckets({3, 4, 20, 0, 6, 5}, 40);
  EXPECT_EQ(layout.total, 38u);
  // Reverse order: tensor 5 at 0, 4 at 5, 3 (empty) at 11, 2 at 11, 1 at 31, 0 at 35.
  EXPECT_EQ(layout.offsets, (std::vector<size_t>{35, 31, 11, 11, 5, 0}));
  ASSERT_EQ(layout.buckets.size(), 3u);
  EXPECT_EQ(layout.buckets[0].tensors, (std::vector<int>{5, 4}));
  EXPECT_EQ(layout.buckets[1].tensors, (std::vector<int>{3, 2}));  // 20 > 10: alone (+ empty)
  EXPECT_EQ(layout.buckets[2].tensors, (std::vector<int>{1, 0}));
  EXPECT_EQ(layout.buckets[2].begin, 31u);
  EXPECT_EQ(layout.buckets[2].end, 38u);
  EXPECT_EQ(layout.bucket_of, (std::vector<int>{2, 2, 1, 1, 0, 0}));
  EXPECT_TRUE(PlanBuckets({}, 40).buckets.empty());
  EXPECT_EQ(layout.params().offset, 0u);
  EXPECT_EQ(layout.params().size, 38u);
}

// Extra slots are named and follow every tensor (in the last bucket); the tensors keep the
// layout they have without slots, and params() spans all of them and no slot.
TEST(PlanBucketsTest, NamedExtraSlotsFollowTheTensors) {
  BucketLayout plain = PlanBuckets({3, 4, 20, 0, 6, 5}, 40);
  BucketLayout layout =
      PlanBuckets({3, 4, 20, 0, 6, 5}, {{"loss_and_tokens", 2}, {"other", 1}}, 40);
  EXPECT_EQ(layout.offsets, plain.offsets);
  EXPECT_EQ(layout.bucket_of, plain.bucket_of);
  EXPECT_EQ(layout.total, 41u);
  EXPECT_EQ(layout.params().offset, 0u);
  EXPECT_EQ(layout.params().size, 38u);
  ASSERT_OK_AND_ASSIGN(Span loss, layout.slot("loss_and_tokens"));
  EXPECT_EQ(loss.offset, 38u);
  EXPECT_EQ(loss.size, 2u);
  ASSERT_OK_AND_ASSIGN(Span other, layout.slot("other"));
  EXPECT_EQ(other.offset, 40u);
  ASSERT_EQ(layout.buckets.size(), 3u);
  EXPECT_EQ(layout.buckets[2].end, 41u);
  EXPECT_EQ(layout.buckets[2].slots, (std::vector<int>{0, 1}));
  EXPECT_THAT(layout.slot("missing"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  // A slot after a full bucket opens a new one; with no tensors it is alone.
  BucketLayout only = PlanBuckets({}, {{"s", 3}}, 40);
  ASSERT_EQ(only.buckets.size(), 1u);
  EXPECT_EQ(only.params().size, 0u);
}

TEST(GradientBucketsTest, ReducesEveryBucketOverSeveralRounds) {
  const int n = 3;
  const std::vector<size_t> sizes = {7, 100, 1, 33, 0, 250, 4};
  InProcessGroup group(n);
  std::vector<std::unique_ptr<GradientBuckets>> buckets;
  for (int r = 0; r < n; ++r) {
    buckets.push_back(std::make_unique<GradientBuckets>(group.rank(r), PlanBuckets(sizes, 400)));
  }
  ASSERT_GT(buckets[0]->layout().buckets.size(), 2u);
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(n);
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      for (int round = 0; round < 5; ++round) {
        GradientBuckets& b = *buckets[r];
        absl::Status s = b.Begin(Clock::now() + std::chrono::seconds(5));
        // Backward: last tensor first.
        for (int t = int(sizes.size()) - 1; t >= 0 && s.ok(); --t) {
          for (size_t i = 0; i < sizes[t]; ++i) b.tensor_data(t)[i] = float((r + 1) * (t + i + round));
          s = b.MarkReady(t);
        }
        if (s.ok()) s = b.WaitAll();
        for (int t = 0; t < int(sizes.size()) && s.ok(); ++t) {
          for (size_t i = 0; i < sizes[t]; ++i) {
            if (b.tensor_data(t)[i] != float(6 * (t + i + round))) s = absl::InternalError("sum");
          }
        }
        if (!s.ok()) {
          results[r] = s;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_OK(s);
}

TEST(GradientBucketsTest, ReportsMisuseAndUnreadyTensors) {
  InProcessGroup group(1);
  GradientBuckets b(group.rank(0), PlanBuckets({4, 4}, 4));
  EXPECT_THAT(b.MarkReady(0), StatusIs(absl::StatusCode::kInvalidArgument));  // outside a round
  ASSERT_OK(b.Begin(Clock::now() + std::chrono::milliseconds(100)));
  EXPECT_THAT(b.Begin(Clock::now()), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(b.MarkReady(7), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK(b.MarkReady(1));
  EXPECT_THAT(b.MarkReady(1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(b.WaitAll(),  // tensor 0 never ready
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("never marked ready")));
}

// Slots are marked by name, like tensors by index, and a bucket waits for its slots too.
TEST(GradientBucketsTest, SlotsTravelWithTheirBucket) {
  const int n = 2;
  InProcessGroup group(n);
  std::vector<std::unique_ptr<GradientBuckets>> buckets;
  for (int r = 0; r < n; ++r) {
    buckets.push_back(std::make_unique<GradientBuckets>(
        group.rank(r), PlanBuckets({5, 5}, {{"loss_and_tokens", 2}}, 16)));
  }
  auto statuses = testing::RunRanks(n, [&](int r) -> absl::Status {
    GradientBuckets& b = *buckets[r];
    TANDEM_ASSIGN_OR_RETURN(Span slot, b.layout().slot("loss_and_tokens"));
    TANDEM_RETURN_IF_ERROR(b.Begin(Clock::now() + std::chrono::seconds(5)));
    for (int t = 1; t >= 0; --t) {
      for (int i = 0; i < 5; ++i) b.tensor_data(t)[i] = float(r + 1);
      TANDEM_RETURN_IF_ERROR(b.MarkReady(t));
    }
    b.data()[slot.offset] = float(10 * (r + 1));
    b.data()[slot.offset + 1] = 7.0f;
    TANDEM_RETURN_IF_ERROR(b.MarkSlotReady("loss_and_tokens"));
    TANDEM_RETURN_IF_ERROR(b.WaitAll());
    if (b.data()[slot.offset] != 30.0f || b.data()[slot.offset + 1] != 14.0f ||
        b.tensor_data(0)[4] != 3.0f) {
      return absl::InternalError("wrong sums");
    }
    return absl::OkStatus();
  });
  for (const auto& s : statuses) EXPECT_OK(s);
}

// bf16 on the wire: tensor gradients are rounded to bfloat16 (1 + 2^-8 is not a bfloat16
// value: it arrives as 1), while the extra slots stay exact float32 (257 is not a bfloat16
// value either), in the slots' own bucket and in a bucket shared with tensors alike.
TEST(GradientBucketsTest, Bf16RoundsTheTensorsAndKeepsTheSlotsExact) {
  const int n = 3;
  const float kUnrounded = 1.0f + 1.0f / 256;  // rounds to 1 in bf16
  for (size_t bucket_bytes : {size_t{16}, size_t{1} << 20}) {  // slots alone / shared bucket
    InProcessGroup group(n);
    std::vector<std::unique_ptr<GradientBuckets>> buckets;
    for (int r = 0; r < n; ++r) {
      buckets.push_back(std::make_unique<GradientBuckets>(
          group.rank(r), PlanBuckets({5, 5}, {{"loss_and_tokens", 2}}, bucket_bytes)));
    }
    auto statuses = testing::RunRanks(n, [&](int r) -> absl::Status {
      GradientBuckets& b = *buckets[r];
      TANDEM_ASSIGN_OR_RETURN(Span slot, b.layout().slot("loss_and_tokens"));
      for (bool bf16 : {true, false}) {
        TANDEM_RETURN_IF_ERROR(b.Begin(Clock::now() + std::chrono::seconds(5), bf16));
        for (int t = 1; t >= 0; --t) {
          for (int i = 0; i < 5; ++i) b.tensor_data(t)[i] = kUnrounded;
          TANDEM_RETURN_IF_ERROR(b.MarkReady(t));
        }
        b.data()[slot.offset] = 257.0f;
        b.data()[slot.offset + 1] = 257.0f * float(r + 1);
        TANDEM_RETURN_IF_ERROR(b.MarkSlotReady("loss_and_tokens"));
        TANDEM_RETURN_IF_ERROR(b.WaitAll());
        const float tensor_sum = bf16 ? float(n) : float(n) * kUnrounded;
        if (b.tensor_data(0)[0] != tensor_sum || b.tensor_data(1)[4] != tensor_sum) {
          return absl::InternalError(absl::StrCat("bf16 ", bf16, ": tensor sum ",
                                                  b.tensor_data(0)[0], " != ", tensor_sum));
        }
        if (b.data()[slot.offset] != 257.0f * n || b.data()[slot.offset + 1] != 257.0f * 6) {
          return absl::InternalError(absl::StrCat("bf16 ", bf16, ": slot sums ",
                                                  b.data()[slot.offset], ", ",
                                                  b.data()[slot.offset + 1]));
        }
      }
      return absl::OkStatus();
    });
    for (const auto& st : statuses) EXPECT_OK(st) << "bucket_bytes " << bucket_bytes;
  }
}

TEST(GradientBucketsTest, UnknownAndTwiceMarkedSlotsAreRefused) {
  InProcessGroup group(1);
  GradientBuckets b(group.rank(0), PlanBuckets({4}, {{"loss_and_tokens", 2}}, 4));
  EXPECT_THAT(b.MarkSlotReady("loss_and_tokens"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside a bucket round")));
  ASSERT_OK(b.Begin(Clock::now() + std::chrono::milliseconds(100)));
  EXPECT_THAT(b.MarkSlotReady("nope"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nope")));
  ASSERT_OK(b.MarkSlotReady("loss_and_tokens"));
  EXPECT_THAT(b.MarkSlotReady("loss_and_tokens"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  // The tensor never marked holds its bucket (and the slot's, the last) to the deadline.
  EXPECT_THAT(b.WaitAll(), StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(GradientBucketsTest, FirstCommunicationErrorIsReturned) {
  InProcessGroup group(2);  // rank 1 never joins
  GradientBuckets b(group.rank(0), PlanBuckets({4, 4, 4}, 4));
  ASSERT_OK(b.Begin(Clock::now() + std::chrono::milliseconds(150)));
  for (int t = 2; t >= 0; --t) ASSERT_OK(b.MarkReady(t));
  EXPECT_THAT(b.WaitAll(), StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("bucket 0")));
}

}  // namespace
}  // namespace tandem::collective
