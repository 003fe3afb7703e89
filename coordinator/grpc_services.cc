#include "coordinator/grpc_services.h"

#include "common/version.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/grpc_util.h"
#include "common/status.h"
#include "common/transport_security.h"

namespace tandem {

namespace {

constexpr size_t kChunkBytes = 1 << 20;

std::string Metadata(const grpc::ServerContextBase& ctx, const char* key) {
  auto it = ctx.client_metadata().find(key);
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

Caller CallerOf(const grpc::ServerContextBase& ctx) {
  Caller c;
  c.peer = ctx.peer();
  if (auto auth = ctx.auth_context(); auth != nullptr) c.role = PeerRole(*auth);
  std::string bearer = Metadata(ctx, kAuthorizationMetadata);
  if (absl::StartsWith(bearer, "Bearer ")) c.bearer = bearer.substr(7);
  c.session = Metadata(ctx, kSessionMetadata);
  return c;
}

// Answers a unary call of the callback API: the refusal when `allowed` is not OK, else
// what `serve()` returns (a StatusOr of the response), all before returning.
template <class Response, class Serve>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx, const absl::Status& allowed,
                                 Response* resp, Serve serve) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  auto r = serve();
  if (r.ok()) *resp = std::move(*r);
  reactor->Finish(r.ok() ? grpc::Status::OK : ToGrpcStatus(r.status()));
  return reactor;
}

absl::Status StatusOf(absl::Status s) { return s; }
template <class T>
absl::Status StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace

// Ends the RPC with the refusal when `check` (a Status or StatusOr) is not OK.
#define TANDEM_GRPC_ALLOW(check)                                   \
  do {                                                             \
    absl::Status tandem_allow_ = StatusOf(check);                  \
    if (!tandem_allow_.ok()) return ToGrpcStatus(tandem_allow_);   \
  } while (0)

absl::StatusOr<ClientIdentity> JobServiceImpl::Allow(grpc::ServerContext* ctx,
                                                     const char* method, ClientAccess access) {
  if (access_ == nullptr) return ClientIdentity{"", true};
  return access_->CheckClient(CallerOf(*ctx), method, access);
}

absl::StatusOr<ClientIdentity> JobServiceImpl::AllowJob(grpc::ServerContext* ctx,
                                                        const char* method, ClientAccess access,
                                                        const std::string& job_id) {
  if (access_ == nullptr) return ClientIdentity{"", true};
  return access_->CheckJobCall(CallerOf(*ctx), method, access, job_id,
                               [this](const std::string& id) { return c_->JobOwner(id); });
}

absl::Status ControlServiceImpl::Allow(grpc::ServerContextBase* ctx, const char* method,
                                       const std::string& worker_id) {
  const Caller caller = CallerOf(*ctx);
  if (access_ != nullptr) TANDEM_RETURN_IF_ERROR(access_->CheckWorker(caller, method));
  absl::Status session = c_->AuthenticateWorker(worker_id, caller.session);
  if (session.code() == absl::StatusCode::kUnauthenticated && access_ != nullptr) {
    return access_->Refuse(caller, method, "wrong_session", session);
  }
  return session;
}

grpc::Status JobServiceImpl::SubmitJob(grpc::ServerContext* ctx, const v1::SubmitJobRequest* req,
                                       v1::SubmitJobResponse* resp) {
  auto who = Allow(ctx, "SubmitJob", ClientAccess::kChange);
  TANDEM_GRPC_ALLOW(who);
  bool existing = false;
  auto id = c_->SubmitJob(req->spec(), &existing,
                          {req->file_names().begin(), req->file_names().end()}, who->user);
  if (!id.ok()) return ToGrpcStatus(id.status());
  resp->set_job_id(*id);
  resp->set_existing(existing);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::DeleteJob(grpc::ServerContext* ctx, const v1::DeleteJobRequest* req,
                                       v1::DeleteJobResponse* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "DeleteJob", ClientAccess::kChange, req->job_id()));
  auto freed = c_->DeleteJob(req->job_id());
  if (!freed.ok()) return ToGrpcStatus(freed.status());
  resp->set_freed_bytes(*freed);
  resp->set_job_id(req->job_id());
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::GetLogs(grpc::ServerContext* ctx, const v1::GetLogsRequest* req,
                                     v1::GetLogsResponse* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "GetLogs", ClientAccess::kRead, req->job_id()));
  std::optional<uint32_t> rank;
  if (req->has_rank()) rank = req->rank();
  auto page = c_->GetLogs(req->job_id(), rank, req->offset());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& l : page->lines) *resp->add_lines() = std::move(l);
  resp->set_next_offset(page->next_offset);
  resp->set_more(page->more);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::GetJob(grpc::ServerContext* ctx, const v1::GetJobRequest* req,
                                    v1::JobInfo* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "GetJob", ClientAccess::kRead, req->job_id()));
  auto job = c_->GetJob(req->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *resp = std::move(*job);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::ListJobs(grpc::ServerContext* ctx, const v1::ListJobsRequest* req,
                                      v1::ListJobsResponse* resp) {
  auto who = Allow(ctx, "ListJobs", ClientAccess::kRead);
  TANDEM_GRPC_ALLOW(who);
  // A user lists its own jobs (and those of no owner) only.
  auto listed = c_->ListJobs(*req, who->all_jobs ? "" : who->user);
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  *resp = std::move(*listed);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::CancelJob(grpc::ServerContext* ctx, const v1::CancelJobRequest* req,
                                       v1::JobInfo* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "CancelJob", ClientAccess::kChange, req->job_id()));
  auto job = c_->CancelJob(req->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  *resp = std::move(*job);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::ListEvents(grpc::ServerContext* ctx, const v1::ListEventsRequest* req,
                                        v1::ListEventsResponse* resp) {
  // An empty id (every job's events) has no owner to look up: AllowJob checks the token only.
  auto who = AllowJob(ctx, "ListEvents", ClientAccess::kRead, req->job_id());
  TANDEM_GRPC_ALLOW(who);
  // Every job's events: a user sees its own jobs' only.
  auto events = c_->ListEvents(req->job_id(), req->after_seq(), req->limit(),
                               who->all_jobs ? "" : who->user, {req->kind(), req->newest()});
  if (!events.ok()) return ToGrpcStatus(events.status());
  for (auto& e : *events) *resp->add_events() = std::move(e);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::ListWorkers(grpc::ServerContext* ctx, const v1::ListWorkersRequest*,
                                         v1::ListWorkersResponse* resp) {
  auto who = Allow(ctx, "ListWorkers", ClientAccess::kRead);
  TANDEM_GRPC_ALLOW(who);
  for (auto& w : c_->ListWorkers(who->all_jobs ? "" : who->user)) {
    *resp->add_workers() = std::move(w);
  }
  resp->set_coordinator_version(TandemVersion());
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::GetMetrics(grpc::ServerContext* ctx, const v1::GetMetricsRequest* req,
                                        v1::GetMetricsResponse* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "GetMetrics", ClientAccess::kRead, req->job_id()));
  auto points = c_->GetMetrics(req->job_id());
  if (!points.ok()) return ToGrpcStatus(points.status());
  for (auto& p : *points) *resp->add_points() = std::move(p);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::DownloadModel(grpc::ServerContext* ctx,
                                           const v1::DownloadModelRequest* req,
                                           grpc::ServerWriter<v1::ModelFileChunk>* writer) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "DownloadModel", ClientAccess::kRead, req->job_id()));
  auto files = c_->ModelFiles(req->job_id());  // checks the id: the job exists
  if (!files.ok()) return ToGrpcStatus(files.status());
  const size_t model_files = files->size();
  if (req->checkpoints()) {
    for (const CheckpointFile& f : ListCheckpoints(c_->JobDir(req->job_id()) + "/checkpoints")) {
      files->emplace_back("checkpoints/" + CheckpointFileName(f.step), f.path);
    }
  }
  for (size_t i = 0; i < files->size(); ++i) {
    const auto& [name, path] = (*files)[i];
    auto data = ReadFile(path);
    // A checkpoint rotated away since the listing is left out; the model's files are not.
    if (!data.ok() && i >= model_files && absl::IsNotFound(data.status())) continue;
    if (!data.ok()) return ToGrpcStatus(data.status());
    size_t offset = 0;
    do {
      if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
      const size_t n = std::min(kChunkBytes, data->size() - offset);
      v1::ModelFileChunk chunk;
      chunk.set_file(name);
      chunk.set_data(data->data() + offset, n);
      offset += n;
      chunk.set_last(offset == data->size());
      if (!writer->Write(chunk)) return grpc::Status::CANCELLED;
    } while (offset < data->size());
  }
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::Translate(grpc::ServerContext* ctx, const v1::TranslateRequest* req,
                                       v1::TranslateResponse* resp) {
  TANDEM_GRPC_ALLOW(AllowJob(ctx, "Translate", ClientAccess::kRead, req->job_id()));
  if (!translate_) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        "this coordinator was started without translation");
  }
  auto r = translate_(*req);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *resp = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::UploadFile(grpc::ServerContext* ctx,
                                        grpc::ServerReader<v1::UploadChunk>* reader,
                                        v1::UploadFileResponse* resp) {
  TANDEM_GRPC_ALLOW(Allow(ctx, "UploadFile", ClientAccess::kChange));
  v1::UploadChunk chunk;
  if (!reader->Read(&chunk)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty upload");
  }
  const std::string sha256 = chunk.sha256();
  const uint64_t total = chunk.total_bytes();
  // The size and quota are checked here, before anything is written; the chunks go straight
  // to disk.
  auto writer = c_->uploads().Begin(sha256, total);
  if (!writer.ok()) return ToGrpcStatus(writer.status());
  if (*writer != nullptr) {
    do {
      TANDEM_GRPC_ALLOW((*writer)->Append(chunk.data()));
    } while (reader->Read(&chunk));
    TANDEM_GRPC_ALLOW((*writer)->Finish());
  }
  resp->set_reference(kUploadPrefix + sha256);
  resp->set_bytes(total);
  return grpc::Status::OK;
}

grpc::Status JobServiceImpl::HasUpload(grpc::ServerContext* ctx, const v1::HasUploadRequest* req,
                                       v1::HasUploadResponse* resp) {
  TANDEM_GRPC_ALLOW(Allow(ctx, "HasUpload", ClientAccess::kRead));
  TANDEM_GRPC_ALLOW(CheckSha256Hex("upload", req->sha256()));
  resp->set_present(c_->uploads().Keep(req->sha256()));
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ControlServiceImpl::ReportProgress(grpc::CallbackServerContext* ctx,
                                                             const v1::ProgressReport* req,
                                                             v1::ProgressResponse* resp) {
  return Answer(ctx, Allow(ctx, "ReportProgress", req->worker_id()), resp,
                [&] { return c_->ReportProgress(*req); });
}

grpc::Status ControlServiceImpl::UploadCheckpoint(grpc::ServerContext* ctx,
                                                  grpc::ServerReader<v1::CheckpointChunk>* reader,
                                                  v1::UploadCheckpointResponse* resp) {
  // A checkpoint is bounded (parameters + optimizer state of models that fit a worker).
  constexpr uint64_t kMaxCheckpointBytes = uint64_t{8} << 30;
  v1::CheckpointChunk chunk, header;
  std::string data;
  bool first = true;
  while (reader->Read(&chunk)) {
    if (first) {
      // Who uploads, and whether it may, is settled before any data is kept.
      header = chunk;
      first = false;
      TANDEM_GRPC_ALLOW(Allow(ctx, "UploadCheckpoint", header.worker_id()));
      TANDEM_GRPC_ALLOW(c_->CheckUploader(header.worker_id(), header.job_id(),
                                          header.generation(), header.step()));
    }
    if (data.size() + chunk.data().size() > kMaxCheckpointBytes) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "checkpoint larger than the limit of 8 GiB");
    }
    data.append(chunk.data());
  }
  if (first) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "empty checkpoint upload");
  absl::Status s =
      c_->StoreCheckpoint(header.worker_id(), header.job_id(), header.generation(),
                          header.step(), header.final(), data);
  if (!s.ok()) return ToGrpcStatus(s);
  resp->set_bytes(data.size());
  return grpc::Status::OK;
}

grpc::Status ControlServiceImpl::Join(grpc::ServerContext* ctx, const v1::JoinRequest* req,
                                      v1::JoinResponse* resp) {
  if (access_ != nullptr) TANDEM_GRPC_ALLOW(access_->CheckJoin(CallerOf(*ctx)));
  auto r = c_->Join(*req);
  if (!r.ok()) return ToGrpcStatus(r.status());
  *resp = std::move(*r);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ControlServiceImpl::Heartbeat(grpc::CallbackServerContext* ctx,
                                                        const v1::HeartbeatRequest* req,
                                                        v1::HeartbeatResponse* resp) {
  return Answer(ctx, Allow(ctx, "Heartbeat", req->worker_id()), resp, [&] {
    // A wait naming no plausible job id (the ids are path components) is dropped, not kept.
    const bool wait = req->has_collective_wait() &&
                      CheckPathComponent("job id", req->collective_wait().job_id()).ok();
    return c_->Heartbeat(req->worker_id(), {req->log_lines().begin(), req->log_lines().end()},
                         wait ? &req->collective_wait() : nullptr);
  });
}

grpc::Status ControlServiceImpl::FetchArtifact(grpc::ServerContext* ctx,
                                               const v1::FetchArtifactRequest* req,
                                               grpc::ServerWriter<v1::ArtifactChunk>* writer) {
  TANDEM_GRPC_ALLOW(Allow(ctx, "FetchArtifact", req->worker_id()));
  auto path = c_->ArtifactFile(req->worker_id(), req->job_id(), req->name());
  if (!path.ok()) return ToGrpcStatus(path.status());
  auto sha = Sha256OfFile(*path);
  if (!sha.ok()) return ToGrpcStatus(sha.status());
  std::ifstream in(*path, std::ios::binary | std::ios::ate);
  if (!in) return grpc::Status(grpc::StatusCode::NOT_FOUND, "artifact file missing: " + *path);
  const uint64_t total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  uint64_t offset = 0;
  std::string buf(kChunkBytes, '\0');
  do {
    if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    v1::ArtifactChunk chunk;
    chunk.set_data(buf.data(), n);
    chunk.set_offset(offset);
    chunk.set_total_bytes(total);
    chunk.set_sha256(*sha);
    offset += n;
    if (!writer->Write(chunk)) return grpc::Status::CANCELLED;
  } while (offset < total);
  return grpc::Status::OK;
}

grpc::Status ControlServiceImpl::ReportReady(grpc::ServerContext* ctx,
                                             const v1::ReportReadyRequest* req,
                                             v1::ReportReadyResponse*) {
  TANDEM_GRPC_ALLOW(Allow(ctx, "ReportReady", req->worker_id()));
  return ToGrpcStatus(c_->ReportReady(*req));
}

grpc::Status ControlServiceImpl::Leave(grpc::ServerContext* ctx, const v1::LeaveRequest* req,
                                       v1::LeaveResponse*) {
  TANDEM_GRPC_ALLOW(Allow(ctx, "Leave", req->worker_id()));
  return ToGrpcStatus(c_->Leave(req->worker_id()));
}

}  // namespace tandem
