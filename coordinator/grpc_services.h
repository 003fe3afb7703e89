// The coordinator's gRPC adapters: each RPC converts messages, delegates to the Coordinator
// (or the translate function) and converts the status; no logic of their own beyond streaming
// files in chunks and bounding an upload. CoordinatorServer (coordinator_server.h) serves them.
#ifndef TANDEM_COORDINATOR_GRPC_SERVICES_H_
#define TANDEM_COORDINATOR_GRPC_SERVICES_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "coordinator/access_control.h"
#include "coordinator/coordinator.h"
#include "tandem/v1/control_service.grpc.pb.h"
#include "tandem/v1/job_service.grpc.pb.h"

namespace tandem {

// Answers JobService.Translate (ModelServer::Translate in tandem-coordinator; kept behind a
// function so that this library needs no LibTorch).
using TranslateFn =
    std::function<absl::StatusOr<v1::TranslateResponse>(const v1::TranslateRequest&)>;

class JobServiceImpl final : public tandem::v1::JobService::Service {
 public:
  // An empty `translate` answers Translate with UNIMPLEMENTED. `access` (not owned; null:
  // every client call allowed) checks each call's client token.
  JobServiceImpl(Coordinator* coordinator, AccessControl* access, TranslateFn translate = nullptr)
      : c_(coordinator), access_(access), translate_(std::move(translate)) {}
  grpc::Status SubmitJob(grpc::ServerContext*, const v1::SubmitJobRequest*,
                         v1::SubmitJobResponse*) override;
  grpc::Status DeleteJob(grpc::ServerContext*, const v1::DeleteJobRequest*,
                         v1::DeleteJobResponse*) override;
  grpc::Status GetLogs(grpc::ServerContext*, const v1::GetLogsRequest*,
                       v1::GetLogsResponse*) override;
  grpc::Status GetJob(grpc::ServerContext*, const v1::GetJobRequest*, v1::JobInfo*) override;
  grpc::Status ListJobs(grpc::ServerContext*, const v1::ListJobsRequest*,
                        v1::ListJobsResponse*) override;
  grpc::Status CancelJob(grpc::ServerContext*, const v1::CancelJobRequest*,
                         v1::JobInfo*) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest*,
                          v1::ListEventsResponse*) override;
  grpc::Status ListWorkers(grpc::ServerContext*, const v1::ListWorkersRequest*,
                           v1::ListWorkersResponse*) override;
  grpc::Status GetMetrics(grpc::ServerContext*, const v1::GetMetricsRequest*,
                          v1::GetMetricsResponse*) override;
  grpc::Status DownloadModel(grpc::ServerContext*, const v1::DownloadModelRequest*,
                             grpc::ServerWriter<v1::ModelFileChunk>*) override;
  grpc::Status Translate(grpc::ServerContext*, const v1::TranslateRequest*,
                         v1::TranslateResponse*) override;
  grpc::Status UploadFile(grpc::ServerContext*, grpc::ServerReader<v1::UploadChunk>*,
                          v1::UploadFileResponse*) override;
  grpc::Status HasUpload(grpc::ServerContext*, const v1::HasUploadRequest*,
                         v1::HasUploadResponse*) override;

 private:
  // The caller's identity when its token allows `method` (every call allowed without
  // `access_`); AllowJob also when it may act on job `job_id` (its owner, an admin or a read
  // token).
  absl::StatusOr<ClientIdentity> Allow(grpc::ServerContext* ctx, const char* method,
                                       ClientAccess access);
  absl::StatusOr<ClientIdentity> AllowJob(grpc::ServerContext* ctx, const char* method,
                                          ClientAccess access, const std::string& job_id);

  Coordinator* c_;
  AccessControl* access_;
  TranslateFn translate_;
};

// Heartbeat and ReportProgress, the calls every worker makes every interval and every step
// (2,500 a second from 1,000 workers), are served on gRPC's callback API: each runs on the
// thread that read the request, without the synchronous server's hand-off to a pool thread
// and back per call (most of the coordinator's CPU at that scale: BENCHMARKS.md). So they
// must not block for long: Coordinator::Heartbeat takes no lock held across a write to
// SQLite, ReportProgress only the coordinator's mutex, whose holders write at most one
// transaction (the tick's progress, once a second). The other calls stay synchronous.
class ControlServiceImpl final
    : public tandem::v1::ControlService::WithCallbackMethod_Heartbeat<
          tandem::v1::ControlService::WithCallbackMethod_ReportProgress<
              tandem::v1::ControlService::Service>> {
 public:
  // Every call but Join needs the worker's session (Coordinator::AuthenticateWorker);
  // `access` (not owned; null: no certificate or join token needed) checks the rest.
  ControlServiceImpl(Coordinator* coordinator, AccessControl* access)
      : c_(coordinator), access_(access) {}
  grpc::Status Join(grpc::ServerContext*, const v1::JoinRequest*, v1::JoinResponse*) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext*, const v1::HeartbeatRequest*,
                                      v1::HeartbeatResponse*) override;
  grpc::Status FetchArtifact(grpc::ServerContext*, const v1::FetchArtifactRequest*,
                             grpc::ServerWriter<v1::ArtifactChunk>*) override;
  grpc::Status ReportReady(grpc::ServerContext*, const v1::ReportReadyRequest*,
                           v1::ReportReadyResponse*) override;
  grpc::Status Leave(grpc::ServerContext*, const v1::LeaveRequest*, v1::LeaveResponse*) override;
  grpc::ServerUnaryReactor* ReportProgress(grpc::CallbackServerContext*,
                                           const v1::ProgressReport*,
                                           v1::ProgressResponse*) override;
  grpc::Status UploadCheckpoint(grpc::ServerContext*, grpc::ServerReader<v1::CheckpointChunk>*,
                                v1::UploadCheckpointResponse*) override;

 private:
  // The worker certificate (with TLS) and the session of `worker_id`.
  absl::Status Allow(grpc::ServerContextBase* ctx, const char* method,
                     const std::string& worker_id);

  Coordinator* c_;
  AccessControl* access_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_GRPC_SERVICES_H_
