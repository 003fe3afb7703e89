// Sends a worker's log lines to the coordinator (`tandem logs JOB`): installed as the process's
// LogSink, it keeps the lines logged while the worker is on a job, tagged with that job, and
// the heartbeat loop takes them (Take) to send with the next heartbeat. Bounded: it keeps at
// most `capacity` lines, dropping the oldest and saying how many in a line of its own.
#ifndef TANDEM_WORKER_LOG_SHIPPER_H_
#define TANDEM_WORKER_LOG_SHIPPER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

class LogShipper : public LogSink {
 public:
  // `now_ms`: Unix milliseconds (injectable for tests; empty: the system clock).
  explicit LogShipper(size_t capacity = 4096, std::function<int64_t()> now_ms = nullptr);

  // The job lines are tagged with from now on ("" : none; lines are then not kept).
  void SetJob(const std::string& job_id);

  void Send(LogLevel level, absl::string_view line) override;

  // Up to `max_lines` of the oldest lines kept, removed from the buffer.
  std::vector<v1::LogLine> Take(size_t max_lines);
  // Puts lines Take returned back in front (their heartbeat failed), within the capacity.
  void Return(std::vector<v1::LogLine> lines);

 private:
  void DropOldestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  const std::function<int64_t()> now_ms_;
  absl::Mutex mu_;
  std::string job_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::LogLine> lines_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;  // since the last Take
};

}  // namespace tandem

#endif  // TANDEM_WORKER_LOG_SHIPPER_H_
