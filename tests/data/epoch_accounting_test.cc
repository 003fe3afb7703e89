#include "data/epoch_accounting.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "data/batching.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;

// A stream of `pairs` pairs with lengths drawn from `seed`, and its batch plan of epoch `e`
// (as the trainer makes it: PlanBatches seeded from (seed, epoch, stream)).
struct TestStream {
  uint64_t id = 0;
  std::vector<uint32_t> src_len, tgt_len;
  std::vector<std::vector<uint32_t>> Plan(int64_t e) const {
    BatchingOptions o;
    o.batch_tokens = 120;
    return PlanBatches(src_len, tgt_len, o, MixSeed(42, static_cast<uint64_t>(e), id));
  }
};

TestStream MakeStream(uint64_t id, size_t pairs) {
  TestStream s;
  s.id = id;
  SplitMix64 rng(id * 977 + pairs);
  for (size_t i = 0; i < pairs; ++i) {
    s.src_len.push_back(static_cast<uint32_t>(2 + rng.Below(20)));
    s.tgt_len.push_back(static_cast<uint32_t>(2 + rng.Below(20)));
  }
  return s;
}

TEST(EpochScheduleTest, BatchesAreSpreadOverTheEpochOncePerBatch) {
  for (int64_t length = 1; length <= 40; ++length) {
    for (int64_t batches = 1; batches <= length; ++batches) {
      std::vector<int64_t> seen;
      for (int64_t o = 0; o < length; ++o) {
        EXPECT_EQ(EpochSchedule::BatchesBefore(o, batches, length),
                  static_cast<int64_t>(seen.size()))
            << o << " of " << length << ", " << batches << " batches";
        if (auto j = EpochSchedule::BatchAt(o, batches, length)) seen.push_back(*j);
      }
      EXPECT_EQ(EpochSchedule::BatchesBefore(length, batches, length), batches);
      ASSERT_EQ(static_cast<int64_t>(seen.size()), batches) << length << " " << batches;
      for (int64_t j = 0; j < batches; ++j) EXPECT_EQ(seen[static_cast<size_t>(j)], j);
      // The longest stream trains at every step; others never leave a gap of more than
      // ceil(L / n) steps.
      if (batches == length) EXPECT_TRUE(EpochSchedule::BatchAt(length - 1, batches, length));
    }
  }
  EXPECT_FALSE(EpochSchedule::BatchAt(5, 3, 5));
  EXPECT_FALSE(EpochSchedule::BatchAt(0, 6, 5)) << "more batches than steps is refused";
}

TEST(EpochScheduleTest, EpochOfFindsTheEpochAndNothingPastTheKnownOnes) {
  EpochSchedule s;
  EXPECT_EQ(s.EpochOf(0), -1);
  s.Append(3);
  s.Append(5);
  s.Append(1);
  EXPECT_EQ(s.end(), 9);
  EXPECT_EQ(s.Start(1), 3);
  EXPECT_EQ(s.Start(3), 9);
  const std::vector<int64_t> want = {0, 0, 0, 1, 1, 1, 1, 1, 2};
  for (int64_t t = 0; t < 9; ++t) EXPECT_EQ(s.EpochOf(t), want[static_cast<size_t>(t)]) << t;
  EXPECT_EQ(s.EpochOf(9), -1);
  EXPECT_EQ(s.EpochOf(-1), -1);
  s.Clear();
  EXPECT_EQ(s.known_epochs(), 0);
  EXPECT_EQ(s.end(), 0);
}

TEST(PairLedgerTest, CountsTrainedDistinctRepeatedAndNever) {
  PairLedger ledger(6);
  ledger.Add({0, 1});
  ledger.Add({1, 2});
  ledger.Add({1});
  EpochAccount a = ledger.Account();
  EXPECT_EQ(a.pairs, 6);
  EXPECT_EQ(a.trained, 5);
  EXPECT_EQ(a.distinct, 3);
  EXPECT_EQ(a.repeated, 1);
  EXPECT_EQ(a.never, 3);
  ledger.Remove({1});
  ledger.Remove({1, 2});
  a = ledger.Account();
  EXPECT_EQ(a.trained, 2);
  EXPECT_EQ(a.repeated, 0);
  EXPECT_EQ(a.never, 4);
  ledger.Clear();
  EXPECT_EQ(ledger.Account().trained, 0);
}

TEST(EpochAccountTest, SumsOverStreamsAndDescribesItself) {
  EpochAccount a;
  a.epoch = 2;
  a.first_step = 20;
  a.end_step = 30;
  a.epoch_steps = 10;
  a.pairs = a.trained = a.distinct = 7;
  EpochAccount b;
  b.pairs = b.trained = b.distinct = 5;
  a += b;
  EXPECT_EQ(a.pairs, 12);
  EXPECT_TRUE(a.exactly_once());
  EXPECT_EQ(DescribeEpochAccount(a),
            "epoch 2 (steps 21-30): 12 pairs, 12 trained once, 0 twice or more, 0 never "
            "(12 trainings): every pair exactly once");
  EpochAccount c;
  c.SetCounts(a.Counts());
  EXPECT_EQ(c.Counts(), a.Counts());
  a.end_step = 25;
  a.trained = a.distinct = 6;
  a.never = 6;
  EXPECT_FALSE(a.exactly_once());
  EXPECT_THAT(DescribeEpochAccount(a),
              HasSubstr("(steps 21-25 of 21-30): 12 pairs, 6 trained once"));
}

// The schedule before this accounting: every stream cycled its own plans, and the job's epoch
// ended with its longest stream. A shorter stream then wrapped into its next plan within the
// same epoch and trained some of its pairs twice. The ledger shows it.
TEST(EpochAccountingTest, StreamsCyclingTheirOwnPlansTrainShortStreamsTwice) {
  const std::vector<TestStream> streams = {MakeStream(0, 300), MakeStream(1, 180)};
  const int64_t longest = static_cast<int64_t>(
      std::max(streams[0].Plan(0).size(), streams[1].Plan(0).size()));
  ASSERT_GT(streams[0].Plan(0).size(), streams[1].Plan(0).size());
  EpochAccount total;
  for (const TestStream& s : streams) {
    PairLedger ledger(s.src_len.size());
    auto plan = s.Plan(0);
    int64_t e = 0;
    size_t next = 0;
    for (int64_t step = 0; step < longest; ++step) {
      if (next == plan.size()) {
        plan = s.Plan(++e);
        next = 0;
      }
      ledger.Add(plan[next++]);
    }
    total += ledger.Account();
  }
  EXPECT_GT(total.repeated, 0) << "the shorter stream wrapped around";
  EXPECT_EQ(total.never, 0);
  EXPECT_GT(total.trained, total.pairs);
}

// The schedule of this file: over several epochs and streams of different sizes, every pair
// once per epoch, whichever stream is the longest in an epoch.
TEST(EpochAccountingTest, TheSpreadScheduleTrainsEveryPairExactlyOncePerEpoch) {
  const std::vector<TestStream> streams = {MakeStream(0, 300), MakeStream(1, 180),
                                           MakeStream(2, 37), MakeStream(3, 301)};
  EpochSchedule schedule;
  for (int64_t e = 0; e < 4; ++e) {
    int64_t length = 0;
    for (const auto& s : streams) length = std::max<int64_t>(length, s.Plan(e).size());
    schedule.Append(length);
  }
  for (int64_t e = 0; e < 4; ++e) {
    EpochAccount total;
    total.epoch = e;
    total.first_step = schedule.Start(e);
    total.epoch_steps = schedule.Length(e);
    total.end_step = schedule.Start(e + 1);
    int64_t idle = 0;
    for (const auto& s : streams) {
      const auto plan = s.Plan(e);
      PairLedger ledger(s.src_len.size());
      for (int64_t t = schedule.Start(e); t < schedule.Start(e + 1); ++t) {
        ASSERT_EQ(schedule.EpochOf(t), e);
        auto j = EpochSchedule::BatchAt(t - schedule.Start(e), static_cast<int64_t>(plan.size()),
                                        schedule.Length(e));
        if (j) {
          ledger.Add(plan[static_cast<size_t>(*j)]);
        } else {
          ++idle;
        }
      }
      total += ledger.Account();
    }
    EXPECT_TRUE(total.exactly_once()) << DescribeEpochAccount(total);
    EXPECT_EQ(total.pairs, 300 + 180 + 37 + 301);
    EXPECT_GT(idle, 0) << "shorter streams sit some steps out instead of wrapping";
  }
}

}  // namespace
}  // namespace tandem
