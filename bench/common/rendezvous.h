// File-based rendezvous for benchmark processes on one machine: each rank publishes its
// collective address in a shared folder and waits for everyone else's.
#ifndef TANDEM_BENCH_COMMON_RENDEZVOUS_H_
#define TANDEM_BENCH_COMMON_RENDEZVOUS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem::bench {

// Writes "<host>:<port>" as rank `rank`'s address under `dir`, then waits (at most 60 s)
// for all `world` ranks' addresses; returns them by rank.
absl::StatusOr<std::vector<std::string>> Rendezvous(const std::string& dir, int rank, int world,
                                                    int port, const std::string& host = "127.0.0.1");

}  // namespace tandem::bench

#endif  // TANDEM_BENCH_COMMON_RENDEZVOUS_H_
