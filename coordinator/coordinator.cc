#include "coordinator/coordinator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/log.h"
#include "common/status.h"
#include "coordinator/job_state.h"
#include "data/preparer.h"
#include "data/sharding.h"

namespace tandem {

using tandem::v1::JobInfo;
using tandem::v1::JobSpec;
using tandem::v1::WorkerInfo;

namespace {

// A job's data streams (Assignment.streams): workers.max of them, fixed for the job's life;
// stream s cycles shards s, s + streams, s + 2 streams, ...
uint32_t NumStreams(const JobInfo& job) { return std::max(1u, job.spec().workers().max()); }
std::vector<uint32_t> StreamShards(const JobInfo& job, uint32_t stream) {
  return ShardsForRank(static_cast<uint32_t>(job.shards_size()), stream, NumStreams(job));
}

// The slowest rank's compute time minus the fastest's (JobProgress.straggler_ms).
void UpdateStraggler(v1::JobProgress& p) {
  float fastest = 0, slowest = 0;
  std::string slow;
  for (const auto& [id, ms] : p.worker_compute_ms()) {
    if (slow.empty() || ms > slowest) {
      slowest = ms;
      slow = id;
    }
    if (fastest == 0 || ms < fastest) fastest = ms;
  }
  const bool several = p.worker_compute_ms_size() > 1;
  p.set_straggler_ms(several ? slowest - fastest : 0);
  p.set_straggler_worker(several ? slow : "");
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsActiveWorker(const WorkerInfo& w) {
  return w.state() == v1::WORKER_STATE_IDLE || w.state() == v1::WORKER_STATE_ASSIGNED;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Coordinator>> Coordinator::Create(CoordinatorOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
  if (!options.now_ms) options.now_ms = SystemNowMs;
  TANDEM_RETURN_IF_ERROR(MakeDirs(options.data_dir + "/jobs"));
  TANDEM_ASSIGN_OR_RETURN(auto store, JobStore::Open(options.data_dir + "/state.db"));
  std::unique_ptr<Coordinator> c(new Coordinator(std::move(options), std::move(store)));
  TANDEM_RETURN_IF_ERROR(c->Recover());
  return c;
}

Coordinator::Coordinator(CoordinatorOptions options, std::unique_ptr<JobStore> store)
    : options_(std::move(options)), store_(std::move(store)) {}

Coordinator::~Coordinator() { Stop(); }

std::string Coordinator::JobDir(const std::string& id) const {
  return absl::StrCat(options_.data_dir, "/jobs/", id);
}

absl::Status Coordinator::Recover() {
  absl::MutexLock lock(&mu_);
  const int64_t now = Now();
  TANDEM_ASSIGN_OR_RETURN(std::vector<WorkerInfo> workers, store_->ListWorkers());
  for (WorkerInfo& w : workers) {
    WorkerEntry entry;
    entry.info = std::move(w);
    // Workers alive before the restart get a full timeout to reconnect.
    entry.last_heartbeat_ms = now;
    workers_[entry.info.id()] = std::move(entry);
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<JobInfo> jobs, store_->ListJobs());
  for (const JobInfo& job : jobs) {
    if (job.state() == v1::JOB_STATE_PREPARING) {
      // The preparation in flight died with the previous process: queue it again.
      TANDEM_RETURN_IF_ERROR(store_->AppendEvent(
          job.id(), {"recovered", "coordinator restarted during preparation; preparing again"},
          now));
    }
  }
  TANDEM_LOG(INFO) << "recovered " << jobs.size() << " jobs and " << workers_.size()
                   << " workers from " << options_.data_dir;
  return absl::OkStatus();
}

void Coordinator::Start() {
  stop_ = false;
  scheduler_ = std::thread([this] {
    while (!stop_) {
      Tick();
      std::this_thread::sleep_for(options_.tick);
    }
  });
}

void Coordinator::Stop() {
  stop_ = true;
  if (scheduler_.joinable()) scheduler_.join();
  std::thread prep;
  {
    absl::MutexLock lock(&mu_);
    prep = std::move(preparation_thread_);
  }
  if (prep.joinable()) prep.join();
}

// ---------------------------------------------------------------------------------------------
// JobService

absl::StatusOr<std::string> Coordinator::SubmitJob(JobSpec spec) {
  ApplyDefaults(spec);
  TANDEM_RETURN_IF_ERROR(ValidateSpec(spec));
  // Refuse a corpus the coordinator cannot read, or one that is misaligned or not UTF-8,
  // before anything is stored or any worker is assigned.
  TANDEM_RETURN_IF_ERROR(CheckCorpus(spec));
  TANDEM_ASSIGN_OR_RETURN(std::string id, store_->CreateJob(spec, Now()));
  TANDEM_LOG(INFO) << "job " << id << " submitted";
  return id;
}

void Coordinator::MergeProgress(JobInfo& job) {
  auto it = progress_.find(job.id());
  if (it != progress_.end()) *job.mutable_progress() = it->second;
}

absl::StatusOr<JobInfo> Coordinator::GetJob(const std::string& id) {
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(id));
  absl::MutexLock lock(&mu_);
  MergeProgress(job);
  return job;
}

absl::StatusOr<std::vector<JobInfo>> Coordinator::ListJobs() {
  TANDEM_ASSIGN_OR_RETURN(std::vector<JobInfo> jobs, store_->ListJobs());
  absl::MutexLock lock(&mu_);
  for (JobInfo& job : jobs) MergeProgress(job);
  return jobs;
}

absl::StatusOr<JobInfo> Coordinator::CancelJob(const std::string& id) {
  absl::MutexLock lock(&mu_);
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(id));
  if (IsTerminal(job.state())) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " has already ended (", StateName(job.state()), ")"));
  }
  MergeProgress(job);
  ReleaseWorkers(job);
  job.set_state(v1::JOB_STATE_CANCELLED);
  job.set_message("cancelled by the user");
  job.clear_assignments();
  TANDEM_RETURN_IF_ERROR(store_->UpdateJob(job, {}, Now()));
  return store_->GetJob(id);
}

absl::StatusOr<std::vector<v1::JobEvent>> Coordinator::ListEvents(const std::string& id,
                                                                  int64_t after_seq,
                                                                  uint32_t limit) {
  if (!id.empty()) TANDEM_RETURN_IF_ERROR(store_->GetJob(id).status());
  return store_->ListEvents(id, after_seq, limit);
}

absl::StatusOr<std::vector<v1::MetricPoint>> Coordinator::GetMetrics(const std::string& id) {
  TANDEM_RETURN_IF_ERROR(store_->GetJob(id).status());
  TANDEM_ASSIGN_OR_RETURN(std::vector<v1::MetricPoint> points, store_->ListMetrics(id));
  absl::MutexLock lock(&mu_);
  auto it = pending_metrics_.find(id);
  if (it != pending_metrics_.end()) points.insert(points.end(), it->second.begin(), it->second.end());
  return points;
}

std::vector<WorkerInfo> Coordinator::ListWorkers() {
  absl::MutexLock lock(&mu_);
  std::vector<WorkerInfo> out;
  for (const auto& [id, w] : workers_) {
    WorkerInfo info = w.info;
    info.set_last_heartbeat_unix_ms(w.last_heartbeat_ms);
    out.push_back(std::move(info));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ControlService

absl::StatusOr<v1::JoinResponse> Coordinator::Join(const v1::JoinRequest& request) {
  if (request.address().empty() || request.address().size() > 256) {
    return absl::InvalidArgumentError("join: address must be host:port, at most 256 bytes");
  }
  TANDEM_ASSIGN_OR_RETURN(std::string id, store_->NextWorkerId());
  absl::MutexLock lock(&mu_);
  WorkerEntry entry;
  entry.info.set_id(id);
  entry.info.set_address(request.address());
  entry.info.set_hostname(request.hostname().substr(0, 256));
  entry.info.set_cpus(request.cpus());
  entry.info.set_memory_bytes(request.memory_bytes());
  entry.info.set_state(v1::WORKER_STATE_IDLE);
  entry.info.set_joined_unix_ms(Now());
  entry.last_heartbeat_ms = Now();
  PersistWorker(entry);
  workers_[id] = std::move(entry);
  TANDEM_LOG(INFO) << "worker " << id << " joined from " << request.address();
  v1::JoinResponse response;
  response.set_worker_id(id);
  response.set_heartbeat_interval_ms(static_cast<uint32_t>(options_.heartbeat_interval.count()));
  return response;
}

absl::StatusOr<v1::HeartbeatResponse> Coordinator::Heartbeat(const std::string& worker_id) {
  absl::MutexLock lock(&mu_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || !IsActiveWorker(it->second.info)) {
    return absl::NotFoundError(absl::StrCat(
        "unknown worker id '", worker_id, "'",
        it == workers_.end() ? "" : " (it was declared lost or left)", "; join again"));
  }
  WorkerEntry& w = it->second;
  w.last_heartbeat_ms = Now();
  v1::HeartbeatResponse response;
  if (w.info.state() != v1::WORKER_STATE_ASSIGNED) return response;
  auto job = store_->GetJob(w.info.job_id());
  if (!job.ok() || job->state() != v1::JOB_STATE_RUNNING) return response;
  v1::WorkAssignment& a = *response.mutable_assignment();
  a.set_job_id(job->id());
  a.set_generation(job->generation());
  a.set_world_size(static_cast<uint32_t>(job->assignments_size()));
  *a.mutable_spec() = job->spec();
  for (const auto& member : job->assignments()) {
    *a.add_members() = member;
    if (member.worker_id() != worker_id) continue;
    a.set_rank(member.rank());
    for (uint32_t s : member.shards()) *a.add_shards() = job->shards(static_cast<int>(s));
    for (uint32_t stream : member.streams()) {
      v1::DataStream& ds = *a.add_streams();
      ds.set_index(stream);
      for (uint32_t s : StreamShards(*job, stream)) ds.add_shards(s);
    }
  }
  for (const auto& [name, sha] : job->artifacts()) (*a.mutable_artifacts())[name] = sha;
  return response;
}

absl::StatusOr<std::string> Coordinator::ArtifactFile(const std::string& worker_id,
                                                      const std::string& job_id,
                                                      const std::string& name) {
  {
    absl::MutexLock lock(&mu_);
    auto it = workers_.find(worker_id);
    if (it == workers_.end()) {
      return absl::NotFoundError(absl::StrCat("unknown worker id '", worker_id, "'"));
    }
    if (it->second.info.job_id() != job_id ||
        it->second.info.state() != v1::WORKER_STATE_ASSIGNED) {
      return absl::PermissionDeniedError(
          absl::StrCat("worker ", worker_id, " is not a member of job ", job_id));
    }
  }
  return ArtifactPath(JobDir(job_id), name);
}

absl::Status Coordinator::ReportReady(const v1::ReportReadyRequest& request) {
  absl::MutexLock lock(&mu_);
  auto it = workers_.find(request.worker_id());
  if (it == workers_.end() || !IsActiveWorker(it->second.info)) {
    return absl::NotFoundError(absl::StrCat("unknown worker id '", request.worker_id(), "'"));
  }
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(request.job_id()));
  if (job.state() != v1::JOB_STATE_RUNNING || job.generation() != request.generation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", job.id(), " is at generation ", job.generation(), " (",
                     StateName(job.state()), "), not ", request.generation()));
  }
  bool all_ready = true;
  bool found = false;
  std::vector<EventDraft> events;
  for (auto& member : *job.mutable_assignments()) {
    if (member.worker_id() == request.worker_id() && !member.ready()) {
      found = true;
      member.set_ready(true);
      events.push_back(
          {"worker_ready",
           absl::StrCat("rank ", member.rank(), " (", member.worker_id(), ") has its ",
                        member.shards_size(), " shards and the tokenizer (",
                        request.fetched_artifacts(), " fetched, ", request.cached_artifacts(),
                        " from its cache)")});
    } else if (member.worker_id() == request.worker_id()) {
      found = true;
    }
    all_ready &= member.ready();
  }
  if (!found) {
    return absl::PermissionDeniedError(
        absl::StrCat("worker ", request.worker_id(), " is not a member of job ", job.id()));
  }
  if (events.empty()) return absl::OkStatus();  // a repeated report
  if (all_ready) {
    job.set_message(absl::StrCat("all ", job.assignments_size(),
                                 " workers have their shards (generation ", job.generation(),
                                 ")"));
    events.push_back({"all_ready", job.message()});
  }
  return store_->UpdateJob(job, events, Now());
}

absl::Status Coordinator::Leave(const std::string& worker_id) {
  absl::MutexLock lock(&mu_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown worker id '", worker_id, "'"));
  }
  const std::string job_id = it->second.info.job_id();
  it->second.info.set_state(v1::WORKER_STATE_LEFT);
  it->second.info.clear_job_id();
  PersistWorker(it->second);
  if (!job_id.empty()) HandleMemberLoss(job_id, worker_id, "left");
  TANDEM_LOG(INFO) << "worker " << worker_id << " left";
  return absl::OkStatus();
}

absl::StatusOr<v1::ProgressResponse> Coordinator::ReportProgress(const v1::ProgressReport& r) {
  absl::MutexLock lock(&mu_);
  v1::ProgressResponse response;
  auto w = workers_.find(r.worker_id());
  if (w == workers_.end() || !IsActiveWorker(w->second.info)) {
    return absl::NotFoundError(absl::StrCat("unknown worker id '", r.worker_id(), "'"));
  }
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(r.job_id()));
  if (job.state() != v1::JOB_STATE_RUNNING || job.generation() != r.generation() ||
      w->second.info.job_id() != job.id()) {
    response.set_stop(true);
    return response;
  }
  const int64_t now = Now();
  auto [pit, inserted] = progress_.try_emplace(job.id(), job.progress());
  v1::JobProgress& p = pit->second;
  std::vector<EventDraft> events;
  if (!r.error().empty() && r.collective_failure()) {
    // A broken ring: form a new generation of the members still assigned (a dead peer is
    // dropped when its heartbeats stop); the reporting rank's generation is over.
    std::vector<std::string> members;
    for (const auto& m : job.assignments()) {
      auto it = workers_.find(m.worker_id());
      if (it != workers_.end() && it->second.info.state() == v1::WORKER_STATE_ASSIGNED) {
        members.push_back(m.worker_id());
      }
    }
    const std::string why =
        absl::StrCat("rank ", r.rank(), " reported a failed all-reduce: ", r.error());
    TANDEM_RETURN_IF_ERROR(store_->AppendEvent(job.id(), {"collective_failure", why}, now));
    if (members.size() >= job.spec().workers().min()) {
      *job.mutable_progress() = p;
      TANDEM_RETURN_IF_ERROR(AssignGeneration(job, members, "all-reduce failed"));
    }
    response.set_stop(true);
    return response;
  }
  if (!r.error().empty()) {
    ReleaseWorkers(job);
    job.clear_assignments();
    *job.mutable_progress() = p;
    job.set_state(v1::JOB_STATE_FAILED);
    job.set_message(absl::StrCat("rank ", r.rank(), " (", r.worker_id(), "): ", r.error()));
    TANDEM_RETURN_IF_ERROR(store_->UpdateJob(job, {}, now));
    response.set_stop(true);
    return response;
  }
  if (p.started_unix_ms() == 0) p.set_started_unix_ms(now);
  (*p.mutable_worker_tokens_per_second())[r.worker_id()] = r.tokens_per_second();
  (*p.mutable_worker_step())[r.worker_id()] = r.step();
  (*p.mutable_worker_checksum())[r.worker_id()] = r.param_checksum();
  // Step times vary with each batch's lengths: an exponential average shows which rank is
  // steadily slower rather than which drew the longest batch last.
  for (auto [map, value] : {std::pair{p.mutable_worker_compute_ms(), r.compute_ms()},
                            std::pair{p.mutable_worker_wait_ms(), r.comm_wait_ms()}}) {
    auto it = map->find(r.worker_id());
    (*map)[r.worker_id()] = it == map->end() ? value : 0.8f * it->second + 0.2f * value;
  }
  UpdateStraggler(p);
  float total_tps = 0;
  for (const auto& [id, tps] : p.worker_tokens_per_second()) total_tps += tps;
  p.set_tokens_per_second(total_tps);
  // Replicas must hold the same bits after the same step: say so loudly if they do not.
  for (const auto& [id, step] : p.worker_step()) {
    if (id != r.worker_id() && step == r.step() &&
        p.worker_checksum().at(id) != r.param_checksum()) {
      events.push_back({"divergence", absl::StrCat("step ", r.step(), ": parameter checksums of ",
                                                   id, " and ", r.worker_id(), " differ")});
    }
  }
  bool persist = now - progress_saved_ms_[job.id()] >= 1000;
  if (r.rank() == 0) {
    v1::MetricPoint point;
    point.set_step(r.step());
    point.set_unix_ms(now);
    point.set_loss(r.loss());
    point.set_tokens_per_second(total_tps);
    point.set_learning_rate(r.learning_rate());
    point.set_has_validation(r.has_validation());
    point.set_valid_loss(r.valid_loss());
    point.set_valid_bleu(r.valid_bleu());
    pending_metrics_[job.id()].push_back(point);
    p.set_step(r.step());
    p.set_epoch(r.epoch());
    p.set_loss(r.loss());
    p.set_learning_rate(r.learning_rate());
    if (r.has_validation()) {
      p.set_valid_loss(r.valid_loss());
      p.set_valid_bleu(r.valid_bleu());
      p.set_valid_step(r.step());
      if (r.valid_bleu() > p.best_valid_bleu()) p.set_best_valid_bleu(r.valid_bleu());
      events.push_back({"validation", absl::StrFormat("step %d: validation loss %.3f, BLEU %.2f",
                                                      r.step(), r.valid_loss(), r.valid_bleu())});
      persist = true;
    }
  }
  *job.mutable_progress() = p;
  if (r.finished() && r.rank() == 0) {
    if (!p.model_ready()) {
      return absl::FailedPreconditionError("finished without an uploaded final model");
    }
    ReleaseWorkers(job);
    job.clear_assignments();
    job.set_state(v1::JOB_STATE_SUCCEEDED);
    job.set_message(absl::StrFormat("trained %d steps; validation BLEU %.2f (best %.2f)",
                                    p.step(), p.valid_bleu(), p.best_valid_bleu()));
    response.set_stop(true);
    persist = true;
  }
  if (persist || !events.empty()) {
    TANDEM_RETURN_IF_ERROR(store_->UpdateJob(job, events, now));
    const auto& points = pending_metrics_[job.id()];
    TANDEM_RETURN_IF_ERROR(store_->AppendMetrics(job.id(), points));
    auto tb = tensorboard_.try_emplace(job.id(), JobDir(job.id()) + "/tensorboard").first;
    for (const auto& point : points) {
      std::vector<std::pair<std::string, float>> scalars = {
          {"train/loss", point.loss()},
          {"train/tokens_per_second", point.tokens_per_second()},
          {"train/learning_rate", point.learning_rate()}};
      if (point.has_validation()) {
        scalars.push_back({"valid/loss", point.valid_loss()});
        scalars.push_back({"valid/bleu", point.valid_bleu()});
      }
      absl::Status s = tb->second.Add(static_cast<double>(point.unix_ms()) / 1000.0,
                                      static_cast<int64_t>(point.step()), scalars);
      if (!s.ok()) TANDEM_LOG(WARNING) << "tensorboard: " << s;
    }
    pending_metrics_.erase(job.id());
    progress_saved_ms_[job.id()] = now;
  }
  return response;
}

absl::Status Coordinator::StoreCheckpoint(const std::string& worker_id, const std::string& job_id,
                                          uint64_t step, bool final, const std::string& data) {
  JobInfo job;
  {
    absl::MutexLock lock(&mu_);
    auto w = workers_.find(worker_id);
    if (w == workers_.end() || w->second.info.job_id() != job_id) {
      return absl::PermissionDeniedError(
          absl::StrCat("worker ", worker_id, " is not a member of job ", job_id));
    }
    TANDEM_ASSIGN_OR_RETURN(job, store_->GetJob(job_id));
  }
  const std::string dir = JobDir(job_id);
  if (final) {
    const std::string model = dir + "/model";
    TANDEM_RETURN_IF_ERROR(MakeDirs(model));
    for (const char* name : {"source.model", "target.model"}) {
      TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir + "/tokenizer/" + name));
      TANDEM_RETURN_IF_ERROR(WriteFileAtomic(model + "/" + name, bytes));
    }
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(model + "/job.json", SpecToJson(job.spec())));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(model + "/model.ckpt", data));
  } else {
    TANDEM_RETURN_IF_ERROR(MakeDirs(dir + "/checkpoints"));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(
        absl::StrFormat("%s/checkpoints/step-%07d.ckpt", dir, step), data));
    // Keep the newest checkpoints_kept (names sort by step).
    std::vector<std::string> all = ListFiles(dir + "/checkpoints", ".ckpt");
    while (all.size() > job.spec().training().checkpoints_kept()) {
      std::remove(all.front().c_str());
      all.erase(all.begin());
    }
    // The newest checkpoint is also the "checkpoint" artifact a new generation resumes from.
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(*ArtifactPath(dir, "checkpoint"), data));
  }
  absl::MutexLock lock(&mu_);
  auto [pit, inserted] = progress_.try_emplace(job_id, job.progress());
  if (final) {
    pit->second.set_model_ready(true);
  } else {
    pit->second.set_checkpoint_step(step);
  }
  TANDEM_ASSIGN_OR_RETURN(JobInfo current, store_->GetJob(job_id));
  *current.mutable_progress() = pit->second;
  if (!final) (*current.mutable_artifacts())["checkpoint"] = Sha256Hex(data);
  return store_->UpdateJob(
      current,
      {{final ? "model_stored" : "checkpoint",
        final ? absl::StrCat("final model stored (step ", step, ", ", data.size(), " bytes)")
              : absl::StrCat("checkpoint at step ", step, " stored (", data.size(), " bytes)")}},
      Now());
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Coordinator::ModelFiles(
    const std::string& job_id) {
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, GetJob(job_id));
  const std::string dir = JobDir(job_id);
  std::string checkpoint = dir + "/model/model.ckpt";
  if (!job.progress().model_ready() || !PathExists(checkpoint)) {
    const std::vector<std::string> all = ListFiles(dir + "/checkpoints", ".ckpt");
    if (all.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", job_id, " has no checkpoint yet (", StateName(job.state()),
                       job.progress().step() > 0
                           ? absl::StrCat(", step ", job.progress().step(), "; the first comes at step ",
                                          job.spec().training().checkpoint_interval_steps())
                           : std::string(),
                       ")"));
    }
    checkpoint = all.back();
  }
  // job.json is the spec with defaults, as the local mode reads it. Written only when it
  // differs (every translation request asks for these files; a spec never changes).
  const std::string spec_json = SpecToJson(job.spec());
  absl::StatusOr<std::string> written = ReadFile(dir + "/job.json");
  if (!written.ok() || *written != spec_json) {
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/job.json", spec_json));
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"job.json", dir + "/job.json"},
      {"source.model", dir + "/tokenizer/source.model"},
      {"target.model", dir + "/tokenizer/target.model"},
      {"model.ckpt", checkpoint}};
}

// ---------------------------------------------------------------------------------------------
// Scheduling

void Coordinator::Tick() {
  absl::MutexLock lock(&mu_);
  DeclareLostWorkers();
  ScheduleJobs();
}

void Coordinator::PersistWorker(const WorkerEntry& w) {
  WorkerInfo info = w.info;
  info.set_last_heartbeat_unix_ms(w.last_heartbeat_ms);
  absl::Status s = store_->PutWorker(info);
  if (!s.ok()) TANDEM_LOG(ERROR) << "cannot store worker " << info.id() << ": " << s;
}

void Coordinator::DeclareLostWorkers() {
  const int64_t now = Now();
  for (auto& [id, w] : workers_) {
    if (!IsActiveWorker(w.info)) continue;
    if (now - w.last_heartbeat_ms <= options_.worker_timeout.count()) continue;
    const std::string job_id = w.info.job_id();
    TANDEM_LOG(WARNING) << "worker " << id << " lost: no heartbeat for "
                        << (now - w.last_heartbeat_ms) << " ms";
    w.info.set_state(v1::WORKER_STATE_LOST);
    w.info.clear_job_id();
    PersistWorker(w);
    if (!job_id.empty()) {
      HandleMemberLoss(job_id, id,
                       absl::StrCat("lost (no heartbeat for ", now - w.last_heartbeat_ms, " ms)"));
    }
  }
}

void Coordinator::HandleMemberLoss(const std::string& job_id, const std::string& worker_id,
                                   const std::string& why) {
  auto job = store_->GetJob(job_id);
  if (!job.ok() || job->state() != v1::JOB_STATE_RUNNING) return;
  std::vector<std::string> survivors;
  for (const auto& m : job->assignments()) {
    if (m.worker_id() != worker_id) survivors.push_back(m.worker_id());
  }
  const std::string reason = absl::StrCat("worker ", worker_id, " ", why);
  if (survivors.size() >= job->spec().workers().min()) {
    absl::Status s = AssignGeneration(*job, survivors, reason);
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job_id << ": " << s;
    return;
  }
  ReleaseWorkers(*job);
  job->clear_assignments();
  job->set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  job->set_message(absl::StrCat(reason, "; waiting for workers"));
  absl::Status s = store_->UpdateJob(*job, {{"member_lost", reason}}, Now());
  if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job_id << ": " << s;
}

void Coordinator::ReleaseWorkers(const JobInfo& job) {
  for (const auto& m : job.assignments()) {
    auto it = workers_.find(m.worker_id());
    if (it == workers_.end() || it->second.info.job_id() != job.id()) continue;
    if (it->second.info.state() == v1::WORKER_STATE_ASSIGNED) {
      it->second.info.set_state(v1::WORKER_STATE_IDLE);
    }
    it->second.info.clear_job_id();
    it->second.info.set_rank(0);
    PersistWorker(it->second);
  }
}

absl::Status Coordinator::AssignGeneration(JobInfo& job, const std::vector<std::string>& members,
                                           const std::string& why) {
  const uint32_t world = static_cast<uint32_t>(members.size());
  const uint32_t num_shards = static_cast<uint32_t>(job.shards_size());
  if (world > NumStreams(job)) {
    return absl::InternalError(absl::StrCat("job ", job.id(), ": ", world, " workers for ",
                                            NumStreams(job), " data streams"));
  }
  job.clear_assignments();
  job.set_generation(job.generation() + 1);
  // Per-worker figures of workers outside the new generation would skew totals and spreads.
  MergeProgress(job);
  v1::JobProgress& p = *job.mutable_progress();
  const std::set<std::string> in(members.begin(), members.end());
  auto prune = [&in](auto* m) {
    for (auto it = m->begin(); it != m->end();) it = in.count(it->first) ? std::next(it) : m->erase(it);
  };
  prune(p.mutable_worker_tokens_per_second());
  prune(p.mutable_worker_compute_ms());
  prune(p.mutable_worker_wait_ms());
  prune(p.mutable_worker_checksum());
  prune(p.mutable_worker_step());
  float total_tps = 0;
  for (const auto& [id, tps] : p.worker_tokens_per_second()) total_tps += tps;
  p.set_tokens_per_second(total_tps);
  UpdateStraggler(p);
  if (auto it = progress_.find(job.id()); it != progress_.end()) it->second = p;
  for (uint32_t rank = 0; rank < world; ++rank) {
    WorkerEntry& w = workers_.at(members[rank]);
    v1::Assignment& a = *job.add_assignments();
    a.set_worker_id(members[rank]);
    a.set_rank(rank);
    a.set_address(w.info.address());
    for (uint32_t stream : ShardsForRank(NumStreams(job), rank, world)) {
      a.add_streams(stream);
      for (uint32_t s : StreamShards(job, stream)) a.add_shards(s);
    }
    w.info.set_state(v1::WORKER_STATE_ASSIGNED);
    w.info.set_job_id(job.id());
    w.info.set_rank(rank);
    PersistWorker(w);
  }
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_message(absl::StrCat("generation ", job.generation(), ": ", world,
                               " workers fetching their shards"));
  std::string resume;
  if (job.artifacts().count("checkpoint") > 0) {
    resume = absl::StrCat("; newest checkpoint: step ", job.progress().checkpoint_step());
  }
  return store_->UpdateJob(
      job,
      {{"assigned", absl::StrCat("generation ", job.generation(), " (", why, "): ranks ",
                                 absl::StrJoin(members, ", "), "; ", num_shards, " shards",
                                 resume)}},
      Now());
}

void Coordinator::ScheduleJobs() {
  auto jobs = store_->ListJobs();
  if (!jobs.ok()) {
    TANDEM_LOG(ERROR) << "cannot list jobs: " << jobs.status();
    return;
  }
  std::reverse(jobs->begin(), jobs->end());  // oldest first: first come, first served
  std::vector<std::string> free;
  size_t registered = 0;
  for (const auto& [id, w] : workers_) {
    if (!IsActiveWorker(w.info)) continue;
    ++registered;
    if (w.info.state() == v1::WORKER_STATE_IDLE) free.push_back(id);
  }
  for (JobInfo& job : *jobs) {
    if (job.state() == v1::JOB_STATE_QUEUED ||
        (job.state() == v1::JOB_STATE_PREPARING && !preparing_)) {
      // A PREPARING job with no preparation running was interrupted by a restart.
      if (!preparing_) StartPreparation(job);
      continue;
    }
    if (job.state() != v1::JOB_STATE_WAITING_FOR_WORKERS) continue;
    const uint32_t min = job.spec().workers().min();
    const uint32_t max = job.spec().workers().max();
    if (free.size() >= min) {
      const size_t take = std::min<size_t>(max, free.size());
      std::vector<std::string> members(free.begin(), free.begin() + static_cast<long>(take));
      free.erase(free.begin(), free.begin() + static_cast<long>(take));
      absl::Status s = AssignGeneration(job, members, "workers available");
      if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
      continue;
    }
    std::string msg = absl::StrCat("waiting for workers: needs at least ", min, ", ", free.size(),
                                   " free of ", registered, " registered");
    if (min > registered) absl::StrAppend(&msg, " (the job asks for more workers than exist)");
    if (msg != job.message()) {
      job.set_message(msg);
      absl::Status s = store_->UpdateJob(job, {}, Now());
      if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
    }
  }
}

void Coordinator::StartPreparation(JobInfo job) {
  if (job.state() == v1::JOB_STATE_QUEUED) {
    job.set_state(v1::JOB_STATE_PREPARING);
    job.set_message("validating the corpus, training the tokenizer, cutting shards");
    absl::Status s = store_->UpdateJob(job, {}, Now());
    if (!s.ok()) {
      TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
      return;
    }
  }
  preparing_ = true;
  if (preparation_thread_.joinable()) preparation_thread_.join();
  preparation_thread_ = std::thread([this, job] { RunPreparation(job); });
}

void Coordinator::RunPreparation(JobInfo job) {
  TANDEM_LOG(INFO) << "preparing job " << job.id();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<PreparedJob> prepared = PrepareJob(job.spec(), JobDir(job.id()));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  absl::MutexLock lock(&mu_);
  preparing_ = false;
  auto current = store_->GetJob(job.id());
  if (!current.ok() || current->state() != v1::JOB_STATE_PREPARING) return;  // cancelled
  JobInfo updated = *current;
  std::vector<EventDraft> events;
  if (!prepared.ok()) {
    updated.set_state(v1::JOB_STATE_FAILED);
    updated.set_message(absl::StrCat("preparation failed: ", prepared.status().message()));
  } else {
    *updated.mutable_preparation() = prepared->report;
    updated.clear_shards();
    for (const auto& s : prepared->shards) *updated.add_shards() = s;
    updated.clear_artifacts();
    for (const auto& [name, sha] : prepared->artifacts) (*updated.mutable_artifacts())[name] = sha;
    const auto& r = prepared->report;
    events.push_back(
        {"prepared",
         absl::StrCat(r.kept_pairs(), " of ", r.input_pairs(), " pairs kept (dropped: ",
                      r.dropped_empty(), " empty, ", r.dropped_too_long(), " too long; ",
                      r.crlf_stripped(), " CRLF lines fixed), ", r.valid_pairs(),
                      " validation pairs, vocabularies ", r.source_vocab(), "/", r.target_vocab(),
                      ", ", r.num_shards(), " shards, in ",
                      absl::StrFormat("%.1f", seconds.count()), " s")});
    updated.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
    updated.set_message("waiting for workers");
  }
  absl::Status s = store_->UpdateJob(updated, events, Now());
  if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
}

}  // namespace tandem
