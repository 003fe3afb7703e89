// GrpcCommunicator on real servers on 127.0.0.1 (ranks are threads, each with its own server
// and channel): exact sums, broadcasts and all-gathers over world sizes and awkward sizes, with
// every algorithm.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "absl/base/casts.h"
#include "collective/bucketing.h"
#include "absl/strings/match.h"
#include "common/status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/grpc_collective_testing.h"
#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

using testing::MakeTestGroup;
using testing::RunRanks;
using testing::TestGroup;

// Integer-valued floats: every partial sum is exact, so results compare with ==.
float Value(int rank, size_t i) { return float((rank + 1) * (i % 1000 + 1)); }
float Expected(int n, size_t i) { return float(n * (n + 1) / 2 * (i % 1000 + 1)); }

// kAuto: the defaults (pair exchange for small and medium buffers on 2 ranks, recursive
// doubling for small buffers and halving-doubling for larger ones, with extra ranks folded in
// on worlds that are not a power of two, the direct exchange in between, else the ring).
// kRingOnly forces the ring for every count; kPair forces the pair exchange on 2 ranks for
// every count; kDoubling forces recursive doubling and kHalving recursive halving-doubling
// for every count on every world from 3 (folded when not a power of two; kDoubling on 2 ranks
// too, kHalving on 2 ranks falls back to the ring). kDirect forces the direct exchange.
enum class Algorithm { kAuto, kRingOnly, kPair, kDoubling, kHalving, kDirect };

void Force(Algorithm algorithm, GrpcCommunicatorOptions& options) {
  switch (algorithm) {
    case Algorithm::kAuto:
      break;
    case Algorithm::kRingOnly:
      options.direct_max_bytes = 0;
      options.pair_exchange = false;
      options.doubling_max_bytes = 0;
      options.folded_doubling_max_bytes = 0;
      options.halving_max_bytes = 0;
      break;
    case Algorithm::kPair:
      options.pair_max_bytes = std::numeric_limits<size_t>::max();
      break;
    case Algorithm::kDoubling:
      options.pair_exchange = false;
      options.doubling_max_bytes = std::numeric_limits<size_t>::max();
      options.folded_doubling_max_bytes = std::numeric_limits<size_t>::max();
      break;
    case Algorithm::kHalving:
      options.pair_exchange = false;
      options.direct_max_bytes = 0;
      options.doubling_max_bytes = 0;
      options.folded_doubling_max_bytes = 0;
      options.halving_max_bytes = std::numeric_limits<size_t>::max();
      break;
    case Algorithm::kDirect:
      options.pair_exchange = false;
      options.doubling_max_bytes = 0;
      options.folded_doubling_max_bytes = 0;
      options.direct_max_bytes = std::numeric_limits<size_t>::max();
      break;
  }
}

const char* Name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kAuto: return "auto";
    case Algorithm::kRingOnly: return "ring";
    case Algorithm::kPair: return "pair";
    case Algorithm::kDoubling: return "doubling";
    case Algorithm::kHalving: return "halving";
    case Algorithm::kDirect: return "direct";
  }
  return "?";
}

// The name of a (world size, count, algorithm) test: "n3_count1009_halving".
std::string WorldCountAlgorithm(
    const ::testing::TestParamInfo<std::tuple<int, size_t, Algorithm>>& info) {
  return absl::StrCat("n", std::get<0>(info.param), "_count", std::get<1>(info.param), "_",
                      Name(std::get<2>(info.param)));
}

// The algorithm a forced choice must run on n ranks for count > 0 (nullptr: not forced there).
const char* ForcedName(Algorithm algorithm, int n) {
  if (n == 1) return "none";
  switch (algorithm) {
    case Algorithm::kRingOnly: return "ring";
    case Algorithm::kPair: return n == 2 ? "pair" : nullptr;
    case Algorithm::kDoubling: return "doubling";
    case Algorithm::kHalving: return n == 2 ? "ring" : "halving";
    case Algorithm::kDirect: return "direct";
    case Algorithm::kAuto: return nullptr;
  }
  return nullptr;
}

// Sums of `count` elements on `n` ranks with `algorithm`, twice, payloads through shared
// memory (the ranks share a host) or, with `shared_memory` false, on the streams.
void ExpectExactSums(int n, size_t count, Algorithm algorithm, bool shared_memory) {
  // 64 KiB segments so that mid-sized counts span several segments per chunk (and per
  // exchange of the pair and doubling algorithms).
  ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n, [&](int, GrpcCommunicatorOptions& o) {
                         o.segment_bytes = 64 << 10;
                         o.shared_memory = shared_memory;
                         Force(algorithm, o);
                       }));
  if (const char* forced = ForcedName(algorithm, n); forced != nullptr && count > 0) {
    for (int r = 0; r < n; ++r) EXPECT_STREQ(ring->ranks[r]->AllReduceAlgorithm(count), forced);
  }
  auto statuses = RunRanks(n, [&, n = n, count = count](int r) -> absl::Status {
    std::vector<float> data(count);
    for (int round = 0; round < 2; ++round) {  // twice: the persistent stream is reused
      for (size_t i = 0; i < count; ++i) data[i] = Value(r, i);
      TANDEM_RETURN_IF_ERROR(ring->ranks[r]->AllReduceSum(
          data.data(), count, OpOptions::WithTimeout(std::chrono::seconds(20))));
      for (size_t i = 0; i < count; ++i) {
        if (data[i] != Expected(n, i)) {
          return absl::InternalError(absl::StrCat("rank ", r, " element ", i, ": ", data[i],
                                                  " != ", Expected(n, i)));
        }
      }
    }
    return absl::OkStatus();
  });
  for (int r = 0; r < n; ++r) {
    EXPECT_OK(statuses[r]) << "rank " << r;
    if (!shared_memory) EXPECT_EQ(ring->ranks[r]->shm_sends(), 0u);
  }
}

class RingAllReduceTest
    : public ::testing::TestWithParam<std::tuple<int, size_t, Algorithm>> {};

TEST_P(RingAllReduceTest, SumsExactlyOnEveryRank) {
  const auto [n, count, algorithm] = GetParam();
  ExpectExactSums(n, count, algorithm, /*shared_memory=*/true);
}

// The same with every payload on the streams, as between hosts.
class StreamAllReduceTest : public RingAllReduceTest {};

TEST_P(StreamAllReduceTest, SumsExactlyOnEveryRank) {
  const auto [n, count, algorithm] = GetParam();
  ExpectExactSums(n, count, algorithm, /*shared_memory=*/false);
}

// 0, 1, fewer than ranks, a prime (not divisible by any world size), more than one 64 KiB
// segment per chunk, more than gRPC's default 4 MiB message (1.5M floats = 6 MB). Worlds 3, 5,
// 6 and 7 fold 1, 1, 2 and 3 extra ranks into doubling and halving-doubling (with empty
// blocks when count < 4, and an extra rank's block spread over several segments).
INSTANTIATE_TEST_SUITE_P(
    WorldSizesAndCounts, RingAllReduceTest,
    ::testing::Combine(::testing::Values(1, 2, 3, 4, 5, 6, 7),
                       ::testing::Values(size_t{0}, size_t{1}, size_t{3}, size_t{1009},
                                         size_t{100003}, size_t{1500000}),
                       ::testing::Values(Algorithm::kAuto, Algorithm::kRingOnly,
                                         Algorithm::kPair, Algorithm::kDoubling,
                                         Algorithm::kHalving)),
    WorldCountAlgorithm);

INSTANTIATE_TEST_SUITE_P(
    WorldSizesAndCounts, StreamAllReduceTest,
    ::testing::Combine(::testing::Values(1, 2, 3, 4, 5, 7),
                       ::testing::Values(size_t{1}, size_t{1009}, size_t{1500000}),
                       ::testing::Values(Algorithm::kAuto, Algorithm::kRingOnly,
                                         Algorithm::kPair, Algorithm::kDoubling,
                                         Algorithm::kHalving)),
    WorldCountAlgorithm);

// Ranks on one host send their payloads through shared memory once the peers attached their
// outboxes (the first segments of a group may go on the stream), none once the slots are
// free again, and leave no shared-memory object behind; with shared_memory off, none at all.
TEST(SharedMemoryTest, PayloadsGoThroughSharedMemoryOnOneHost) {
  const auto leftovers = [] {
    int found = 0;
    const std::string prefix = absl::StrCat("tandem-coll-", getpid(), "-");
    for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
      found += absl::StartsWith(entry.path().filename().string(), prefix);
    }
    return found;
  };
  for (int n : {2, 3, 5}) {
    for (bool shared_memory : {true, false}) {
      SCOPED_TRACE(absl::StrCat(n, " ranks, shared_memory ", shared_memory));
      {
        ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n, [&](int, GrpcCommunicatorOptions& o) {
                               o.shared_memory = shared_memory;
                             }));
        const size_t count = 1500000;  // segments of 512 KiB: halving-doubling or the ring
        std::vector<size_t> stream_after_first(n);
        for (int round = 0; round < 3; ++round) {
          auto statuses = RunRanks(n, [&](int r) -> absl::Status {
            std::vector<float> data(count);
            for (size_t i = 0; i < count; ++i) data[i] = Value(r, i);
            TANDEM_RETURN_IF_ERROR(ring->ranks[r]->AllReduceSum(
                data.data(), count, OpOptions::WithTimeout(std::chrono::seconds(20))));
            for (size_t i = 0; i < count; ++i) {
              if (data[i] != Expected(n, i)) return absl::InternalError("wrong sum");
            }
            return absl::OkStatus();
          });
          for (int r = 0; r < n; ++r) ASSERT_OK(statuses[r]) << "rank " << r;
          if (round == 0) {
            for (int r = 0; r < n; ++r) stream_after_first[r] = ring->ranks[r]->stream_sends();
          }
        }
        for (int r = 0; r < n; ++r) {
          if (shared_memory) {
            EXPECT_GT(ring->ranks[r]->shm_sends(), 0u) << "rank " << r;
            EXPECT_EQ(ring->ranks[r]->stream_sends(), stream_after_first[r])
                << "rank " << r << " sent payloads on its streams after the first operation";
          } else {
            EXPECT_EQ(ring->ranks[r]->shm_sends(), 0u) << "rank " << r;
            EXPECT_GT(ring->ranks[r]->stream_sends(), 0u) << "rank " << r;
          }
        }
      }
      EXPECT_EQ(leftovers(), 0) << "shared-memory objects left in /dev/shm";
    }
  }
}

// Eight ranks: three levels of halving-doubling, with empty blocks (fewer elements than
// ranks) and blocks of unequal size.
INSTANTIATE_TEST_SUITE_P(
    EightRanks, RingAllReduceTest,
    ::testing::Combine(::testing::Values(8),
                       ::testing::Values(size_t{0}, size_t{3}, size_t{1009}, size_t{100003}),
                       ::testing::Values(Algorithm::kAuto, Algorithm::kRingOnly,
                                         Algorithm::kDoubling, Algorithm::kHalving)),
    WorldCountAlgorithm);

// The extra ranks' blocks arrive early when their core ranks start late, and wait in the core
// ranks' mailboxes: (n - p) / p of the buffer at most (fold.cc), so a mailbox that holds one
// buffer is enough for folded halving-doubling on 3, 5, 6 and 7 ranks. With a mailbox too
// small for them the operation fails with RESOURCE_EXHAUSTED, naming the mailbox, not a hang.
// The mailbox's wait marks (what heartbeats report for the coordinator's stall check): a
// continuing wait keeps its start and follows its peer; a wait that ends clears only its own
// mark, not one another operation set meanwhile.
TEST(MailboxWaitTest, AWaitClearsOnlyItsOwnMark) {
  Mailbox m(1 << 20);
  const GroupId g{"job-000001", 3};
  EXPECT_FALSE(m.CurrentWait().has_value());
  const uint64_t a = m.BeginWait(g, 2);
  std::optional<Mailbox::Wait> w = m.CurrentWait();
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->awaited_rank, 2);
  const Clock::time_point since = w->since;
  EXPECT_EQ(m.BeginWait(g, 1, /*continuing=*/true), a);
  w = m.CurrentWait();
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->awaited_rank, 1);
  EXPECT_EQ(w->since, since);
  const uint64_t b = m.BeginWait(g, 0);
  EXPECT_NE(a, b);
  m.EndWait(a);
  ASSERT_TRUE(m.CurrentWait().has_value());
  EXPECT_EQ(m.CurrentWait()->awaited_rank, 0);
  m.EndWait(b);
  EXPECT_FALSE(m.CurrentWait().has_value());
}

// The time waits spent on each peer (ProgressReport.awaited_ms): receive waits go to the rank
// waited for, across a continuing wait's changes of peer and up to now for a wait going on;
// waits on own sends count for nobody; taking the figures starts them again.
TEST(MailboxWaitTest, AwaitedTimeGoesToThePeerWhoseSegmentIsLate) {
  using std::chrono::milliseconds;
  Mailbox m(1 << 20);
  const GroupId g{"job-000001", 3};
  EXPECT_TRUE(m.TakeAwaited().empty());
  const uint64_t a = m.BeginWait(g, 2);
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_EQ(m.BeginWait(g, 1, /*continuing=*/true), a);
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(m.BeginWait(g, 1, /*continuing=*/true, /*sends=*/true), a);
  std::this_thread::sleep_for(milliseconds(40));
  m.EndWait(a);
  std::this_thread::sleep_for(milliseconds(20));  // no wait: counts for nobody
  std::map<int, Clock::duration> awaited = m.TakeAwaited();
  ASSERT_EQ(awaited.size(), 2u);
  EXPECT_GE(awaited[2], milliseconds(30));
  EXPECT_GE(awaited[1], milliseconds(20));
  EXPECT_TRUE(m.TakeAwaited().empty()) << "taken";
  // A wait going on counts up to the take, and on from there.
  const uint64_t b = m.BeginWait(g, 0);
  std::this_thread::sleep_for(milliseconds(10));
  EXPECT_GE(m.TakeAwaited()[0], milliseconds(10));
  std::this_thread::sleep_for(milliseconds(10));
  m.EndWait(b);
  awaited = m.TakeAwaited();
  EXPECT_GE(awaited[0], milliseconds(10));
  // A wait on sends alone names no one.
  m.EndWait(m.BeginWait(g, 1, false, /*sends=*/true));
  EXPECT_TRUE(m.TakeAwaited().empty());
}

class FoldedMailboxTest : public ::testing::TestWithParam<int> {};

TEST_P(FoldedMailboxTest, EarlyBlocksFitAMailboxOfOneBuffer) {
  const int n = GetParam();
  const size_t count = 1500000;  // 6 MB: the extra ranks' blocks, 1.5-4.5 MB, wait unread
  for (bool big_enough : {true, false}) {
    CollectiveServerOptions server_options;
    // Too small: below the blocks of one extra rank, (1/p) of the buffer.
    server_options.max_buffered_bytes = big_enough ? count * 4 : count * 4 / 8;
    ASSERT_OK_AND_ASSIGN(auto group,
                         MakeTestGroup(
                             n,
                             [](int, GrpcCommunicatorOptions& o) {
                               o.folded_doubling_max_bytes = 0;
                               o.direct_max_bytes = 0;
                               // The mailbox bounds what streams deliver; shared memory
                               // is bounded by its slots (payloads beyond go on streams).
                               o.shared_memory = false;
                             },
                             server_options));
    ASSERT_STREQ(group->ranks[0]->AllReduceAlgorithm(count), "halving");
    const int p = n >= 4 ? 4 : 2;
    auto statuses = RunRanks(n, [&](int r) -> absl::Status {
      // Deliberate delay, not a wait: the extra ranks' blocks are all sent before the core
      // ranks begin.
      if (r < p) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      std::vector<float> data(count);
      for (size_t i = 0; i < count; ++i) data[i] = Value(r, i);
      TANDEM_RETURN_IF_ERROR(group->ranks[r]->AllReduceSum(
          data.data(), count, OpOptions::WithTimeout(std::chrono::seconds(big_enough ? 20 : 5))));
      for (size_t i = 0; i < count; ++i) {
        if (data[i] != Expected(n, i)) return absl::InternalError(absl::StrCat("element ", i));
      }
      return absl::OkStatus();
    });
    if (big_enough) {
      for (int r = 0; r < n; ++r) EXPECT_OK(statuses[r]) << "n " << n << " rank " << r;
    } else {
      bool refused = false;
      for (int r = 0; r < n; ++r) {
        EXPECT_FALSE(statuses[r].ok()) << "n " << n << " rank " << r;
        refused = refused || (statuses[r].code() == absl::StatusCode::kResourceExhausted &&
                              absl::StrContains(statuses[r].message(), "mailbox"));
      }
      EXPECT_TRUE(refused) << statuses[n - 1];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Worlds, FoldedMailboxTest, ::testing::Values(3, 5, 6, 7));

// How far a rank may send ahead of what it received (send_ahead_segments; 0 =
// everything at once) only paces the sends: the ring (3 ranks) and halving-doubling (4)
// give exact sums with every setting, including more segments in flight than exist.
class SendAheadTest : public ::testing::TestWithParam<std::tuple<int, size_t>> {};

TEST_P(SendAheadTest, SumsExactly) {
  const auto [n, send_ahead] = GetParam();
  // 16 KiB segments: a chunk of 100003 / n floats spans 6-9 of them.
  ASSERT_OK_AND_ASSIGN(
      auto ring, MakeTestGroup(n, [send_ahead = send_ahead](int, GrpcCommunicatorOptions& o) {
        o.segment_bytes = 16 << 10;
        o.send_ahead_segments = send_ahead;
        o.doubling_max_bytes = 0;
      }));
  const size_t count = 100003;
  auto statuses = RunRanks(n, [&, n = n](int r) -> absl::Status {
    std::vector<float> data(count);
    for (int round = 0; round < 2; ++round) {
      for (size_t i = 0; i < count; ++i) data[i] = Value(r, i);
      TANDEM_RETURN_IF_ERROR(ring->ranks[r]->AllReduceSum(
          data.data(), count, OpOptions::WithTimeout(std::chrono::seconds(20))));
      for (size_t i = 0; i < count; ++i) {
        if (data[i] != Expected(n, i)) {
          return absl::InternalError(absl::StrCat("rank ", r, " element ", i, ": ", data[i]));
        }
      }
    }
    return absl::OkStatus();
  });
  for (int r = 0; r < n; ++r) EXPECT_OK(statuses[r]) << "rank " << r;
}

INSTANTIATE_TEST_SUITE_P(Settings, SendAheadTest,
                         ::testing::Combine(::testing::Values(3, 4),
                                            ::testing::Values(size_t{0}, size_t{1}, size_t{2},
                                                              size_t{5}, size_t{100})),
                         [](const auto& info) {
                           return absl::StrCat("n", std::get<0>(info.param), "_ahead",
                                               std::get<1>(info.param));
                         });

// All-reduces uniform random floats in [-1, 1] (rank r's from seed + r) on every rank of
// `ring`, fails the test unless all ranks end with the same bits, and returns the largest
// deviation from the exact sum.
double AllReduceRandomData(TestGroup& ring, int n, size_t count, bool bf16) {
  std::vector<std::vector<float>> data(n, std::vector<float>(count));
  std::vector<double> exact(count, 0.0);
  for (int r = 0; r < n; ++r) {
    std::mt19937 rng(7 + r);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (size_t i = 0; i < count; ++i) {
      data[r][i] = dist(rng);
      exact[i] += data[r][i];
    }
  }
  auto statuses = RunRanks(n, [&](int r) {
    OpOptions options = OpOptions::WithTimeout(std::chrono::seconds(20));
    options.bf16_wire = bf16;
    return ring.ranks[r]->AllReduceSum(data[r].data(), count, options);
  });
  for (const auto& s : statuses) EXPECT_OK(s);
  double max_err = 0;
  for (size_t i = 0; i < count; ++i) {
    max_err = std::max(max_err, std::fabs(double(data[0][i]) - exact[i]));
    for (int r = 1; r < n; ++r) {
      if (data[r][i] != data[0][i]) {
        ADD_FAILURE() << "rank " << r << " element " << i << ": " << data[r][i] << " != "
                      << data[0][i];
        return max_err;
      }
    }
  }
  return max_err;
}

// Random (not integer-valued) float32 data, where the order of additions changes the bits:
// every rank must still end with the same bits, close to the exact sum.
class IdenticalBitsTest : public ::testing::TestWithParam<std::tuple<int, size_t, Algorithm>> {};

TEST_P(IdenticalBitsTest, EveryRankHoldsTheSameBits) {
  const auto [n, count, algorithm] = GetParam();
  ASSERT_OK_AND_ASSIGN(auto ring,
                       MakeTestGroup(n, [algorithm = algorithm](int, GrpcCommunicatorOptions& o) {
                         o.segment_bytes = 16 << 10;
                         Force(algorithm, o);
                       }));
  EXPECT_LT(AllReduceRandomData(*ring, n, count, /*bf16=*/false), 1e-5 * n);
}

INSTANTIATE_TEST_SUITE_P(
    Worlds, IdenticalBitsTest,
    ::testing::Combine(::testing::Values(2, 3, 4, 5, 6, 7, 8),
                       ::testing::Values(size_t{1009}, size_t{100003}),
                       ::testing::Values(Algorithm::kAuto, Algorithm::kRingOnly,
                                         Algorithm::kDoubling, Algorithm::kHalving,
                                         Algorithm::kDirect)),
    WorldCountAlgorithm);

TEST(RingBroadcastTest, EveryRootReachesEveryRank) {
  for (int n : {2, 3, 4, 7}) {
    ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n, [](int, GrpcCommunicatorOptions& o) {
                           o.segment_bytes = 64 << 10;
                         }));
    for (size_t count : {size_t{1}, size_t{1009}, size_t{300001}}) {
      auto statuses = RunRanks(n, [&](int r) -> absl::Status {
        for (int root = 0; root < n; ++root) {
          std::vector<float> data(count, -1.0f);
          if (r == root) {
            for (size_t i = 0; i < count; ++i) data[i] = Value(root, i);
          }
          TANDEM_RETURN_IF_ERROR(ring->ranks[r]->Broadcast(
              data.data(), count, root, OpOptions::WithTimeout(std::chrono::seconds(20))));
          for (size_t i = 0; i < count; ++i) {
            if (data[i] != Value(root, i)) {
              return absl::InternalError(absl::StrCat("root ", root, " element ", i));
            }
          }
        }
        return absl::OkStatus();
      });
      for (int r = 0; r < n; ++r) {
        EXPECT_OK(statuses[r]) << "n=" << n << " count=" << count << " rank " << r;
      }
    }
  }
}

class RingBf16Test
    : public ::testing::TestWithParam<std::tuple<int, size_t, Algorithm>> {};

TEST_P(RingBf16Test, ApproximatelyCorrectAndIdenticalOnEveryRank) {
  const auto [n, count, algorithm] = GetParam();
  ASSERT_OK_AND_ASSIGN(auto ring,
                       MakeTestGroup(n, [algorithm = algorithm](int, GrpcCommunicatorOptions& o) {
                         o.segment_bytes = 64 << 10;
                         Force(algorithm, o);
                       }));
  const double max_err = AllReduceRandomData(*ring, n, count, /*bf16=*/true);
  // Inputs in [-1, 1]: bf16 (8 bits of mantissa) keeps the error near n * 2^-8 (sums up to n
  // in magnitude, a few roundings).
  EXPECT_LT(max_err, 0.0125 * n) << max_err;
  EXPECT_GT(max_err, 0.0);  // it really went through bf16
}

// A small count and a large one (several segments), on 2 ranks (pair exchange), 3, 5 and 7
// (folded doubling and halving-doubling, direct exchange, ring) and 4 (recursive doubling,
// halving-doubling, ring), by default and with each algorithm forced.
INSTANTIATE_TEST_SUITE_P(
    WorldSizesAndCounts, RingBf16Test,
    ::testing::Combine(::testing::Values(2, 3, 4, 5, 7),
                       ::testing::Values(size_t{5000}, size_t{200003}),
                       ::testing::Values(Algorithm::kAuto, Algorithm::kRingOnly, Algorithm::kPair,
                                         Algorithm::kDoubling, Algorithm::kHalving)),
    WorldCountAlgorithm);

TEST(RingBucketsTest, GradientBucketsOverTheRing) {
  const int n = 3;
  const std::vector<size_t> sizes = {1000, 70000, 3, 250000, 17};
  ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n));
  auto statuses = RunRanks(n, [&](int r) -> absl::Status {
    GradientBuckets b(ring->ranks[r].get(), PlanBuckets(sizes, 256 << 10));
    for (int round = 0; round < 3; ++round) {
      TANDEM_RETURN_IF_ERROR(b.Begin(Clock::now() + std::chrono::seconds(20)));
      for (int t = int(sizes.size()) - 1; t >= 0; --t) {
        for (size_t i = 0; i < sizes[t]; ++i) b.tensor_data(t)[i] = Value(r, i + t + round);
        TANDEM_RETURN_IF_ERROR(b.MarkReady(t));
      }
      TANDEM_RETURN_IF_ERROR(b.WaitAll());
      for (int t = 0; t < int(sizes.size()); ++t) {
        for (size_t i = 0; i < sizes[t]; ++i) {
          if (b.tensor_data(t)[i] != Expected(n, i + t + round)) {
            return absl::InternalError(absl::StrCat("tensor ", t, " element ", i));
          }
        }
      }
    }
    return absl::OkStatus();
  });
  for (const auto& s : statuses) EXPECT_OK(s);
}

// The gradient buckets of a bf16 job over the real transport, on a world with a folded rank:
// every rank ends each round with the same bits, the tensors close to the exact sum, the
// extra slot (token counts above bf16's 256) exact.
TEST(RingBucketsTest, Bf16BucketsGiveIdenticalBitsAndExactSlots) {
  const int n = 3;
  const std::vector<size_t> sizes = {1000, 70000, 3, 250000, 17};
  ASSERT_OK_AND_ASSIGN(auto group, MakeTestGroup(n));
  std::vector<std::unique_ptr<GradientBuckets>> buckets;
  for (int r = 0; r < n; ++r) {
    buckets.push_back(std::make_unique<GradientBuckets>(
        group->ranks[r].get(), PlanBuckets(sizes, {{"loss_and_tokens", 2}}, 256 << 10)));
  }
  const size_t total = buckets[0]->layout().total;
  for (int round = 0; round < 3; ++round) {
    auto statuses = RunRanks(n, [&](int r) -> absl::Status {
      GradientBuckets& b = *buckets[r];
      TANDEM_ASSIGN_OR_RETURN(Span slot, b.layout().slot("loss_and_tokens"));
      TANDEM_RETURN_IF_ERROR(b.Begin(Clock::now() + std::chrono::seconds(20), /*bf16=*/true));
      std::mt19937 rng(100 * round + r);
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (int t = int(sizes.size()) - 1; t >= 0; --t) {
        for (size_t i = 0; i < sizes[t]; ++i) b.tensor_data(t)[i] = dist(rng);
        TANDEM_RETURN_IF_ERROR(b.MarkReady(t));
      }
      b.data()[slot.offset] = 1000.0f + float(r);
      b.data()[slot.offset + 1] = 4097.0f;
      TANDEM_RETURN_IF_ERROR(b.MarkSlotReady("loss_and_tokens"));
      TANDEM_RETURN_IF_ERROR(b.WaitAll());
      if (b.data()[slot.offset] != 3003.0f || b.data()[slot.offset + 1] != 4097.0f * 3) {
        return absl::InternalError(absl::StrCat("slot sums ", b.data()[slot.offset], ", ",
                                                b.data()[slot.offset + 1]));
      }
      return absl::OkStatus();
    });
    for (const auto& s : statuses) ASSERT_OK(s);
    // Against the exact sums of the same inputs: close, and not exact (bf16 travelled).
    std::vector<double> exact(total, 0.0);
    for (int r = 0; r < n; ++r) {
      std::mt19937 rng(100 * round + r);
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (int t = int(sizes.size()) - 1; t >= 0; --t) {
        const size_t offset = buckets[0]->layout().offsets[t];
        for (size_t i = 0; i < sizes[t]; ++i) exact[offset + i] += dist(rng);
      }
    }
    double max_err = 0;
    const Span params = buckets[0]->layout().params();
    for (size_t i = 0; i < total; ++i) {
      for (int r = 1; r < n; ++r) {
        ASSERT_EQ(absl::bit_cast<uint32_t>(buckets[r]->data()[i]),
                  absl::bit_cast<uint32_t>(buckets[0]->data()[i]))
            << "round " << round << " rank " << r << " element " << i;
      }
      if (i >= params.offset && i < params.offset + params.size) {
        max_err = std::max(max_err, std::fabs(double(buckets[0]->data()[i]) - exact[i]));
      }
    }
    EXPECT_GT(max_err, 0.0);
    EXPECT_LT(max_err, 0.0125 * n);
  }
}

// Rank r's all-gather contribution: `bytes` bytes that differ by rank and position and cover
// every byte value (NaN patterns included, were they read as floats).
std::vector<uint8_t> GatherInput(int rank, size_t bytes) {
  std::vector<uint8_t> v(bytes);
  for (size_t i = 0; i < bytes; ++i) v[i] = uint8_t(i * 131 + rank * 29 + i / 251);
  return v;
}

// Every rank's bytes reach every rank, in rank order and bit-exact: world sizes 1 to 8, empty
// and odd sizes, several segments (16 KiB segments: 100003 bytes span 7), in place or not.
class AllGatherTest : public ::testing::TestWithParam<std::tuple<int, size_t, bool>> {};

TEST_P(AllGatherTest, EveryRankGetsEveryContributionInRankOrder) {
  const auto [n, bytes, in_place] = GetParam();
  ASSERT_OK_AND_ASSIGN(auto group, MakeTestGroup(n, [](int, GrpcCommunicatorOptions& o) {
                         o.segment_bytes = 16 << 10;
                       }));
  std::vector<uint8_t> expected;
  for (int r = 0; r < n; ++r) {
    std::vector<uint8_t> mine = GatherInput(r, bytes);
    expected.insert(expected.end(), mine.begin(), mine.end());
  }
  auto gather = [&, n = n, bytes = bytes, in_place = in_place](int r) -> absl::Status {
    for (int round = 0; round < 2; ++round) {  // twice: the streams are reused
      std::vector<uint8_t> mine = GatherInput(r, bytes);
      std::vector<uint8_t> out(size_t(n) * bytes, 0xEE);
      const void* in = mine.data();
      if (in_place) {
        if (bytes > 0) std::memcpy(out.data() + size_t(r) * bytes, mine.data(), bytes);
        in = out.data() + size_t(r) * bytes;
      }
      TANDEM_RETURN_IF_ERROR(group->ranks[r]->AllGather(
          in, bytes, out.data(), OpOptions::WithTimeout(std::chrono::seconds(20))));
      if (out != expected) {
        for (size_t i = 0; i < out.size(); ++i) {
          if (out[i] != expected[i]) {
            return absl::InternalError(absl::StrCat("rank ", r, " byte ", i, " (from rank ",
                                                    i / bytes, "): ", int(out[i]), " != ",
                                                    int(expected[i])));
          }
        }
      }
    }
    return absl::OkStatus();
  };
  auto statuses = RunRanks(n, gather);
  for (int r = 0; r < n; ++r) EXPECT_OK(statuses[r]) << "rank " << r;
}

INSTANTIATE_TEST_SUITE_P(
    WorldSizesAndSizes, AllGatherTest,
    ::testing::Combine(::testing::Values(1, 2, 3, 4, 8),
                       ::testing::Values(size_t{0}, size_t{1}, size_t{7}, size_t{16},
                                         size_t{100003}),
                       ::testing::Bool()),
    [](const auto& info) {
      return absl::StrCat("n", std::get<0>(info.param), "_bytes", std::get<1>(info.param),
                          std::get<2>(info.param) ? "_in_place" : "");
    });

// The communicator numbers its operations: a mix of all-gathers, all-reduces and broadcasts
// of different algorithms, issued back to back, each finds its own segments.
TEST(OperationSequenceTest, MixedOperationsBackToBack) {
  const int n = 3;
  ASSERT_OK_AND_ASSIGN(auto group, MakeTestGroup(n));
  auto statuses = RunRanks(n, [&](int r) -> absl::Status {
    const auto timeout = std::chrono::seconds(20);
    for (int round = 0; round < 5; ++round) {
      uint64_t mine = uint64_t(r) << 40 | uint64_t(round);
      std::vector<uint64_t> all(n);
      TANDEM_RETURN_IF_ERROR(group->ranks[r]->AllGather(&mine, sizeof mine, all.data(),
                                                        OpOptions::WithTimeout(timeout)));
      for (int q = 0; q < n; ++q) {
        if (all[q] != (uint64_t(q) << 40 | uint64_t(round))) {
          return absl::InternalError(absl::StrCat("round ", round, ": gathered ", all[q]));
        }
      }
      for (size_t count : {size_t{10}, size_t{300000}}) {  // direct exchange, then the ring
        std::vector<float> data(count);
        for (size_t i = 0; i < count; ++i) data[i] = Value(r, i + round);
        TANDEM_RETURN_IF_ERROR(
            group->ranks[r]->AllReduceSum(data.data(), count, OpOptions::WithTimeout(timeout)));
        if (data[count - 1] != Expected(n, count - 1 + round)) {
          return absl::InternalError(absl::StrCat("round ", round, " count ", count));
        }
      }
      float value = float(r);
      TANDEM_RETURN_IF_ERROR(
          group->ranks[r]->Broadcast(&value, 1, round % n, OpOptions::WithTimeout(timeout)));
      if (value != float(round % n)) return absl::InternalError("broadcast");
    }
    return absl::OkStatus();
  });
  for (int r = 0; r < n; ++r) EXPECT_OK(statuses[r]) << "rank " << r;
}


// gRPC's health check, answered on the collective's own queue: SERVING until the worker says
// otherwise, NOT_FOUND for services the server does not host; and the process gains no
// callback-API ("nexting") threads, which would poll the collective's sockets too (2-3x slower
// all-reduces; collective_service.cc). In this binary, which hosts no callback service.
TEST(CollectiveHealthTest, AnswersOnItsOwnQueueWithoutCallbackThreads) {
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0"));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  using Response = grpc::health::v1::HealthCheckResponse;
  auto check = [&](const std::string& service, Response* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    return stub->Check(&ctx, request, response);
  };
  Response response;
  grpc::Status s = check("", &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.status(), Response::SERVING);
  server->service()->SetServing(false);
  ASSERT_TRUE(check("", &response).ok());
  EXPECT_EQ(response.status(), Response::NOT_SERVING);
  ASSERT_TRUE(check("tandem.v1.CollectiveService", &response).ok());
  EXPECT_EQ(response.status(), Response::NOT_SERVING);
  server->service()->SetServing(true);
  ASSERT_TRUE(check("tandem.v1.CollectiveService", &response).ok());
  EXPECT_EQ(response.status(), Response::SERVING);
  EXPECT_EQ(check("no.such.Service", &response).error_code(), grpc::StatusCode::NOT_FOUND);

  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    EXPECT_EQ(name.find("nexting"), std::string::npos) << "thread " << name;
  }
}

}  // namespace
}  // namespace tandem::collective
