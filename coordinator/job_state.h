// The job state machine (see JobState in job.proto for the diagram).
#ifndef TANDEM_COORDINATOR_JOB_STATE_H_
#define TANDEM_COORDINATOR_JOB_STATE_H_

#include <string>

#include "absl/status/status.h"
#include "common/job_states.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// OK if `from` -> `to` is legal; FailedPrecondition naming both states otherwise.
absl::Status CheckTransition(tandem::v1::JobState from, tandem::v1::JobState to);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_JOB_STATE_H_
