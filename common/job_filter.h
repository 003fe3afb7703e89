// Which jobs a listing shows: `tandem list`'s filters (--state, --name, --label) and
// ListJobsRequest's (state, name, labels), one matcher for both. The coordinator filters
// before it pages; the client filters what it receives again, so that a coordinator from
// before the filters (which sends every job) still gives the right listing.
#ifndef TANDEM_COMMON_JOB_FILTER_H_
#define TANDEM_COMMON_JOB_FILTER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/job_spec.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// Bounds of the filters (they may come from the network): label filters, and the bytes of
// the state and the name.
inline constexpr size_t kMaxFilterLabels = kMaxLabels;
inline constexpr size_t kMaxFilterBytes = 256;

// How a matcher's errors name the filters.
enum class FilterNames {
  kRequest,  // ListJobsRequest's fields: "state: ...", "name: ...", "labels: ..."
  kFlags,    // `tandem list`'s flags: "--state: ...", "--name: ...", "--label KEY: ..."
};

// A job filter, checked once and then applied to any number of jobs.
class JobMatcher {
 public:
  // An empty `state` or `name` matches every job. `state`: a state name as `tandem list`
  // shows it (queued, preparing, waiting_for_workers, running, succeeded, failed, cancelled),
  // "active" (not ended) or "ended". `name`: the job's spec.name, exactly. Each of `labels`
  // is "key=value" (the job has the label with that value) or "key" (it has the label); a
  // job must match all of them. InvalidArgument, naming the filter as `names` says, for an
  // unknown state (listing the accepted ones), a label that is no valid label key (or value),
  // more than kMaxFilterLabels labels, or a state or name over kMaxFilterBytes.
  static absl::StatusOr<JobMatcher> Make(const std::string& state, const std::string& name,
                                         const std::vector<std::string>& labels,
                                         FilterNames names = FilterNames::kRequest);

  // Whether `job` passes every filter. Reads only the state, spec.name and spec.labels, which
  // a summary (ListJobsRequest.summary) keeps.
  bool Matches(const tandem::v1::JobInfo& job) const;

 private:
  enum class StateFilter { kAny, kActive, kEnded, kOne };
  JobMatcher() = default;

  StateFilter state_filter_ = StateFilter::kAny;
  tandem::v1::JobState state_ = tandem::v1::JOB_STATE_UNSPECIFIED;  // with kOne
  std::string name_;
  // key, and the value it must have (none: any value).
  std::vector<std::pair<std::string, std::optional<std::string>>> labels_;
};

// The jobs of `jobs` (in their order) that `matcher` matches: what `tandem list` shows of
// the jobs it received.
std::vector<tandem::v1::JobInfo> FilterJobs(std::vector<tandem::v1::JobInfo> jobs,
                                            const JobMatcher& matcher);

}  // namespace tandem

#endif  // TANDEM_COMMON_JOB_FILTER_H_
