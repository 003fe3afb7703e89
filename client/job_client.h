// The client's connection to the coordinator's JobService. gRPC stays inside the .cc; every
// error comes back as an absl::Status whose message is fit to show a user in one line
// (an unreachable coordinator is Unavailable with the address named).
#ifndef TANDEM_CLIENT_JOB_CLIENT_H_
#define TANDEM_CLIENT_JOB_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport_security.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace tandem {

class JobClient {
 public:
  // The most jobs List asks for in one ListJobs call.
  static constexpr uint32_t kListPageSize = 1000;

  // Calls `target` through `security`, presenting `token` (if not empty) as the bearer.
  JobClient(const std::string& target, std::chrono::milliseconds timeout,
            const TransportSecurity& security = {}, std::string token = "");
  // Calls over `channel` (tests: an in-process server's); errors name it `target`.
  JobClient(std::shared_ptr<grpc::Channel> channel, const std::string& target,
            std::chrono::milliseconds timeout);
  ~JobClient();

  // What an upload reports as it goes: the file, bytes sent so far, its size; `skipped`
  // when the coordinator already held it.
  using UploadProgress = std::function<void(const std::string& file, uint64_t sent,
                                            uint64_t total, bool skipped)>;

  // Uploads every corpus file `spec` names on this machine (streamed in 1 MiB chunks, checked
  // by SHA-256, skipped when the coordinator already holds it) and submits the job with
  // "upload:<sha256>" in their place. A path written "server:/abs/path" names a file on the
  // coordinator's host instead (accepted under its --corpus_root directories only).
  // `*existing` (if given) tells whether the coordinator found a job of the same name and
  // spec instead of making one (SubmitJobResponse.existing).
  absl::StatusOr<std::string> Submit(const tandem::v1::JobSpec& spec,
                                     const UploadProgress& progress = nullptr,
                                     bool* existing = nullptr);
  // Deletes an ended job; returns the bytes its files took.
  absl::StatusOr<uint64_t> Delete(const std::string& id);
  // The job's worker log lines from `offset` (0: the beginning), only `rank`'s if set.
  absl::StatusOr<tandem::v1::GetLogsResponse> Logs(const std::string& id,
                                                   std::optional<uint32_t> rank,
                                                   uint64_t offset);
  // Uploads one file; returns its reference ("upload:<sha256>").
  absl::StatusOr<std::string> Upload(const std::string& path,
                                     const UploadProgress& progress = nullptr);
  absl::StatusOr<tandem::v1::JobInfo> Get(const std::string& id);
  // Every job, whole, newest first (ListMatching with no filters and no limit).
  absl::StatusOr<std::vector<tandem::v1::JobInfo>> List();
  // What ListMatching received: the jobs, newest first, and how many matched the filters in
  // all (the last page's ListJobsResponse.total).
  struct Listing {
    std::vector<tandem::v1::JobInfo> jobs;
    uint64_t total = 0;
  };
  // The jobs `request` asks for (its summary and filters; its limit and page_token are set
  // here), newest first: pages of at most kListPageSize jobs, followed until `limit` jobs
  // (0: all) came or the coordinator says there are no more. A coordinator from before
  // paging ignores the filters and the limit and sends every job (total 0): callers that
  // filter must filter again, and cut to `limit`.
  absl::StatusOr<Listing> ListMatching(tandem::v1::ListJobsRequest request, uint64_t limit = 0);
  absl::StatusOr<tandem::v1::JobInfo> Cancel(const std::string& id);
  // Events with seq > after_seq, oldest first, at most `limit`: the oldest such, or with
  // `newest` the newest; a non-empty `kind` keeps only that kind (ListEventsRequest).
  absl::StatusOr<std::vector<tandem::v1::JobEvent>> Events(const std::string& id,
                                                           int64_t after_seq, uint32_t limit,
                                                           const std::string& kind = "",
                                                           bool newest = false);
  absl::StatusOr<std::vector<tandem::v1::WorkerInfo>> Workers();
  // The coordinator's Tandem version.
  absl::StatusOr<std::string> CoordinatorVersion();
  // The server's answer to gRPC's standard health check (grpc.health.v1) for `service` (""
  // = the server as a whole): true for SERVING, false for any other answer. The target may
  // be a worker's collective address as well as the coordinator's.
  absl::StatusOr<bool> Serving(const std::string& service);
  absl::StatusOr<std::vector<tandem::v1::MetricPoint>> Metrics(const std::string& id);
  // Translation on the coordinator with the job's newest model (JobService.Translate).
  absl::StatusOr<tandem::v1::TranslateResponse> Translate(
      const tandem::v1::TranslateRequest& request);
  // Writes the job's final model files into `dir` (created if needed); returns the bytes.
  // `checkpoints`: also the kept checkpoints, into dir/checkpoints/ (step-NNNNNNN.ckpt). On an
  // error a `dir` this call created is removed.
  absl::StatusOr<uint64_t> DownloadModel(const std::string& id, const std::string& dir,
                                         bool checkpoints = false);

 private:
  absl::StatusOr<uint64_t> DownloadModelInto(const std::string& id, const std::string& dir,
                                             bool checkpoints);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_CLIENT_JOB_CLIENT_H_
