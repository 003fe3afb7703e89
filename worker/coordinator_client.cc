#include "worker/coordinator_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/grpc_util.h"
#include "absl/synchronization/mutex.h"
#include "tandem/v1/control_service.grpc.pb.h"

namespace tandem {

struct CoordinatorClient::Impl {
  std::unique_ptr<v1::ControlService::Stub> stub;
  std::chrono::milliseconds timeout;
  std::string join_token;
  absl::Mutex mu;
  std::string session ABSL_GUARDED_BY(mu);  // from the last Join

  // A context with a deadline of `timeouts` times the timeout and the worker's session.
  std::unique_ptr<grpc::ClientContext> Context(int timeouts = 1) {
    auto ctx = ContextWithDeadline(timeout * timeouts);
    absl::MutexLock lock(&mu);
    if (!session.empty()) ctx->AddMetadata("tandem-session", session);
    return ctx;
  }
};

CoordinatorClient::CoordinatorClient(const std::string& target, std::chrono::milliseconds timeout,
                                     const TransportSecurity& security, std::string join_token)
    : impl_(new Impl{v1::ControlService::NewStub(MakeChannel(target, security)), timeout,
                     std::move(join_token)}) {}

CoordinatorClient::~CoordinatorClient() = default;

absl::StatusOr<v1::JoinResponse> CoordinatorClient::Join(const v1::JoinRequest& request) {
  auto ctx = ContextWithDeadline(impl_->timeout);
  if (!impl_->join_token.empty()) ctx->AddMetadata("authorization", "Bearer " + impl_->join_token);
  v1::JoinResponse response;
  grpc::Status s = impl_->stub->Join(ctx.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  absl::MutexLock lock(&impl_->mu);
  impl_->session = response.session_token();
  return response;
}

absl::StatusOr<v1::HeartbeatResponse> CoordinatorClient::Heartbeat(
    const std::string& worker_id, const std::vector<v1::LogLine>& log_lines,
    const v1::CollectiveWait* wait) {
  auto ctx = impl_->Context();
  v1::HeartbeatRequest request;
  request.set_worker_id(worker_id);
  if (wait != nullptr) *request.mutable_collective_wait() = *wait;
  for (const v1::LogLine& l : log_lines) *request.add_log_lines() = l;
  v1::HeartbeatResponse response;
  grpc::Status s = impl_->stub->Heartbeat(ctx.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<std::string> CoordinatorClient::FetchArtifact(const std::string& worker_id,
                                                             const std::string& job_id,
                                                             const std::string& name,
                                                             const std::string& expected_sha256,
                                                             uint64_t max_bytes) {
  // Large artifacts take longer than one RPC timeout: allow a generous transfer deadline.
  auto ctx = impl_->Context(60);
  v1::FetchArtifactRequest request;
  request.set_worker_id(worker_id);
  request.set_job_id(job_id);
  request.set_name(name);
  auto reader = impl_->stub->FetchArtifact(ctx.get(), request);
  std::string data;
  v1::ArtifactChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.offset() != data.size()) {
      ctx->TryCancel();
      reader->Finish();
      return absl::DataLossError(absl::StrCat("artifact ", name, ": chunk at offset ",
                                              chunk.offset(), ", expected ", data.size()));
    }
    if (chunk.total_bytes() > max_bytes || data.size() + chunk.data().size() > max_bytes) {
      ctx->TryCancel();
      reader->Finish();
      return absl::ResourceExhaustedError(
          absl::StrCat("artifact ", name, " is larger than the limit of ", max_bytes, " bytes"));
    }
    data.append(chunk.data());
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return FromGrpcStatus(s);
  const std::string actual = Sha256Hex(data);
  if (actual != expected_sha256) {
    return absl::DataLossError(absl::StrCat("artifact ", name, ": checksum ", actual,
                                            " does not match the expected ", expected_sha256));
  }
  return data;
}

absl::Status CoordinatorClient::ReportReady(const v1::ReportReadyRequest& request) {
  auto ctx = impl_->Context();
  v1::ReportReadyResponse response;
  return FromGrpcStatus(impl_->stub->ReportReady(ctx.get(), request, &response));
}

absl::Status CoordinatorClient::Leave(const std::string& worker_id) {
  auto ctx = impl_->Context();
  v1::LeaveRequest request;
  request.set_worker_id(worker_id);
  v1::LeaveResponse response;
  return FromGrpcStatus(impl_->stub->Leave(ctx.get(), request, &response));
}

absl::StatusOr<v1::ProgressResponse> CoordinatorClient::ReportProgress(
    const v1::ProgressReport& report) {
  auto ctx = impl_->Context();
  v1::ProgressResponse response;
  grpc::Status s = impl_->stub->ReportProgress(ctx.get(), report, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::Status CoordinatorClient::UploadCheckpoint(const std::string& worker_id,
                                                 const std::string& job_id, uint64_t generation,
                                                 uint64_t step, bool final,
                                                 const std::string& data) {
  auto ctx = impl_->Context(60);
  v1::UploadCheckpointResponse response;
  auto writer = impl_->stub->UploadCheckpoint(ctx.get(), &response);
  constexpr size_t kChunk = 1 << 20;
  size_t offset = 0;
  do {
    v1::CheckpointChunk chunk;
    if (offset == 0) {
      chunk.set_worker_id(worker_id);
      chunk.set_job_id(job_id);
      chunk.set_generation(generation);
      chunk.set_step(step);
      chunk.set_final(final);
    }
    const size_t n = std::min(kChunk, data.size() - offset);
    chunk.set_data(data.data() + offset, n);
    offset += n;
    if (!writer->Write(chunk)) break;
  } while (offset < data.size());
  writer->WritesDone();
  return FromGrpcStatus(writer->Finish());
}

}  // namespace tandem
