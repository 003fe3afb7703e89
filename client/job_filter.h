// `tandem list`'s filters: which jobs a user asked to see.
#ifndef TANDEM_CLIENT_JOB_FILTER_H_
#define TANDEM_CLIENT_JOB_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// The jobs (in their order) whose state matches `state` and whose name is `name`; an empty
// filter matches all. `state`: a state name as `tandem list` shows it (queued, preparing,
// waiting_for_workers, running, succeeded, failed, cancelled), "active" (not ended) or
// "ended". InvalidArgument naming the accepted values for any other. Each of `labels` is
// "key=value" (the job has the label with that value) or "key" (it has the label); a job
// must match all of them.
absl::StatusOr<std::vector<tandem::v1::JobInfo>> FilterJobs(
    std::vector<tandem::v1::JobInfo> jobs, const std::string& state, const std::string& name,
    const std::vector<std::string>& labels = {});

}  // namespace tandem

#endif  // TANDEM_CLIENT_JOB_FILTER_H_
