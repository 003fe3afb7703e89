// The dashboard and its JSON API on the coordinator's HTTP port: the handler that
// MetricsHttpServer calls for every request (no Beast, no gRPC here).
//
//   GET /metrics                    Prometheus text; a metrics, read or client token
//   GET /, /jobs/<id>               the page (dashboard_page.cc): HTML with its script and
//                                   style inline, no data in it, so no token; the script asks
//                                   for one when the API answers 401
//   GET /api/jobs                   ListJobsResponse (limit, page_token, state, name, label,
//                                   summary), newest first
//   GET /api/jobs/<id>              JobInfo
//   GET /api/jobs/<id>/events       [JobEvent], oldest first (after_seq, limit)
//   GET /api/jobs/<id>/metrics      [MetricPoint] (after_step, max_points)
//   GET /api/workers                [WorkerInfo]
//   GET /api/stream[?job=<id>&after_seq=S&after_step=T]
//                                   Server-Sent Events: "snapshot" (jobs and workers) when it
//                                   changed; with a job also "job", "events" and "metrics"
//   GET /api/jobs/<id>/translate?text=<sentence>[&text=...][&beam=N][&attention=1]
//                                   TranslateResponse: the job's newest model through the
//                                   same model server and limits as `tandem translate --job`
//                                   (at most kMaxDashboardSentences sentences)
//   GET /api/jobs/<id>/model        ModelFilesResponse: the model's files and the kept
//                                   checkpoints
//   GET /api/jobs/<id>/model/<file> one of those files (as `tandem download` writes it)
//   GET /api/jobs/<id>/checkpoints/<step>
//                                   a kept checkpoint
//   POST /api/jobs/<id>/cancel      JobInfo as the cancellation left it; a client token
//
// Translations and file downloads are slow answers (HttpResponse::deferred): they run on the
// HTTP server's pool, never on its event loop.
//
// Every JSON value is written by common/proto_json.h, so each message has exactly the shape
// `tandem --json` prints (client/JSON.md). GETs under /api/ need what the client's reading
// calls need (AccessControl::CheckClient, kRead: a read or client token once tokens are
// configured); cancel needs a client token (a read-only one is 403). A user's client token
// sees and acts on that user's jobs only (AccessControl::CheckOwner): the listing, the
// stream's snapshot and every /api/jobs/<id> path. Errors are JSON
// {"code": "...", "error": "..."} with 400 (a bad id or parameter), 401, 403, 404, 405 or 409.
// Thread-safe.
#ifndef TANDEM_COORDINATOR_DASHBOARD_H_
#define TANDEM_COORDINATOR_DASHBOARD_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "coordinator/access_control.h"
#include "coordinator/coordinator.h"
#include "coordinator/metrics_http_server.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

struct DashboardOptions {
  // False: every /api/ request is refused (403), e.g. a port off loopback without client or
  // read tokens, where CheckClient would let anyone in.
  bool api_allowed = true;
  // True: the API answers only requests whose Host header names a loopback address
  // (127.x.x.x, [::1], localhost): an API open without tokens on loopback must not answer a
  // page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding).
  bool loopback_hosts_only = false;
  // The /metrics text.
  std::function<std::string()> prometheus;
  // An event stream sends a comment when it sent nothing for this long (so that a client
  // that left is noticed, and proxies keep the connection).
  std::chrono::milliseconds keepalive{15000};
  // The newest jobs in a snapshot.
  uint32_t snapshot_jobs = 50;
  // Snapshots are built at most this often, whatever the number of streams.
  std::chrono::milliseconds snapshot_cache{250};
  // /api/jobs/<id>/translate: the model server (JobService.Translate's); not set: 501.
  std::function<absl::StatusOr<tandem::v1::TranslateResponse>(
      const tandem::v1::TranslateRequest&)>
      translate;
};

// The most sentences one /api/jobs/<id>/translate request carries (its URL is bounded too:
// the HTTP server refuses request heads over 8 KiB).
inline constexpr int kMaxDashboardSentences = 16;

class Dashboard {
 public:
  Dashboard(Coordinator* coordinator, AccessControl* access, DashboardOptions options);

  HttpResponse Handle(const HttpRequest& request);

  // The snapshot an event stream sends (without its time): {"jobs": ListJobsResponse of the
  // newest jobs as DashboardJob, "workers": [WorkerInfo]}; with an `owner`, only that user's
  // jobs (what a user's client token may see). One cached snapshot per owner.
  std::string Snapshot(const std::string& owner = "");

  Coordinator& coordinator() { return *c_; }
  const DashboardOptions& options() const { return options_; }

 private:
  HttpResponse Api(const HttpRequest& request);
  HttpResponse Translate(const std::string& id,
                         const std::vector<std::pair<std::string, std::string>>& query);
  HttpResponse ModelFiles(const std::string& id);
  // Sends a file of job `id`: parts[3] of /api/jobs/<id>/model/<file> or .../checkpoints/<step>.
  HttpResponse Download(const std::string& id, const std::string& kind, const std::string& name);

  Coordinator* const c_;
  AccessControl* const access_;
  const DashboardOptions options_;
  absl::Mutex mu_;
  struct CachedSnapshot {
    std::string json;
    std::chrono::steady_clock::time_point time;
  };
  // By owner ("": every job); at most one entry per configured user, plus "".
  std::map<std::string, CachedSnapshot> snapshots_ ABSL_GUARDED_BY(mu_);
};

// What a snapshot keeps of a job: JobSummary, and what the jobs table shows besides
// (progress: loss, tokens/s, validation, start, checkpoint, model; training.max_steps and
// epochs; the deadline).
tandem::v1::JobInfo DashboardJob(const tandem::v1::JobInfo& job);

// The page's HTML (dashboard_page.cc).
const char* DashboardPage();

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_DASHBOARD_H_
