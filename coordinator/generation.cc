#include "coordinator/generation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/job_states.h"
#include "data/sharding.h"

namespace tandem {

using tandem::v1::JobInfo;

uint32_t NumStreams(const JobInfo& job) { return std::max(1u, job.spec().workers().max()); }

std::vector<uint32_t> StreamShards(const JobInfo& job, uint32_t stream) {
  return ShardsForRank(static_cast<uint32_t>(job.shards_size()), stream, NumStreams(job));
}

v1::WorkAssignment AssignmentFor(const JobInfo& job, const std::string& worker_id) {
  v1::WorkAssignment a;
  a.set_job_id(job.id());
  a.set_generation(job.generation());
  a.set_world_size(static_cast<uint32_t>(job.assignments_size()));
  a.set_deadline_unix_ms(job.deadline_unix_ms());
  a.set_planned_steps(job.generation_planned_steps());
  *a.mutable_spec() = job.spec();
  for (const auto& member : job.assignments()) {
    *a.add_members() = member;
    if (member.worker_id() != worker_id) continue;
    a.set_rank(member.rank());
    for (uint32_t s : member.shards()) *a.add_shards() = job.shards(static_cast<int>(s));
    for (uint32_t stream : member.streams()) {
      v1::DataStream& ds = *a.add_streams();
      ds.set_index(stream);
      for (uint32_t s : StreamShards(job, stream)) ds.add_shards(s);
    }
  }
  for (const auto& [name, sha] : job.artifacts()) (*a.mutable_artifacts())[name] = sha;
  return a;
}

EventDraft AssignedEvent(const JobInfo& job, const std::string& why) {
  std::vector<std::string> ranks;
  for (const auto& member : job.assignments()) ranks.push_back(member.worker_id());
  std::string resume;
  if (job.artifacts().count("checkpoint") > 0) {
    resume = absl::StrCat("; newest checkpoint: step ", job.progress().checkpoint_step());
  }
  return {"assigned",
          absl::StrCat("generation ", job.generation(), " (", why, "): ranks ",
                       absl::StrJoin(ranks, ", "), "; ", job.shards_size(), " shards", resume)};
}

absl::StatusOr<std::vector<EventDraft>> MarkReady(JobInfo& job,
                                                  const v1::ReportReadyRequest& request) {
  if (job.state() != v1::JOB_STATE_RUNNING || job.generation() != request.generation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", job.id(), " is at generation ", job.generation(), " (",
                     StateName(job.state()), "), not ", request.generation()));
  }
  bool all_ready = true;
  bool found = false;
  std::vector<EventDraft> events;
  for (auto& member : *job.mutable_assignments()) {
    if (member.worker_id() == request.worker_id() && !member.ready()) {
      found = true;
      member.set_ready(true);
      events.push_back({"worker_ready",
                        absl::StrCat("rank ", member.rank(), " (", member.worker_id(), ") has its ",
                                     member.shards_size(), " shards and the tokenizer (",
                                     request.fetched_artifacts(), " fetched, ",
                                     request.cached_artifacts(), " from its cache)")});
    } else if (member.worker_id() == request.worker_id()) {
      found = true;
    }
    all_ready &= member.ready();
  }
  if (!found) {
    return absl::PermissionDeniedError(
        absl::StrCat("worker ", request.worker_id(), " is not a member of job ", job.id()));
  }
  if (events.empty()) return events;  // a repeated report
  if (all_ready) {
    job.set_message(absl::StrCat("all ", job.assignments_size(),
                                 " workers have their shards (generation ", job.generation(), ")"));
    events.push_back({"all_ready", job.message()});
  }
  return events;
}

}  // namespace tandem
