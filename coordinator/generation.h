// A job's generation seen from its data and its members, as plain functions of the JobInfo
// (no registry, no store): the data streams that stay fixed for the job's life, what one
// member is told in its heartbeat, and the members' ready reports.
//
// A generation is one fixed set of workers with ranks (the order of JobInfo.assignments is
// the ring order), peer addresses and data streams; Membership::FormGeneration starts one.
#ifndef TANDEM_COORDINATOR_GENERATION_H_
#define TANDEM_COORDINATOR_GENERATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/job_store.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// A job's data streams (Assignment.streams): workers.max of them, fixed for the job's life,
// so that a generation of any size reads the corpus in the same order.
uint32_t NumStreams(const tandem::v1::JobInfo& job);

// The shards stream `stream` cycles: stream, stream + NumStreams, stream + 2 NumStreams, ...
std::vector<uint32_t> StreamShards(const tandem::v1::JobInfo& job, uint32_t stream);

// The assignment a heartbeat of `worker_id` carries while `job` runs: the job, generation,
// world size, spec, every member (rank and address), and this worker's rank, shards, data
// streams and the job's artifacts.
tandem::v1::WorkAssignment AssignmentFor(const tandem::v1::JobInfo& job,
                                         const std::string& worker_id);

// The "assigned" event of a generation just formed (Membership::FormGeneration): its number,
// `why`, the ranks in order, the shard count and the checkpoint it resumes from, if any.
EventDraft AssignedEvent(const tandem::v1::JobInfo& job, const std::string& why);

// Records the ready report of a member in `job` (the caller stores it with the events).
// FailedPrecondition when the job does not run at the report's generation, PermissionDenied
// when the worker is not a member. Returns the events to append: "worker_ready", and
// "all_ready" (with the job's message set) once every member is ready; none for a repeated
// report.
absl::StatusOr<std::vector<EventDraft>> MarkReady(tandem::v1::JobInfo& job,
                                                  const tandem::v1::ReportReadyRequest& request);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_GENERATION_H_
