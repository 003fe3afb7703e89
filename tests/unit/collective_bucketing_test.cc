#include "collective/bucketing.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "collective/in_process.h"

namespace tandem::collective {
namespace {

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
        absl::Status s = b.Begin(round * 100, Clock::now() + std::chrono::seconds(5));
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
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s;
}

TEST(GradientBucketsTest, ReportsMisuseAndUnreadyTensors) {
  InProcessGroup group(1);
  GradientBuckets b(group.rank(0), PlanBuckets({4, 4}, 4));
  EXPECT_EQ(b.MarkReady(0).code(), absl::StatusCode::kInvalidArgument);  // outside a round
  ASSERT_TRUE(b.Begin(0, Clock::now() + std::chrono::milliseconds(100)).ok());
  EXPECT_EQ(b.Begin(1, Clock::now()).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(b.MarkReady(7).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(b.MarkReady(1).ok());
  EXPECT_EQ(b.MarkReady(1).code(), absl::StatusCode::kInvalidArgument);
  absl::Status s = b.WaitAll();  // tensor 0 never ready
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
}

TEST(GradientBucketsTest, FirstCommunicationErrorIsReturned) {
  InProcessGroup group(2);  // rank 1 never joins
  GradientBuckets b(group.rank(0), PlanBuckets({4, 4, 4}, 4));
  ASSERT_TRUE(b.Begin(0, Clock::now() + std::chrono::milliseconds(150)).ok());
  for (int t = 2; t >= 0; --t) ASSERT_TRUE(b.MarkReady(t).ok());
  absl::Status s = b.WaitAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_NE(s.message().find("bucket 0"), std::string::npos) << s;
}

}  // namespace
}  // namespace tandem::collective
