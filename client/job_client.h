// The client's connection to the coordinator's JobService. gRPC stays inside the .cc; every
// error comes back as an absl::Status whose message is fit to show a user in one line
// (an unreachable coordinator is Unavailable with the address named).
#ifndef TANDEM_CLIENT_JOB_CLIENT_H_
#define TANDEM_CLIENT_JOB_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport_security.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

class JobClient {
 public:
  // Calls `target` through `security`, presenting `token` (if not empty) as the bearer.
  JobClient(const std::string& target, std::chrono::milliseconds timeout,
            const TransportSecurity& security = {}, std::string token = "");
  ~JobClient();

  absl::StatusOr<std::string> Submit(const tandem::v1::JobSpec& spec);
  absl::StatusOr<tandem::v1::JobInfo> Get(const std::string& id);
  absl::StatusOr<std::vector<tandem::v1::JobInfo>> List();
  absl::StatusOr<tandem::v1::JobInfo> Cancel(const std::string& id);
  absl::StatusOr<std::vector<tandem::v1::JobEvent>> Events(const std::string& id,
                                                           int64_t after_seq, uint32_t limit);
  absl::StatusOr<std::vector<tandem::v1::WorkerInfo>> Workers();
  absl::StatusOr<std::vector<tandem::v1::MetricPoint>> Metrics(const std::string& id);
  // Translation on the coordinator with the job's newest model (JobService.Translate).
  absl::StatusOr<tandem::v1::TranslateResponse> Translate(
      const tandem::v1::TranslateRequest& request);
  // Writes the job's final model files into `dir` (created if needed); returns the bytes.
  absl::StatusOr<uint64_t> DownloadModel(const std::string& id, const std::string& dir);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_CLIENT_JOB_CLIENT_H_
