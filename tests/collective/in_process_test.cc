#include "collective/in_process.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "tests/testing/collective_testing.h"
#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::RunRanks;
using tandem::testing::StatusIs;

TEST(InProcessTest, AllReduceAndBroadcastOverManyRounds) {
  for (int n : {1, 2, 3, 7}) {
    InProcessGroup group(n);
    std::vector<std::vector<float>> data(n, std::vector<float>(101));
    auto statuses = RunRanks(n, [&](int r) -> absl::Status {
      for (int seq = 0; seq < 20; ++seq) {
        for (size_t i = 0; i < data[r].size(); ++i) data[r][i] = float((r + 1) * (i + seq));
        TANDEM_RETURN_IF_ERROR(group.rank(r)->AllReduceSum(
            data[r].data(), data[r].size(), OpOptions::WithTimeout(std::chrono::seconds(5))));
        for (size_t i = 0; i < data[r].size(); ++i) {
          if (data[r][i] != float(n * (n + 1) / 2 * (i + seq))) {
            return absl::InternalError("wrong sum");
          }
        }
        int root = int(seq) % n;
        data[r].assign(data[r].size(), float(r));
        TANDEM_RETURN_IF_ERROR(group.rank(r)->Broadcast(
            data[r].data(), data[r].size(), root, OpOptions::WithTimeout(std::chrono::seconds(5))));
        if (data[r][7] != float(root)) return absl::InternalError("wrong broadcast");
      }
      return absl::OkStatus();
    });
    for (const auto& s : statuses) EXPECT_OK(s) << "n=" << n;
  }
}

TEST(InProcessTest, MissingRankEndsInDeadlineOnEveryOtherRank) {
  InProcessGroup group(3);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> v(5, 1.0f);
    return group.rank(r)->AllReduceSum(v.data(), v.size(),
                                       OpOptions::WithTimeout(std::chrono::milliseconds(200)));
  });
  for (const auto& s : statuses) EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded));
  std::vector<float> v(5);  // the group is broken for good
  EXPECT_THAT(group.rank(2)->AllReduceSum(v.data(), v.size(), OpOptions{}),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(InProcessTest, DisagreeingRanksAreRefused) {
  InProcessGroup group(2);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> v(4 + r);
    return group.rank(r)->AllReduceSum(v.data(), v.size(),
                                       OpOptions::WithTimeout(std::chrono::seconds(2)));
  });
  EXPECT_THAT(statuses[0], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
  EXPECT_THAT(statuses[1], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
}

// Each rank numbers its own operations; a rank that made one more call (here a broadcast it
// refused itself) is out of step, and the next rendezvous says so.
TEST(InProcessTest, RanksOutOfStepAreRefused) {
  InProcessGroup group(2);
  float x = 0;
  EXPECT_THAT(group.rank(1)->Broadcast(&x, 1, /*root=*/5, OpOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> v(4);
    return group.rank(r)->AllReduceSum(v.data(), v.size(),
                                       OpOptions::WithTimeout(std::chrono::seconds(2)));
  });
  // Whichever rank arrives last compares its number with the other's.
  for (const auto& s : statuses) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            AnyOf(HasSubstr("sequence 0 vs 1"), HasSubstr("sequence 1 vs 0"))));
  }
}

// Rank r contributes `bytes` bytes that depend on r and the position.
std::vector<uint8_t> Contribution(int r, size_t bytes) {
  std::vector<uint8_t> v(bytes);
  for (size_t i = 0; i < bytes; ++i) v[i] = uint8_t(i * 7 + r * 31);
  return v;
}

TEST(InProcessTest, AllGatherPutsEveryRanksBytesInRankOrder) {
  for (int n : {1, 2, 3, 4, 8}) {
    for (size_t bytes : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{1001}}) {
      InProcessGroup group(n);
      std::vector<uint8_t> expected;
      for (int r = 0; r < n; ++r) {
        std::vector<uint8_t> c = Contribution(r, bytes);
        expected.insert(expected.end(), c.begin(), c.end());
      }
      auto statuses = RunRanks(n, [&](int r) -> absl::Status {
        for (int round = 0; round < 3; ++round) {
          std::vector<uint8_t> mine = Contribution(r, bytes);
          std::vector<uint8_t> out(size_t(n) * bytes, 0xEE);
          const void* in = mine.data();
          if (round == 2 && bytes > 0) {  // in place: mine is this rank's part of `out`
            std::memcpy(out.data() + size_t(r) * bytes, mine.data(), bytes);
            in = out.data() + size_t(r) * bytes;
          }
          TANDEM_RETURN_IF_ERROR(group.rank(r)->AllGather(
              in, bytes, out.data(), OpOptions::WithTimeout(std::chrono::seconds(5))));
          if (out != expected) return absl::InternalError(absl::StrCat("round ", round));
        }
        return absl::OkStatus();
      });
      for (int r = 0; r < n; ++r) EXPECT_OK(statuses[r]) << "n=" << n << " bytes=" << bytes;
    }
  }
}

TEST(InProcessTest, AllGatherOfDifferentSizesIsRefused) {
  InProcessGroup group(2);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<uint8_t> mine(3 + r), out(2 * (3 + r));
    return group.rank(r)->AllGather(mine.data(), mine.size(), out.data(),
                                    OpOptions::WithTimeout(std::chrono::seconds(2)));
  });
  for (const auto& s : statuses) EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tandem::collective
