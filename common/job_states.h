// Names and terminality of job and worker states, shared by the coordinator (state machine,
// events, metrics) and the client (tables, watch).
#ifndef TANDEM_COMMON_JOB_STATES_H_
#define TANDEM_COMMON_JOB_STATES_H_

#include <string>

#include "tandem/v1/job.pb.h"

namespace tandem {

// "queued", "preparing", "waiting_for_workers", ... (the enum name, lower case, no prefix).
std::string StateName(tandem::v1::JobState state);
// "idle", "assigned", "lost", "left".
std::string WorkerStateName(tandem::v1::WorkerState state);
// Succeeded, failed or cancelled: no transition leaves these.
bool IsTerminal(tandem::v1::JobState state);

}  // namespace tandem

#endif  // TANDEM_COMMON_JOB_STATES_H_
