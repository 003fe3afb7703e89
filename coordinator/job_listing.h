// ListJobsRequest's filters and paging over the stored jobs (Coordinator::ListJobs): which
// jobs a page holds, how many match in all, and the token of the next page.
#ifndef TANDEM_COORDINATOR_JOB_LISTING_H_
#define TANDEM_COORDINATOR_JOB_LISTING_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

// The longest ListJobsRequest.page_token accepted.
inline constexpr size_t kMaxPageTokenBytes = 256;

struct JobPage {
  std::vector<std::shared_ptr<const tandem::v1::JobInfo>> jobs;  // the page, newest first
  uint64_t total = 0;           // jobs matching the filters, on all pages
  std::string next_page_token;  // empty: this is the last page
};

// The page of `jobs` that `request` asks for (its filters, limit and page_token; summary is
// the caller's). `jobs` must be in the store's order, newest first: created_unix_ms
// descending, then id descending (JobStore::AllJobs). A page token is
// "<created_unix_ms>/<id>" of the last job of the previous page: the page starts at the first
// job after that position, so jobs deleted or added meanwhile neither shift nor repeat the
// rest. InvalidArgument naming the field for a bad filter (JobMatcher) or page_token.
// `visible_to` (a user; empty: every job): only that user's jobs and jobs of no owner, what a
// user's client token may see, whatever the request's filters say.
absl::StatusOr<JobPage> SelectJobPage(
    const std::vector<std::shared_ptr<const tandem::v1::JobInfo>>& jobs,
    const tandem::v1::ListJobsRequest& request, const std::string& visible_to = "");

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_JOB_LISTING_H_
