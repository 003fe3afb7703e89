// StallDetector: when a running generation is stalled, who to leave out, and for how long.
//
// A generation is stalled when every member's collective has waited on its peers for at least
// the stall timeout (HeartbeatRequest.collective_wait): nobody computes, so nobody will send.
// A dead or frozen member is found by its heartbeats stopping and a broken stream by gRPC;
// this finds what neither sees: members that all live and all talk to the coordinator but
// cannot reach each other (a partition, a firewall, a link that drops everything). Re-forming
// with the same members would stall again, so the member cut off sits the job out for a
// while: the rank most members could not reach by Ping (CollectiveWait.unreachable_ranks),
// or when all reached all, the most awaited rank; among equals the highest. 30 s the first time
// (--stall_sit_out_ms), doubling at each repeat up to 10 min, while the job goes on without
// it; after that, elastic growth tries it again.
//
// Plain logic over what heartbeats reported, free of gRPC and the store. Not thread-safe (the
// Coordinator's mutex serialises it).
#ifndef TANDEM_COORDINATOR_STALL_DETECTOR_H_
#define TANDEM_COORDINATOR_STALL_DETECTOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// Workers sitting out jobs now: job id -> worker ids (the scheduler gives them other work).
using SitOuts = std::map<std::string, std::set<std::string>>;

class StallDetector {
 public:
  // `stall_timeout_ms` 0: never stalled.
  explicit StallDetector(int64_t stall_timeout_ms, int64_t first_sit_out_ms = 30'000,
                         int64_t max_sit_out_ms = 600'000)
      : stall_timeout_ms_(stall_timeout_ms),
        first_sit_out_ms_(first_sit_out_ms),
        max_sit_out_ms_(max_sit_out_ms) {}

  struct Stall {
    std::string left_out;  // the worker that sits out; empty when nobody is awaited
    int64_t sit_out_ms = 0;
    std::string why;  // for the job's events: who waited for whom, how long
  };
  // Whether the running generation of `job` is stalled, given each member's last reported
  // wait (by rank, as in job.assignments(); nullopt: not waiting, or not for a while), with
  // waited_ms brought up to now. A stall with someone to leave out records the sit-out.
  std::optional<Stall> Check(const tandem::v1::JobInfo& job,
                             const std::vector<std::optional<tandem::v1::CollectiveWait>>& waits,
                             int64_t now_ms);

  // The sit-outs still running at `now_ms`. A sit-out that ended an hour ago is forgotten with
  // its repeat count (the next stall of that worker starts the backoff over), and so are the
  // jobs that ended.
  SitOuts SittingOut(int64_t now_ms);
  static constexpr int64_t kForgetAfterMs = 3'600'000;
  // Forgets a job (ended or deleted).
  void Forget(const std::string& job_id) { sit_outs_.erase(job_id); }

 private:
  struct SitOut {
    int64_t until_ms = 0;
    int times = 0;
  };
  const int64_t stall_timeout_ms_;
  const int64_t first_sit_out_ms_;
  const int64_t max_sit_out_ms_;
  std::map<std::string, std::map<std::string, SitOut>> sit_outs_;  // job -> worker -> sit-out
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_STALL_DETECTOR_H_
