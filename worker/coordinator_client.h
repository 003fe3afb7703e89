// The worker's connection to the coordinator's ControlService. gRPC stays inside the .cc.
#ifndef TANDEM_WORKER_COORDINATOR_CLIENT_H_
#define TANDEM_WORKER_COORDINATOR_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/transport_security.h"
#include "tandem/v1/control_service.pb.h"

namespace tandem {

class CoordinatorClient {
 public:
  // `target` is the coordinator's host:port, reached through `security`. Every call has
  // `timeout` as its deadline. Join presents `join_token` (if not empty); every later call
  // presents the session token the last Join returned.
  CoordinatorClient(const std::string& target, std::chrono::milliseconds timeout,
                    const TransportSecurity& security = {}, std::string join_token = "");
  ~CoordinatorClient();

  absl::StatusOr<tandem::v1::JoinResponse> Join(const tandem::v1::JoinRequest& request);
  // With the log lines logged since the last heartbeat (LogShipper::Take) and, if given,
  // what the collective waits for (HeartbeatRequest.collective_wait).
  absl::StatusOr<tandem::v1::HeartbeatResponse> Heartbeat(
      const std::string& worker_id, const std::vector<tandem::v1::LogLine>& log_lines = {},
      const tandem::v1::CollectiveWait* wait = nullptr);
  // Streams an artifact into memory, checks its size and SHA-256 (DataLoss on mismatch).
  // At most `max_bytes` are accepted.
  absl::StatusOr<std::string> FetchArtifact(const std::string& worker_id,
                                            const std::string& job_id, const std::string& name,
                                            const std::string& expected_sha256,
                                            uint64_t max_bytes = uint64_t{1} << 32);
  absl::Status ReportReady(const tandem::v1::ReportReadyRequest& request);
  absl::Status Leave(const std::string& worker_id);
  absl::StatusOr<tandem::v1::ProgressResponse> ReportProgress(
      const tandem::v1::ProgressReport& report);
  // Streams a checkpoint file's bytes in 1 MiB chunks (rank 0 of `generation`).
  absl::Status UploadCheckpoint(const std::string& worker_id, const std::string& job_id,
                                uint64_t generation, uint64_t step, bool final,
                                const std::string& data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_COORDINATOR_CLIENT_H_
