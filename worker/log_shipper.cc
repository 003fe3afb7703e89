#include "worker/log_shipper.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tandem {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LogShipper::LogShipper(size_t capacity, std::function<int64_t()> now_ms)
    : capacity_(std::max<size_t>(1, capacity)),
      now_ms_(now_ms ? std::move(now_ms) : SystemNowMs) {}

void LogShipper::SetJob(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  job_ = job_id;
}

void LogShipper::DropOldestLocked() {
  lines_.pop_front();
  ++dropped_;
}

void LogShipper::Send(LogLevel, absl::string_view line) {
  absl::MutexLock lock(&mu_);
  if (job_.empty()) return;
  v1::LogLine l;
  l.set_unix_ms(now_ms_());
  l.set_job_id(job_);
  l.set_text(std::string(line));
  if (lines_.size() >= capacity_) DropOldestLocked();
  lines_.push_back(std::move(l));
}

std::vector<v1::LogLine> LogShipper::Take(size_t max_lines) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::LogLine> out;
  if (dropped_ > 0 && max_lines > 0 && !lines_.empty()) {
    // Where the gap is: before the oldest line kept.
    v1::LogLine note;
    note.set_unix_ms(lines_.front().unix_ms());
    note.set_job_id(lines_.front().job_id());
    note.set_text(absl::StrCat("[tandem: ", dropped_,
                               " log lines dropped on the worker (coordinator unreachable or "
                               "lines faster than heartbeats)]"));
    out.push_back(std::move(note));
    dropped_ = 0;
  }
  while (out.size() < max_lines && !lines_.empty()) {
    out.push_back(std::move(lines_.front()));
    lines_.pop_front();
  }
  return out;
}

void LogShipper::Return(std::vector<v1::LogLine> lines) {
  absl::MutexLock lock(&mu_);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (lines_.size() >= capacity_) {
      ++dropped_;  // the oldest of the returned lines go first
      continue;
    }
    lines_.push_front(std::move(*it));
  }
}

}  // namespace tandem
