#include "client/job_client.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/grpc_util.h"
#include "common/status.h"
#include "common/utf8.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tandem/v1/job_service.grpc.pb.h"

namespace tandem {
namespace {

// A file name a download may write under its directory: a plain name (no '/', not beginning
// with '.'), or with `checkpoints` also "checkpoints/" and a checkpoint file name.
bool DownloadableName(const std::string& name, bool checkpoints) {
  constexpr absl::string_view kCheckpoints = "checkpoints/";
  if (checkpoints && absl::StartsWith(name, kCheckpoints)) {
    return ParseCheckpointFileName(absl::string_view(name).substr(kCheckpoints.size()))
        .has_value();
  }
  return !name.empty() && name.find('/') == std::string::npos && name[0] != '.';
}

}  // namespace

struct JobClient::Impl {
  std::string target;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::JobService::Stub> stub;
  std::chrono::milliseconds timeout;
  std::string token;

  // A context with a deadline of `timeouts` times the timeout and the client's token.
  std::unique_ptr<grpc::ClientContext> Context(int timeouts = 1) const {
    auto ctx = ContextWithDeadline(timeout * timeouts);
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  // One-line errors: gRPC's connection failures become a sentence naming the address and
  // what is expected there (`server`: the coordinator, or with a health check whichever server
  // --coordinator names, a coordinator or a worker).
  absl::Status Convert(const grpc::Status& s, bool coordinator = true) const {
    if (s.ok()) return absl::OkStatus();
    const std::string who = coordinator ? "the coordinator" : "the server";
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE &&
        (s.error_message().find("andshake") != std::string::npos ||
         s.error_message().find("SSL") != std::string::npos)) {
      return absl::UnavailableError(absl::StrCat(
          "TLS with ", who, " at ", target, " failed (is --tls_ca the deployment's CA, ",
          "and does the server's certificate name this host?): ", s.error_message()));
    }
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
         s.error_message().find("onnect") != std::string::npos)) {
      return absl::UnavailableError(absl::StrCat(
          "cannot reach ", who, " at ", target,
          coordinator ? " (is tandem-coordinator running? set --coordinator or TANDEM_COORDINATOR)"
                      : " (is a tandem-coordinator or tandem-worker listening there?)"));
    }
    return FromGrpcStatus(s);
  }
};

JobClient::JobClient(const std::string& target, std::chrono::milliseconds timeout,
                     const TransportSecurity& security, std::string token)
    : impl_(new Impl{target, MakeChannel(target, security), nullptr, timeout,
                     std::move(token)}) {
  impl_->stub = v1::JobService::NewStub(impl_->channel);
}

JobClient::JobClient(std::shared_ptr<grpc::Channel> channel, const std::string& target,
                     std::chrono::milliseconds timeout)
    : impl_(new Impl{target, std::move(channel), nullptr, timeout, ""}) {
  impl_->stub = v1::JobService::NewStub(impl_->channel);
}

JobClient::~JobClient() = default;

absl::StatusOr<std::string> JobClient::Upload(const std::string& path,
                                              const UploadProgress& progress) {
  // A local file that cannot be read is the user's input, not a missing job (exit code 2).
  absl::StatusOr<std::string> sha = Sha256OfFile(path);
  if (!sha.ok()) return absl::InvalidArgumentError(sha.status().message());
  const std::string sha256 = *sha;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot open ", path));
  const uint64_t total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  {
    auto ctx = impl_->Context();
    v1::HasUploadRequest req;
    req.set_sha256(sha256);
    v1::HasUploadResponse resp;
    TANDEM_RETURN_IF_ERROR(impl_->Convert(impl_->stub->HasUpload(ctx.get(), req, &resp)));
    if (resp.present()) {
      if (progress) progress(path, total, total, /*skipped=*/true);
      return absl::StrCat("upload:", sha256);
    }
  }
  // A generous deadline: about 1 MiB/s at worst, and never under a minute.
  auto ctx = impl_->Context(std::max<int>(12, static_cast<int>(total >> 20) / 5));
  v1::UploadFileResponse resp;
  auto writer = impl_->stub->UploadFile(ctx.get(), &resp);
  constexpr size_t kChunk = 1 << 20;
  std::string buf(kChunk, '\0');
  uint64_t sent = 0;
  do {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    v1::UploadChunk chunk;
    if (sent == 0) {
      chunk.set_sha256(sha256);
      chunk.set_total_bytes(total);
    }
    chunk.set_data(buf.data(), n);
    if (!writer->Write(chunk)) break;  // the coordinator refused: Finish says why
    sent += n;
    if (progress) progress(path, sent, total, false);
  } while (sent < total && in);
  writer->WritesDone();
  TANDEM_RETURN_IF_ERROR(Annotate(impl_->Convert(writer->Finish()), path));
  if (sent != total) {
    return absl::DataLossError(absl::StrCat(path, " changed while it was uploaded"));
  }
  return resp.reference();
}

absl::StatusOr<std::string> JobClient::Submit(const v1::JobSpec& spec,
                                              const UploadProgress& progress, bool* existing) {
  v1::SubmitJobRequest req;
  *req.mutable_spec() = spec;
  for (const auto& [field, file] : CorpusFileFields(*req.mutable_spec()->mutable_corpus())) {
    if (file->empty() || absl::StartsWith(*file, "upload:")) continue;
    if (absl::StartsWith(*file, "server:")) {
      *file = file->substr(7);
      continue;
    }
    const std::string local = *file;
    TANDEM_ASSIGN_OR_RETURN(*file, Upload(local, progress));
    // Status shows this name, not where the coordinator stores the upload.
    std::string name = local.substr(local.find_last_of('/') + 1);
    if (name.size() > 255) name.resize(255);
    const bool plain = std::none_of(name.begin(), name.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (!name.empty() && plain && IsValidUtf8(name)) (*req.mutable_file_names())[field] = name;
  }
  // Submission reads the whole corpus on the coordinator: allow it more time.
  auto ctx = impl_->Context(24);
  v1::SubmitJobResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->SubmitJob(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  if (existing != nullptr) *existing = resp.existing();
  return resp.job_id();
}

absl::StatusOr<uint64_t> JobClient::Delete(const std::string& id) {
  auto ctx = impl_->Context();
  v1::DeleteJobRequest req;
  req.set_job_id(id);
  v1::DeleteJobResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->DeleteJob(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return resp.freed_bytes();
}

absl::StatusOr<v1::GetLogsResponse> JobClient::Logs(const std::string& id,
                                                    std::optional<uint32_t> rank,
                                                    uint64_t offset) {
  auto ctx = impl_->Context();
  v1::GetLogsRequest req;
  req.set_job_id(id);
  if (rank.has_value()) req.set_rank(*rank);
  req.set_offset(offset);
  v1::GetLogsResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->GetLogs(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<v1::JobInfo> JobClient::Get(const std::string& id) {
  auto ctx = impl_->Context();
  v1::GetJobRequest req;
  req.set_job_id(id);
  v1::JobInfo resp;
  absl::Status s = impl_->Convert(impl_->stub->GetJob(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<std::vector<v1::JobInfo>> JobClient::List() {
  TANDEM_ASSIGN_OR_RETURN(Listing listing, ListMatching({}));
  return std::move(listing.jobs);
}

absl::StatusOr<JobClient::Listing> JobClient::ListMatching(v1::ListJobsRequest request,
                                                           uint64_t limit) {
  Listing listing;
  request.clear_page_token();
  for (;;) {
    const uint64_t left = limit == 0 ? kListPageSize : limit - listing.jobs.size();
    request.set_limit(static_cast<uint32_t>(std::min<uint64_t>(left, kListPageSize)));
    auto ctx = impl_->Context();
    v1::ListJobsResponse resp;
    absl::Status s = impl_->Convert(impl_->stub->ListJobs(ctx.get(), request, &resp));
    if (!s.ok()) return s;
    listing.total = resp.total();
    listing.jobs.insert(listing.jobs.end(), std::make_move_iterator(resp.mutable_jobs()->begin()),
                        std::make_move_iterator(resp.mutable_jobs()->end()));
    // An empty page that names a next one would never end: taken as the last.
    if (resp.next_page_token().empty() || resp.jobs_size() == 0 ||
        (limit != 0 && listing.jobs.size() >= limit)) {
      return listing;
    }
    request.set_page_token(resp.next_page_token());
  }
}

absl::StatusOr<v1::JobInfo> JobClient::Cancel(const std::string& id) {
  auto ctx = impl_->Context();
  v1::CancelJobRequest req;
  req.set_job_id(id);
  v1::JobInfo resp;
  absl::Status s = impl_->Convert(impl_->stub->CancelJob(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<std::vector<v1::JobEvent>> JobClient::Events(const std::string& id,
                                                            int64_t after_seq, uint32_t limit,
                                                            const std::string& kind,
                                                            bool newest) {
  auto ctx = impl_->Context();
  v1::ListEventsRequest req;
  req.set_job_id(id);
  req.set_after_seq(after_seq);
  req.set_limit(limit);
  req.set_kind(kind);
  req.set_newest(newest);
  v1::ListEventsResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->ListEvents(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return std::vector<v1::JobEvent>(resp.events().begin(), resp.events().end());
}

absl::StatusOr<std::vector<v1::WorkerInfo>> JobClient::Workers() {
  auto ctx = impl_->Context();
  v1::ListWorkersResponse resp;
  absl::Status s =
      impl_->Convert(impl_->stub->ListWorkers(ctx.get(), v1::ListWorkersRequest(), &resp));
  if (!s.ok()) return s;
  return std::vector<v1::WorkerInfo>(resp.workers().begin(), resp.workers().end());
}

absl::StatusOr<std::string> JobClient::CoordinatorVersion() {
  auto ctx = impl_->Context();
  v1::ListWorkersResponse resp;
  TANDEM_RETURN_IF_ERROR(
      impl_->Convert(impl_->stub->ListWorkers(ctx.get(), v1::ListWorkersRequest(), &resp)));
  return resp.coordinator_version().empty() ? "unknown (older than 0.1.0)"
                                            : resp.coordinator_version();
}

absl::StatusOr<bool> JobClient::Serving(const std::string& service) {
  auto ctx = impl_->Context();
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  TANDEM_RETURN_IF_ERROR(impl_->Convert(
      grpc::health::v1::Health::NewStub(impl_->channel)->Check(ctx.get(), req, &resp),
      /*coordinator=*/false));
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

absl::StatusOr<std::vector<v1::MetricPoint>> JobClient::Metrics(const std::string& id) {
  auto ctx = impl_->Context();
  v1::GetMetricsRequest req;
  req.set_job_id(id);
  v1::GetMetricsResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->GetMetrics(ctx.get(), req, &resp));
  if (!s.ok()) return s;
  return std::vector<v1::MetricPoint>(resp.points().begin(), resp.points().end());
}

absl::StatusOr<v1::TranslateResponse> JobClient::Translate(const v1::TranslateRequest& request) {
  // The first request of a job loads its model on the coordinator: allow it more time.
  auto ctx = impl_->Context(24);
  v1::TranslateResponse resp;
  absl::Status s = impl_->Convert(impl_->stub->Translate(ctx.get(), request, &resp));
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<uint64_t> JobClient::DownloadModel(const std::string& id, const std::string& dir,
                                                  bool checkpoints) {
  // The folder is made when the first file arrives, and removed again if this call made it
  // and the download fails: a job without a model leaves nothing behind.
  const bool made_here = !PathExists(dir);
  absl::StatusOr<uint64_t> total = DownloadModelInto(id, dir, checkpoints);
  if (!total.ok() && made_here) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return total;
}

absl::StatusOr<uint64_t> JobClient::DownloadModelInto(const std::string& id,
                                                      const std::string& dir, bool checkpoints) {
  auto ctx = impl_->Context(120);
  v1::DownloadModelRequest req;
  req.set_job_id(id);
  req.set_checkpoints(checkpoints);
  auto reader = impl_->stub->DownloadModel(ctx.get(), req);
  v1::ModelFileChunk chunk;
  std::string current, data;
  uint64_t total = 0;
  while (reader->Read(&chunk)) {
    // File names come from the server: accept only plain names, never paths, and
    // checkpoints/<a checkpoint file name> when checkpoints were asked for.
    if (!DownloadableName(chunk.file(), checkpoints)) {
      ctx->TryCancel();
      reader->Finish();
      return absl::DataLossError(absl::StrCat("download: bad file name '", chunk.file(), "'"));
    }
    if (chunk.file() != current) {
      current = chunk.file();
      data.clear();
    }
    data.append(chunk.data());
    if (chunk.last()) {
      const std::string path = dir + "/" + current;
      TANDEM_RETURN_IF_ERROR(MakeDirs(path.substr(0, path.rfind('/'))));
      TANDEM_RETURN_IF_ERROR(WriteFileAtomic(path, data));
      total += data.size();
    }
  }
  TANDEM_RETURN_IF_ERROR(impl_->Convert(reader->Finish()));
  return total;
}

}  // namespace tandem
