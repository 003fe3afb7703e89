// The setup step of bench/run coordinator: fills a coordinator's state database with jobs
// through JobStore, the way the coordinator itself writes them (every row a real JobInfo,
// every state change a legal transition with its events), so that the coordinator started
// on it loads real rows.
#ifndef TANDEM_BENCH_COORDINATOR_POPULATE_H_
#define TANDEM_BENCH_COORDINATOR_POPULATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tandem::bench {

struct PopulateOptions {
  std::string db_path;  // state.db of a data directory (created)
  // Jobs in all; the newest `waiting` of them are prepared jobs WAITING_FOR_WORKERS with
  // workers.min = workers.max = `per_job` (the scheduler gives them the simulated workers,
  // which then report progress), the rest have ended: mostly SUCCEEDED after a full run,
  // some FAILED while running, some CANCELLED while queued.
  int jobs = 10;
  int waiting = 1;
  int per_job = 2;
  int64_t now_ms = 0;
};

absl::Status Populate(const PopulateOptions& options);

}  // namespace tandem::bench

#endif  // TANDEM_BENCH_COORDINATOR_POPULATE_H_
