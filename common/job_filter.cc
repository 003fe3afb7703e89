#include "common/job_filter.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/job_states.h"

namespace tandem {

absl::StatusOr<JobMatcher> JobMatcher::Make(const std::string& state, const std::string& name,
                                            const std::vector<std::string>& labels,
                                            FilterNames names) {
  const bool flags = names == FilterNames::kFlags;
  auto too_long = [&](const char* field, const std::string& value) {
    return absl::InvalidArgumentError(absl::StrCat(flags ? "--" : "", field, ": ", value.size(),
                                                   " bytes; at most ", kMaxFilterBytes));
  };
  if (state.size() > kMaxFilterBytes) return too_long("state", state);
  if (name.size() > kMaxFilterBytes) return too_long("name", name);
  if (labels.size() > kMaxFilterLabels) {
    return absl::InvalidArgumentError(absl::StrCat(flags ? "--label: " : "labels: ", labels.size(),
                                                   " given; at most ", kMaxFilterLabels));
  }

  JobMatcher m;
  m.name_ = name;
  for (const std::string& l : labels) {
    const size_t eq = l.find('=');
    const std::string key = l.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string::npos) value = l.substr(eq + 1);
    if (absl::Status valid = CheckLabel(key, value.value_or("")); !valid.ok()) {
      // CheckLabel's messages begin "labels: ".
      return absl::InvalidArgumentError(
          flags ? absl::StrCat("--label ", l, ": ", valid.message())
                : absl::StrCat("labels: '", l,
                               "': ", absl::StripPrefix(valid.message(), "labels: ")));
    }
    m.labels_.emplace_back(key, std::move(value));
  }

  std::vector<std::string> known = {"active", "ended"};
  if (state.empty()) {
    m.state_filter_ = StateFilter::kAny;
  } else if (state == "active") {
    m.state_filter_ = StateFilter::kActive;
  } else if (state == "ended") {
    m.state_filter_ = StateFilter::kEnded;
  } else {
    for (int s = v1::JOB_STATE_QUEUED; s <= v1::JOB_STATE_CANCELLED; ++s) {
      known.push_back(StateName(static_cast<v1::JobState>(s)));
      if (known.back() == state) {
        m.state_filter_ = StateFilter::kOne;
        m.state_ = static_cast<v1::JobState>(s);
      }
    }
    if (m.state_filter_ != StateFilter::kOne) {
      return absl::InvalidArgumentError(absl::StrCat(
          flags ? "--" : "", "state: '", state, "' is not one of ", absl::StrJoin(known, ", ")));
    }
  }
  return m;
}

bool JobMatcher::Matches(const v1::JobInfo& job) const {
  switch (state_filter_) {
    case StateFilter::kAny:
      break;
    case StateFilter::kActive:
      if (IsTerminal(job.state())) return false;
      break;
    case StateFilter::kEnded:
      if (!IsTerminal(job.state())) return false;
      break;
    case StateFilter::kOne:
      if (job.state() != state_) return false;
      break;
  }
  if (!name_.empty() && job.spec().name() != name_) return false;
  const auto& have = job.spec().labels();
  for (const auto& [key, value] : labels_) {
    auto it = have.find(key);
    if (it == have.end() || (value.has_value() && it->second != *value)) return false;
  }
  return true;
}

std::vector<v1::JobInfo> FilterJobs(std::vector<v1::JobInfo> jobs, const JobMatcher& matcher) {
  std::vector<v1::JobInfo> out;
  for (v1::JobInfo& job : jobs) {
    if (matcher.Matches(job)) out.push_back(std::move(job));
  }
  return out;
}

}  // namespace tandem
