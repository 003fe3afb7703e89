// Names and terminality of job and worker states, shared by the coordinator (state machine,
// events, metrics) and the client (tables, watch, --json).
#ifndef TANDEM_COMMON_JOB_STATES_H_
#define TANDEM_COMMON_JOB_STATES_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// The name people and scripts see for value `number` of enum `type`: the value's name without
// the prefix made from the enum's type name, lower case (JobState's JOB_STATE_RUNNING ->
// "running"). A number the enum does not declare (a newer peer) is the prefix, lower case,
// and the number ("job_state_9"). Text tables and `tandem --json` both use it.
std::string EnumValueName(const google::protobuf::EnumDescriptor& type, int number);

// "queued", "preparing", "waiting_for_workers", ... (EnumValueName).
std::string StateName(tandem::v1::JobState state);
// "idle", "assigned", "lost", "left".
std::string WorkerStateName(tandem::v1::WorkerState state);
// Succeeded, failed or cancelled: no transition leaves these.
bool IsTerminal(tandem::v1::JobState state);

}  // namespace tandem

#endif  // TANDEM_COMMON_JOB_STATES_H_
