#include "collective/in_process.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tandem::collective {
namespace {

std::vector<absl::Status> RunRanks(int n, const std::function<absl::Status(int)>& fn) {
  std::vector<absl::Status> statuses(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { statuses[r] = fn(r); });
  for (auto& t : threads) t.join();
  return statuses;
}

TEST(InProcessTest, AllReduceAndBroadcastOverManyRounds) {
  for (int n : {1, 2, 3, 7}) {
    InProcessGroup group(n);
    std::vector<std::vector<float>> data(n, std::vector<float>(101));
    auto statuses = RunRanks(n, [&](int r) -> absl::Status {
      for (uint64_t seq = 0; seq < 20; ++seq) {
        for (size_t i = 0; i < data[r].size(); ++i) data[r][i] = float((r + 1) * (i + seq));
        auto status = group.rank(r)->AllReduceSum(data[r].data(), data[r].size(),
                                                  OpOptions::WithTimeout(2 * seq, std::chrono::seconds(5)));
        if (!status.ok()) return status;
        for (size_t i = 0; i < data[r].size(); ++i) {
          if (data[r][i] != float(n * (n + 1) / 2 * (i + seq))) {
            return absl::InternalError("wrong sum");
          }
        }
        int root = int(seq) % n;
        data[r].assign(data[r].size(), float(r));
        status = group.rank(r)->Broadcast(data[r].data(), data[r].size(), root,
                                          OpOptions::WithTimeout(2 * seq + 1, std::chrono::seconds(5)));
        if (!status.ok()) return status;
        if (data[r][7] != float(root)) return absl::InternalError("wrong broadcast");
      }
      return absl::OkStatus();
    });
    for (const auto& s : statuses) EXPECT_TRUE(s.ok()) << "n=" << n << ": " << s;
  }
}

TEST(InProcessTest, MissingRankEndsInDeadlineOnEveryOtherRank) {
  InProcessGroup group(3);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> v(5, 1.0f);
    return group.rank(r)->AllReduceSum(v.data(), v.size(),
                                       OpOptions::WithTimeout(0, std::chrono::milliseconds(200)));
  });
  for (const auto& s : statuses) EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  std::vector<float> v(5);  // the group is broken for good
  EXPECT_FALSE(group.rank(2)->AllReduceSum(v.data(), v.size(), OpOptions{}).ok());
}

TEST(InProcessTest, DisagreeingRanksAreRefused) {
  InProcessGroup group(2);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> v(4 + r);
    return group.rank(r)->AllReduceSum(v.data(), v.size(),
                                       OpOptions::WithTimeout(0, std::chrono::seconds(2)));
  });
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kInvalidArgument) << statuses[0];
  EXPECT_EQ(statuses[1].code(), absl::StatusCode::kInvalidArgument) << statuses[1];
}

}  // namespace
}  // namespace tandem::collective
