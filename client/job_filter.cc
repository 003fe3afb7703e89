#include "client/job_filter.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/job_spec.h"
#include "common/job_states.h"

namespace tandem {

absl::StatusOr<std::vector<v1::JobInfo>> FilterJobs(std::vector<v1::JobInfo> jobs,
                                                    const std::string& state,
                                                    const std::string& name,
                                                    const std::vector<std::string>& labels) {
  std::vector<std::pair<std::string, std::optional<std::string>>> wanted;
  for (const std::string& l : labels) {
    const size_t eq = l.find('=');
    const std::string key = l.substr(0, eq);
    absl::Status valid = CheckLabel(key, "");
    if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat("--label ", l, ": ", valid.message()));
    if (eq == std::string::npos) {
      wanted.emplace_back(key, std::nullopt);
    } else {
      wanted.emplace_back(key, l.substr(eq + 1));
    }
  }
  auto labels_match = [&](const v1::JobInfo& job) {
    for (const auto& [key, value] : wanted) {
      auto it = job.spec().labels().find(key);
      if (it == job.spec().labels().end() || (value.has_value() && it->second != *value)) {
        return false;
      }
    }
    return true;
  };
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
    if (state_ok && (name.empty() || job.spec().name() == name) && labels_match(job)) {
      out.push_back(std::move(job));
    }
  }
  return out;
}

}  // namespace tandem
