// Simulated workers for bench/run coordinator: many lightweight ControlService clients in one
// process, each sending what a real worker sends (worker/worker.cc, progress_reporter.cc):
// Join with its address, hostname, cpus, memory and version; a Heartbeat every interval the
// coordinator names, each after the previous answer; on an assignment a ReportReady (the
// artifacts taken as cached) and then one ReportProgress per simulated step until told to
// stop. Each worker has its own channel and TCP connection, as separate processes would.
// All calls are asynchronous on one completion queue driven by one thread, so the bench's own
// CPU stays small and measurable next to the coordinator's.
#ifndef TANDEM_BENCH_COORDINATOR_SIM_WORKERS_H_
#define TANDEM_BENCH_COORDINATOR_SIM_WORKERS_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace tandem::bench {

struct LoadOptions {
  std::string target;  // the coordinator's host:port (plaintext)
  int workers = 10;
  // Measuring starts once every worker joined and this many train (assigned and ready), or
  // after settle_limit_s if they never do, and then `warmup_s`.
  int expect_assigned = 0;
  double settle_limit_s = 60;
  std::chrono::milliseconds step{1000};  // a rank's step time: one ReportProgress per step
  std::chrono::milliseconds rpc_timeout{5000};  // the real worker's default deadline
  double warmup_s = 3;
  double window_s = 15;
  int coordinator_pid = 0;  // its CPU and memory are read from /proc over the window
  // `tandem` (the CLI): `tandem list` is run and timed during the window, beside ListJobs.
  std::string cli;
  uint64_t memory_bytes = uint64_t{8} << 30;  // what each worker says it may use
};

// Runs the load and returns one JSON object (no newline) with the window's figures:
// latencies of each RPC kind (p50, p99, max, count, errors), ListJobs and `tandem list`
// latencies, the coordinator's CPU (cores) and RSS, this process's CPU, and how long joining
// and being assigned took, and whether they settled at all.
absl::StatusOr<std::string> RunLoad(const LoadOptions& options);

}  // namespace tandem::bench

#endif  // TANDEM_BENCH_COORDINATOR_SIM_WORKERS_H_
