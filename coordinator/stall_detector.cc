#include "coordinator/stall_detector.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace tandem {

std::optional<StallDetector::Stall> StallDetector::Check(
    const v1::JobInfo& job, const std::vector<std::optional<v1::CollectiveWait>>& waits,
    int64_t now_ms) {
  const int n = job.assignments_size();
  if (stall_timeout_ms_ <= 0 || job.state() != v1::JOB_STATE_RUNNING || n < 2 ||
      static_cast<int>(waits.size()) != n) {
    return std::nullopt;
  }
  // Every member waits, in this generation, for at least the timeout.
  uint64_t shortest = UINT64_MAX;
  // Votes by rank: how many members wait for it, and how many could not reach it.
  std::vector<int> votes(static_cast<size_t>(n), 0), unreachable(static_cast<size_t>(n), 0);
  std::vector<std::string> who_waits;
  for (int rank = 0; rank < n; ++rank) {
    const std::optional<v1::CollectiveWait>& w = waits[static_cast<size_t>(rank)];
    if (!w.has_value() || w->job_id() != job.id() || w->generation() != job.generation() ||
        w->waited_ms() < static_cast<uint64_t>(stall_timeout_ms_)) {
      return std::nullopt;
    }
    shortest = std::min(shortest, w->waited_ms());
    const int awaited = w->awaited_rank();
    if (awaited >= 0 && awaited < n && awaited != rank) ++votes[static_cast<size_t>(awaited)];
    for (const int r : std::set<int>(w->unreachable_ranks().begin(), w->unreachable_ranks().end())) {
      if (r >= 0 && r < n && r != rank) ++unreachable[static_cast<size_t>(r)];
    }
    who_waits.push_back(absl::StrCat(
        "rank ", rank, " (", job.assignments(rank).worker_id(), ") ",
        awaited >= 0 ? absl::StrCat("for rank ", awaited) : std::string("on its sends")));
  }
  Stall stall;
  stall.why = absl::StrFormat("generation %d stalled: no progress for %.1f s, every member waits "
                              "on a peer: %s",
                              job.generation(), shortest / 1000.0, absl::StrJoin(who_waits, ", "));
  // The rank most members could not reach; when every probe reached everyone (or none was
  // made), the most awaited rank. Among equals the highest (rank 0 holds the job's first
  // streams and uploads its checkpoints: it is the last one to leave out).
  auto most = [n](const std::vector<int>& v) {
    int best = -1;
    for (int rank = 0; rank < n; ++rank) {
      if (v[static_cast<size_t>(rank)] > 0 &&
          (best < 0 || v[static_cast<size_t>(rank)] >= v[static_cast<size_t>(best)])) {
        best = rank;
      }
    }
    return best;
  };
  int blamed = most(unreachable);
  const bool by_reach = blamed >= 0;
  if (!by_reach) blamed = most(votes);
  if (blamed < 0) return stall;  // nobody awaited by name: a new generation with everyone
  stall.left_out = job.assignments(blamed).worker_id();
  SitOut& s = sit_outs_[job.id()][stall.left_out];
  ++s.times;
  stall.sit_out_ms = first_sit_out_ms_;
  for (int i = 1; i < s.times && stall.sit_out_ms < max_sit_out_ms_; ++i) stall.sit_out_ms *= 2;
  stall.sit_out_ms = std::min(stall.sit_out_ms, max_sit_out_ms_);
  s.until_ms = now_ms + stall.sit_out_ms;
  const std::string how =
      by_reach ? absl::StrCat("unreachable from ", unreachable[static_cast<size_t>(blamed)],
                              " of ", n - 1, " peers")
               : absl::StrCat("awaited by ", votes[static_cast<size_t>(blamed)]);
  absl::StrAppend(&stall.why, "; ", stall.left_out, " (rank ", blamed, ", ", how,
                  ") is cut off from its peers and sits this job out for ",
                  stall.sit_out_ms / 1000, " s");
  return stall;
}

SitOuts StallDetector::SittingOut(int64_t now_ms) {
  SitOuts out;
  for (auto job = sit_outs_.begin(); job != sit_outs_.end();) {
    for (auto w = job->second.begin(); w != job->second.end();) {
      if (w->second.until_ms > now_ms) out[job->first].insert(w->first);
      w = now_ms - w->second.until_ms > kForgetAfterMs ? job->second.erase(w) : std::next(w);
    }
    job = job->second.empty() ? sit_outs_.erase(job) : std::next(job);
  }
  return out;
}

}  // namespace tandem
