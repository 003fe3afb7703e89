// The client side of bench/run coordinator (run.sh starts the coordinator):
//
//   tandem_coordinator_bench populate --db=PATH --jobs=N --waiting=R --per_job=K
//       fills a state database with N jobs through JobStore (populate.h)
//   tandem_coordinator_bench load --target=HOST:PORT --workers=W --expect_assigned=A
//       --coordinator_pid=PID [--cli=PATH] [--step_ms=MS] [--warmup_s=S] [--window_s=S]
//       runs W simulated workers against the coordinator (sim_workers.h) and prints one JSON
//       line with the window's latencies, CPU and memory
//
// No LibTorch: only the coordinator's store, the protos and gRPC.
#include <chrono>
#include <iostream>

#include "absl/strings/numbers.h"
#include "bench/coordinator/populate.h"
#include "bench/coordinator/sim_workers.h"
#include "common/flags.h"
#include "common/status.h"

namespace tandem::bench {
namespace {

absl::Status Main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  TANDEM_ASSIGN_OR_RETURN(
      const ParsedArgs a,
      ParseArgs({argv + std::min(argc, 2), argv + argc},
                {{"db", true, "populate: the state database to fill", "PATH"},
                 {"jobs", true, "populate: jobs in all", "N", "10"},
                 {"waiting", true, "populate: of which prepared and waiting for workers", "R", "1"},
                 {"per_job", true, "populate: workers.min = workers.max of those", "K", "2"},
                 {"target", true, "load: the coordinator", "HOST:PORT"},
                 {"workers", true, "load: simulated workers", "W", "10"},
                 {"expect_assigned", true, "load: workers training before measuring", "A", "0"},
                 {"coordinator_pid", true, "load: whose CPU and memory to read", "PID", "0"},
                 {"cli", true, "load: the tandem CLI, for timing `tandem list`", "PATH"},
                 {"step_ms", true, "load: a rank's step time", "MS", "1000"},
                 {"warmup_s", true, "load: seconds after settling before measuring", "S", "3"},
                 {"window_s", true, "load: seconds measured", "S", "15"}}));
  if (mode == "populate") {
    PopulateOptions o;
    o.db_path = a.Get("db");
    TANDEM_ASSIGN_OR_RETURN(int64_t jobs, a.GetInt("jobs", 1, 1'000'000));
    TANDEM_ASSIGN_OR_RETURN(int64_t waiting, a.GetInt("waiting", 0, jobs));
    TANDEM_ASSIGN_OR_RETURN(int64_t per_job, a.GetInt("per_job", 1, 10'000));
    o.jobs = static_cast<int>(jobs);
    o.waiting = static_cast<int>(waiting);
    o.per_job = static_cast<int>(per_job);
    o.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return Populate(o);
  }
  if (mode == "load") {
    LoadOptions o;
    o.target = a.Get("target");
    o.cli = a.Get("cli");
    TANDEM_ASSIGN_OR_RETURN(int64_t workers, a.GetInt("workers", 1, 100'000));
    TANDEM_ASSIGN_OR_RETURN(int64_t expect, a.GetInt("expect_assigned", 0, workers));
    TANDEM_ASSIGN_OR_RETURN(int64_t pid, a.GetInt("coordinator_pid", 1, 1 << 30));
    TANDEM_ASSIGN_OR_RETURN(int64_t step_ms, a.GetInt("step_ms", 1, 3'600'000));
    o.workers = static_cast<int>(workers);
    o.expect_assigned = static_cast<int>(expect);
    o.coordinator_pid = static_cast<int>(pid);
    o.step = std::chrono::milliseconds(step_ms);
    if (!absl::SimpleAtod(a.Get("warmup_s"), &o.warmup_s) ||
        !absl::SimpleAtod(a.Get("window_s"), &o.window_s)) {
      return absl::InvalidArgumentError("--warmup_s and --window_s take seconds");
    }
    TANDEM_ASSIGN_OR_RETURN(std::string json, RunLoad(o));
    std::cout << json << std::endl;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("usage: tandem_coordinator_bench populate|load --flags");
}

}  // namespace
}  // namespace tandem::bench

int main(int argc, char** argv) {
  absl::Status s = tandem::bench::Main(argc, argv);
  if (!s.ok()) {
    std::cerr << "tandem_coordinator_bench: " << s << std::endl;
    return 1;
  }
  return 0;
}
