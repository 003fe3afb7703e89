#include "coordinator/job_listing.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/job_filter.h"
#include "common/status.h"

namespace tandem {
namespace {

// A position in the store's order: the last job of a page.
struct Position {
  int64_t created_unix_ms = 0;
  std::string id;
};

std::string EncodeToken(const v1::JobInfo& last) {
  return absl::StrCat(last.created_unix_ms(), "/", last.id());
}

absl::StatusOr<Position> DecodeToken(const std::string& token) {
  if (token.size() > kMaxPageTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: ", token.size(), " bytes; at most ", kMaxPageTokenBytes));
  }
  Position p;
  const size_t slash = token.find('/');
  if (slash == std::string::npos || !absl::SimpleAtoi(token.substr(0, slash), &p.created_unix_ms) ||
      slash + 1 == token.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: '", token, "' is not a token of a previous ListJobs response"));
  }
  p.id = token.substr(slash + 1);
  return p;
}

// Whether `job` comes after `p` in the store's order (newest first).
bool After(const v1::JobInfo& job, const Position& p) {
  if (job.created_unix_ms() != p.created_unix_ms) return job.created_unix_ms() < p.created_unix_ms;
  return job.id() < p.id;
}

}  // namespace

absl::StatusOr<JobPage> SelectJobPage(const std::vector<std::shared_ptr<const v1::JobInfo>>& jobs,
                                      const v1::ListJobsRequest& request,
                                      const std::string& visible_to) {
  TANDEM_ASSIGN_OR_RETURN(const JobMatcher matcher,
                          JobMatcher::Make(request.state(), request.name(),
                                           {request.labels().begin(), request.labels().end()}));
  if (request.owner().size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner: ", request.owner().size(), " bytes; at most 64"));
  }
  std::optional<Position> start;
  if (!request.page_token().empty()) {
    TANDEM_ASSIGN_OR_RETURN(start, DecodeToken(request.page_token()));
  }
  const size_t limit = request.limit() == 0 ? jobs.size() : request.limit();
  JobPage page;
  bool more = false;  // a matching job after the page
  for (const auto& job : jobs) {
    if (!matcher.Matches(*job)) continue;
    if (!request.owner().empty() && job->owner() != request.owner()) continue;
    if (!visible_to.empty() && !job->owner().empty() && job->owner() != visible_to) continue;
    ++page.total;
    if (start.has_value() && !After(*job, *start)) continue;
    if (page.jobs.size() < limit) {
      page.jobs.push_back(job);
    } else {
      more = true;
    }
  }
  if (more) page.next_page_token = EncodeToken(*page.jobs.back());
  return page;
}

}  // namespace tandem
