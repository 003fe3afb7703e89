#include "client/job_filter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/job_states.h"

namespace tandem {

absl::StatusOr<std::vector<v1::JobInfo>> FilterJobs(std::vector<v1::JobInfo> jobs,
                                                    const std::string& state,
                                                    const std::string& name) {
  std::vector<std::string> known = {"active", "ended"};
  bool state_known = state.empty() || state == "active" || state == "ended";
  for (int s = v1::JOB_STATE_QUEUED; s <= v1::JOB_STATE_CANCELLED; ++s) {
    known.push_back(StateName(static_cast<v1::JobState>(s)));
    state_known |= known.back() == state;
  }
  if (!state_known) {
    return absl::InvalidArgumentError(absl::StrCat("--state: '", state, "' is not one of ",
                                                   absl::StrJoin(known, ", ")));
  }
  std::vector<v1::JobInfo> out;
  for (v1::JobInfo& job : jobs) {
    const bool ended = IsTerminal(job.state());
    const bool state_ok = state.empty() || (state == "active" && !ended) ||
                          (state == "ended" && ended) || StateName(job.state()) == state;
    if (state_ok && (name.empty() || job.spec().name() == name)) out.push_back(std::move(job));
  }
  return out;
}

}  // namespace tandem
