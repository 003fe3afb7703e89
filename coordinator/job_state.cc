#include "coordinator/job_state.h"

#include "absl/strings/str_cat.h"

namespace tandem {

using tandem::v1::JobState;

absl::Status CheckTransition(JobState from, JobState to) {
  bool legal = false;
  if (from != v1::JOB_STATE_UNSPECIFIED && !IsTerminal(from) &&
      (to == v1::JOB_STATE_FAILED || to == v1::JOB_STATE_CANCELLED)) {
    legal = true;
  }
  switch (from) {
    case v1::JOB_STATE_QUEUED:
      legal |= to == v1::JOB_STATE_PREPARING;
      break;
    case v1::JOB_STATE_PREPARING:
      legal |= to == v1::JOB_STATE_WAITING_FOR_WORKERS;
      break;
    case v1::JOB_STATE_WAITING_FOR_WORKERS:
      legal |= to == v1::JOB_STATE_RUNNING;
      break;
    case v1::JOB_STATE_RUNNING:
      legal |= to == v1::JOB_STATE_SUCCEEDED || to == v1::JOB_STATE_WAITING_FOR_WORKERS;
      break;
    default:
      break;
  }
  if (legal) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("job state cannot change from ", StateName(from), " to ", StateName(to)));
}


}  // namespace tandem
