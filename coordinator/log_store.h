// The log lines a job's workers send with their heartbeats (`tandem logs`), one append-only
// file per job: <data_dir>/jobs/<id>/worker.log, a line per LogLine
//   unix_ms TAB rank TAB worker_id TAB text
// Texts are one line (CR, LF and TAB become spaces) of at most kMaxLogLineBytes. A job's file
// stops growing at `max_bytes_per_job`: the first line refused is replaced by one marker line
// saying so, later ones are dropped. Offsets handed to readers are byte offsets into the file.
//
// Thread-safe (one mutex; appends and reads are short file operations).
#ifndef TANDEM_COORDINATOR_LOG_STORE_H_
#define TANDEM_COORDINATOR_LOG_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

class LogStore {
 public:
  LogStore(std::string data_dir, uint64_t max_bytes_per_job)
      : data_dir_(std::move(data_dir)), max_bytes_(max_bytes_per_job) {}

  // Appends `lines` (job_id, rank and worker_id already set by the caller from its records)
  // to the job's file. The job's directory must exist (it does once the job is prepared).
  absl::Status Append(const std::string& job_id, const std::vector<v1::LogLine>& lines);

  struct Page {
    std::vector<v1::LogLine> lines;
    uint64_t next_offset = 0;
    bool more = false;  // lines past next_offset were not returned (the page was full)
  };
  // The lines from byte `offset` on (only `rank`'s when set), about `max_bytes` of file at
  // most. A job without lines yet reads as empty; an offset past the end returns it unchanged.
  absl::StatusOr<Page> Read(const std::string& job_id, std::optional<uint32_t> rank,
                            uint64_t offset, uint64_t max_bytes = 1 << 20);

  // Forgets what it knows of a job whose directory is gone (DeleteJob).
  void Forget(const std::string& job_id);

  // One line as stored: the text made one line and cut to kMaxLogLineBytes.
  static std::string CleanText(const std::string& text);

 private:
  std::string PathOf(const std::string& job_id) const;

  const std::string data_dir_;
  const uint64_t max_bytes_;
  absl::Mutex mu_;
  // Each job's file size as last seen (read from disk on the first append after a start).
  std::map<std::string, uint64_t> sizes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_LOG_STORE_H_
