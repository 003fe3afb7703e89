// Test helpers for the collective, free of gRPC: run one function per rank, each on its own
// thread. Header-only, so the collective's tests build without the rest of tests/ (the
// ThreadSanitizer build in collective/README.md).
#ifndef TANDEM_TESTS_TESTING_COLLECTIVE_TESTING_H_
#define TANDEM_TESTS_TESTING_COLLECTIVE_TESTING_H_

#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"

namespace tandem::collective::testing {

// Runs fn(rank) for ranks 0..n-1, one thread each; returns their statuses in rank order.
inline std::vector<absl::Status> RunRanks(int n, const std::function<absl::Status(int)>& fn) {
  std::vector<absl::Status> statuses(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { statuses[r] = fn(r); });
  for (auto& t : threads) t.join();
  return statuses;
}

}  // namespace tandem::collective::testing

#endif  // TANDEM_TESTS_TESTING_COLLECTIVE_TESTING_H_
