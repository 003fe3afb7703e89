#include "coordinator/coordinator.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/job_states.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/status.h"
#include "coordinator/corpus_files.h"
#include "coordinator/generation.h"
#include "coordinator/job_listing.h"
#include "coordinator/job_paths.h"
#include "coordinator/scheduler.h"
#include "data/preparer.h"
#include "google/protobuf/util/message_differencer.h"

namespace tandem {

using tandem::v1::JobInfo;
using tandem::v1::JobSpec;
using tandem::v1::WorkerInfo;

namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::ProgressResponse StopResponse() {
  v1::ProgressResponse response;
  response.set_stop(true);
  return response;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Coordinator>> Coordinator::Create(CoordinatorOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data_dir is required");
  if (!options.now_ms) options.now_ms = SystemNowMs;
  TANDEM_RETURN_IF_ERROR(MakeDirs(JobsDir(options.data_dir)));
  // One coordinator per data directory: two would each believe they own its jobs.
  TANDEM_ASSIGN_OR_RETURN(auto lock,
                          FileLock::Acquire(options.data_dir + "/LOCK",
                                            "another coordinator uses this --data_dir"));
  TANDEM_ASSIGN_OR_RETURN(auto store, JobStore::Open(options.data_dir + "/state.db", options.limits));
  // The key that generations' collective keys derive from: made once, kept with the state so
  // that a restarted coordinator gives running generations the same keys.
  const std::string key_file = options.data_dir + "/secret.key";
  if (!PathExists(key_file)) {
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(key_file, RandomHex(32) + "\n", 0600));
  }
  TANDEM_ASSIGN_OR_RETURN(std::string secret, ReadTokenFile(key_file));
  TANDEM_ASSIGN_OR_RETURN(options.corpus_roots, ResolveCorpusRoots(options.corpus_roots));
  TANDEM_ASSIGN_OR_RETURN(auto uploads,
                          UploadStore::Open(options.data_dir + "/uploads", options.max_upload_bytes,
                                            options.upload_quota_bytes));
  std::unique_ptr<Coordinator> c(new Coordinator(std::move(options), std::move(store),
                                                 std::move(secret), std::move(uploads)));
  c->lock_ = std::move(lock);
  TANDEM_RETURN_IF_ERROR(c->Recover());
  return c;
}

Coordinator::Coordinator(CoordinatorOptions options, std::unique_ptr<JobStore> store,
                         std::string secret, std::unique_ptr<UploadStore> uploads)
    : options_(std::move(options)),
      store_(std::move(store)),
      secret_(std::move(secret)),
      uploads_(std::move(uploads)),
      models_(options_.data_dir),
      logs_(options_.data_dir, options_.max_log_bytes_per_job),
      membership_(store_.get()),
      progress_(store_.get(), options_.data_dir),
      preparation_(&mu_, store_.get(), options_.data_dir, options_.now_ms),
      stalls_(options_.stall_timeout.count(), options_.stall_sit_out.count()) {}

Coordinator::~Coordinator() { Stop(); }

std::string Coordinator::JobDir(const std::string& id) const {
  return tandem::JobDir(options_.data_dir, id);
}

// Reads the job's stored "epoch_end" events back, a page at a time, for the progress tracker.
absl::Status Coordinator::RememberEpochAccounts(const std::string& job_id) {
  constexpr uint32_t kPage = 1000;
  std::vector<std::string> texts;
  for (int64_t after = 0;;) {
    TANDEM_ASSIGN_OR_RETURN(const std::vector<v1::JobEvent> page,
                            store_->ListEvents(job_id, after, kPage));
    for (const v1::JobEvent& e : page) {
      if (e.kind() == "epoch_end") texts.push_back(e.message());
    }
    if (page.size() < kPage) break;
    after = page.back().seq();
  }
  progress_.RememberEpochAccounts(job_id, std::move(texts));
  return absl::OkStatus();
}

absl::Status Coordinator::Recover() {
  absl::MutexLock lock(&mu_);
  const int64_t now = Now();
  TANDEM_RETURN_IF_ERROR(membership_.Recover(now));
  TANDEM_ASSIGN_OR_RETURN(std::vector<JobInfo> jobs, store_->ListJobs());
  for (const JobInfo& job : jobs) {
    if (job.state() == v1::JOB_STATE_PREPARING) {
      // The preparation in flight died with the previous process: the next Tick prepares it
      // again.
      TANDEM_RETURN_IF_ERROR(store_->AppendEvent(
          job.id(), {"recovered", "coordinator restarted during preparation; preparing again"},
          now));
    } else if (job.state() == v1::JOB_STATE_RUNNING) {
      // The generation goes on: its members keep training and reconnect with their ids.
      TANDEM_RETURN_IF_ERROR(store_->AppendEvent(
          job.id(),
          {"recovered", absl::StrCat("coordinator restarted; generation ", job.generation(),
                                     " goes on, its ", job.assignments_size(),
                                     " worker(s) reconnecting (each has ",
                                     options_.worker_timeout.count(), " ms)")},
          now));
      progress_.Disrupted(job.id(), "the coordinator restarted", job.generation(), now);
      TANDEM_RETURN_IF_ERROR(RememberEpochAccounts(job.id()));
    }
  }
  RemoveOrphanJobDirs(jobs);
  TANDEM_LOG(INFO) << "recovered " << jobs.size() << " jobs and " << membership_.size()
                   << " workers from " << options_.data_dir;
  return absl::OkStatus();
}

void Coordinator::RemoveOrphanJobDirs(const std::vector<JobInfo>& jobs) {
  std::set<std::string> known;
  for (const JobInfo& job : jobs) known.insert(job.id());
  std::error_code ec;
  std::vector<std::string> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(JobsDir(options_.data_dir), ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory(ec) && known.count(name) == 0) orphans.push_back(name);
  }
  for (const std::string& id : orphans) {
    absl::StatusOr<uint64_t> freed = RemoveTree(JobDir(id));
    if (freed.ok()) {
      TANDEM_LOG(INFO) << "removed the files of deleted job " << id << " (" << *freed
                       << " bytes)";
    } else {
      TANDEM_LOG(WARNING) << freed.status();
    }
  }
}

void Coordinator::Start() {
  stop_ = false;
  scheduler_ = std::thread([this] {
    int64_t next_collect = Now();
    while (!stop_) {
      Tick();
      if (Now() >= next_collect) {
        DeleteExpiredJobs();
        CollectUploads();
        next_collect = Now() + options_.upload_collect_interval.count();
      }
      std::this_thread::sleep_for(options_.tick);
    }
  });
}

void Coordinator::Stop() {
  stop_ = true;
  if (scheduler_.joinable()) scheduler_.join();
  preparation_.Join();
  absl::MutexLock lock(&mu_);  // progress not yet written: a clean stop loses none
  const absl::Status flushed = progress_.Flush(Now(), /*everything=*/true);
  if (!flushed.ok()) TANDEM_LOG(ERROR) << "writing progress at stop: " << flushed;
}

// ---------------------------------------------------------------------------------------------
// JobService

absl::StatusOr<std::string> Coordinator::SubmitJob(
    JobSpec spec, bool* existing, const std::map<std::string, std::string>& file_names,
    const std::string& owner) {
  const std::vector<std::string> auto_sized = SizingLeftOut(spec);
  ApplyDefaults(spec);
  TANDEM_RETURN_IF_ERROR(ValidateSpec(spec));
  TANDEM_RETURN_IF_ERROR(CheckFileNames(file_names, spec));
  const JobSpec submitted = spec;
  TANDEM_RETURN_IF_ERROR(ResolveCorpusFiles(spec, *uploads_, options_.corpus_roots));
  // A named job is submitted once: the same spec again finds it (a retried submit, a script
  // run twice); another spec under the name is refused rather than guessed at.
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> named, FindNamedJob(spec, owner));
  if (named.has_value()) {
    if (existing != nullptr) *existing = true;
    return *named;
  }
  // Refuse a corpus the coordinator cannot read, or one that is misaligned or not UTF-8,
  // before anything is stored or any worker is assigned.
  TANDEM_RETURN_IF_ERROR(NameUploadedFiles(CheckCorpus(spec), submitted, spec));
  absl::StatusOr<std::string> id = store_->CreateJob(spec, Now(), auto_sized, file_names, owner);
  if (absl::IsAlreadyExists(id.status()) && !spec.name().empty()) {
    // The same name was stored between the lookup above and this create (two submits at
    // once, a client's retry racing its first try): answer as if it had come second.
    TANDEM_ASSIGN_OR_RETURN(named, FindNamedJob(spec, owner));
    if (named.has_value()) {
      if (existing != nullptr) *existing = true;
      return *named;
    }
  }
  if (!id.ok()) return id.status();
  TANDEM_LOG(INFO) << "job " << *id << " submitted" << (owner.empty() ? "" : " by " + owner);
  if (existing != nullptr) *existing = false;
  return *id;
}

absl::StatusOr<std::optional<std::string>> Coordinator::FindNamedJob(const JobSpec& spec,
                                                                     const std::string& owner) {
  if (spec.name().empty()) return std::nullopt;
  absl::StatusOr<JobInfo> named = store_->FindJobByName(spec.name());
  if (absl::IsNotFound(named.status())) return std::nullopt;
  if (!named.ok()) return named.status();
  if (named->owner() != owner) {
    return absl::AlreadyExistsError(absl::StrCat(
        "name: '", spec.name(), "' is taken by another user's job; choose another name"));
  }
  // As that job was submitted: without the sizing its preparation chose.
  JobSpec stored = named->spec();
  ResetSizing(stored, {named->auto_sized().begin(), named->auto_sized().end()});
  if (!google::protobuf::util::MessageDifferencer::Equals(stored, spec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "name: '", spec.name(), "' is taken by job ", named->id(), " (",
        StateName(named->state()), ") with another spec; choose another name, or delete ",
        "that job first (tandem delete ", named->id(), ")"));
  }
  return named->id();
}

absl::StatusOr<std::string> Coordinator::JobOwner(const std::string& id) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
  std::shared_ptr<const JobInfo> job = store_->FindJob(id);
  if (job == nullptr) return absl::NotFoundError(absl::StrCat("no job '", id, "'"));
  return job->owner();
}

absl::StatusOr<uint64_t> Coordinator::DeleteJob(const std::string& id) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
  absl::MutexLock lock(&mu_);
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->DeleteJob(id));
  progress_.Forget(id);
  failed_.erase(id);
  stalls_.Forget(id);
  logs_.Forget(id);
  // The state goes first: a crash before the files are gone leaves a directory no job
  // names, which the next start removes (RemoveOrphanJobDirs).
  absl::StatusOr<uint64_t> freed = RemoveTree(JobDir(id));
  if (!freed.ok()) {
    TANDEM_LOG(ERROR) << "job " << id << " deleted, its files not: " << freed.status();
    return freed.status();
  }
  TANDEM_LOG(INFO) << "job " << id << " (" << StateName(job.state()) << ") deleted, "
                   << *freed << " bytes freed";
  return *freed;
}

int Coordinator::DeleteExpiredJobs() {
  if (options_.job_retention.count() <= 0) return 0;
  auto jobs = store_->ListJobs();
  if (!jobs.ok()) {
    TANDEM_LOG(WARNING) << "not deleting expired jobs: " << jobs.status();
    return 0;
  }
  const int64_t cutoff = Now() - options_.job_retention.count();
  int deleted = 0;
  for (const JobInfo& job : *jobs) {
    if (!IsTerminal(job.state()) || job.updated_unix_ms() > cutoff) continue;
    if (DeleteJob(job.id()).ok()) ++deleted;
  }
  return deleted;
}

absl::StatusOr<LogStore::Page> Coordinator::GetLogs(const std::string& id,
                                                    std::optional<uint32_t> rank,
                                                    uint64_t offset) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));
  TANDEM_RETURN_IF_ERROR(store_->GetJob(id).status());
  return logs_.Read(id, rank, offset);
}

uint64_t Coordinator::CollectUploads() {
  const std::string dir = options_.data_dir + "/uploads/";
  std::set<std::string> referenced;
  for (const JobInfo& job : store_->ListActiveJobs()) {
    for (const auto& [field, path] : CorpusFileFields(job.spec().corpus())) {
      if (absl::StartsWith(*path, dir)) referenced.insert(path->substr(dir.size()));
    }
  }
  return uploads_->Collect(referenced, options_.upload_ttl);
}

absl::StatusOr<JobInfo> Coordinator::GetJob(const std::string& id) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(id));
  absl::MutexLock lock(&mu_);
  progress_.MergeInto(job);
  return job;
}

JobInfo JobSummary(const JobInfo& job) {
  JobInfo s;
  s.set_id(job.id());
  s.set_state(job.state());
  s.set_message(job.message());
  s.set_created_unix_ms(job.created_unix_ms());
  s.set_updated_unix_ms(job.updated_unix_ms());
  s.set_waiting_since_unix_ms(job.waiting_since_unix_ms());
  s.set_generation(job.generation());
  s.mutable_spec()->set_name(job.spec().name());
  s.set_owner(job.owner());
  *s.mutable_spec()->mutable_labels() = job.spec().labels();  // `tandem list --label`
  *s.mutable_spec()->mutable_workers() = job.spec().workers();
  s.mutable_preparation()->set_kept_pairs(job.preparation().kept_pairs());
  for (const auto& a : job.assignments()) {
    v1::Assignment& m = *s.add_assignments();
    m.set_worker_id(a.worker_id());
    m.set_rank(a.rank());
  }
  s.mutable_progress()->set_step(job.progress().step());
  return s;
}

absl::StatusOr<v1::ListJobsResponse> Coordinator::ListJobs(const v1::ListJobsRequest& request,
                                                         const std::string& visible_to) {
  // Only the page's jobs are copied or summarised.
  TANDEM_ASSIGN_OR_RETURN(JobPage page, SelectJobPage(store_->AllJobs(), request, visible_to));
  v1::ListJobsResponse response;
  response.set_total(page.total);
  response.set_next_page_token(std::move(page.next_page_token));
  response.mutable_jobs()->Reserve(static_cast<int>(page.jobs.size()));
  for (const auto& job : page.jobs) {
    *response.add_jobs() = request.summary() ? JobSummary(*job) : *job;
  }
  absl::MutexLock lock(&mu_);
  for (JobInfo& job : *response.mutable_jobs()) {
    if (!request.summary()) {
      progress_.MergeInto(job);
      continue;
    }
    // Only a running job's step can be newer in the tracker than in the store.
    if (job.state() != v1::JOB_STATE_RUNNING) continue;
    JobInfo merged;
    merged.set_id(job.id());
    progress_.MergeInto(merged);
    if (merged.has_progress()) job.mutable_progress()->set_step(merged.progress().step());
  }
  return response;
}

absl::StatusOr<JobInfo> Coordinator::CancelJob(const std::string& id) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
  absl::MutexLock lock(&mu_);
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(id));
  if (IsTerminal(job.state())) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " has already ended (", StateName(job.state()), ")"));
  }
  progress_.MergeInto(job);
  membership_.Release(job);
  job.set_state(v1::JOB_STATE_CANCELLED);
  job.set_message("cancelled by the user");
  job.clear_assignments();
  TANDEM_RETURN_IF_ERROR(store_->UpdateJob(job, {}, Now()));
  return store_->GetJob(id);
}

absl::StatusOr<std::vector<v1::JobEvent>> Coordinator::ListEvents(
    const std::string& id, int64_t after_seq, uint32_t limit, const std::string& owner,
    const EventFilter& filter) {
  if (!id.empty()) {  // empty: every job's events
    TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
    TANDEM_RETURN_IF_ERROR(store_->GetJob(id).status());
  }
  if (filter.kind.size() > kMaxEventKindBytes) {
    return absl::InvalidArgumentError(absl::StrCat("event kind: longer than ",
                                                   kMaxEventKindBytes, " bytes"));
  }
  return store_->ListEvents(id, after_seq, limit, owner, filter);
}

absl::StatusOr<std::vector<v1::MetricPoint>> Coordinator::GetMetrics(const std::string& id,
                                                                     uint64_t after_step) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("job id", id));  // ids from the network
  TANDEM_RETURN_IF_ERROR(store_->GetJob(id).status());
  TANDEM_ASSIGN_OR_RETURN(std::vector<v1::MetricPoint> points,
                          store_->ListMetrics(id, after_step));
  absl::MutexLock lock(&mu_);
  for (auto& point : progress_.Pending(id)) {
    if (point.step() > after_step) points.push_back(std::move(point));
  }
  return points;
}

std::vector<WorkerInfo> Coordinator::ListWorkers(const std::string& visible_to) {
  std::vector<WorkerInfo> workers;
  {
    absl::MutexLock lock(&mu_);
    workers = membership_.List();
  }
  if (visible_to.empty()) return workers;
  for (WorkerInfo& w : workers) {
    if (w.job_id().empty()) continue;
    std::shared_ptr<const JobInfo> job = store_->FindJob(w.job_id());
    if (job != nullptr && !job->owner().empty() && job->owner() != visible_to) {
      w.clear_job_id();
      w.clear_rank();
    }
  }
  return workers;
}

// ---------------------------------------------------------------------------------------------
// ControlService

absl::StatusOr<v1::JoinResponse> Coordinator::Join(const v1::JoinRequest& request) {
  absl::MutexLock lock(&mu_);
  const std::string session = RandomHex(32);
  TANDEM_ASSIGN_OR_RETURN(std::string id, membership_.Join(request, Now(), Sha256Hex(session)));
  v1::JoinResponse response;
  response.set_worker_id(id);
  response.set_session_token(session);
  response.set_heartbeat_interval_ms(static_cast<uint32_t>(options_.heartbeat_interval.count()));
  return response;
}

absl::StatusOr<v1::HeartbeatResponse> Coordinator::Heartbeat(
    const std::string& worker_id, const std::vector<v1::LogLine>& log_lines,
    const v1::CollectiveWait* wait) {
  if (log_lines.size() > static_cast<size_t>(kMaxLogLinesPerHeartbeat)) {
    return absl::InvalidArgumentError(absl::StrCat("heartbeat: ", log_lines.size(),
                                                   " log lines; at most ",
                                                   kMaxLogLinesPerHeartbeat));
  }
  // Off mu_: the liveness table, the store's jobs in memory and the log store have locks of
  // their own, so a heartbeat never waits for a write to SQLite (membership.h); it runs on
  // gRPC's callback threads (grpc_services.h), where nothing may block for long.
  TANDEM_ASSIGN_OR_RETURN(const Membership::Liveness worker,
                          membership_.Heartbeat(worker_id, Now(), wait));
  if (!log_lines.empty()) {
    std::map<std::string, std::vector<v1::LogLine>> kept;  // by job
    for (const v1::LogLine& line : log_lines) {
      // The job and rank are the coordinator's record, not the worker's claim.
      std::optional<uint32_t> rank = membership_.RankForLogs(worker_id, line.job_id());
      if (!rank.has_value()) continue;
      v1::LogLine l = line;
      l.set_rank(*rank);
      l.set_worker_id(worker_id);
      kept[line.job_id()].push_back(std::move(l));
    }
    // A failure loses log lines, not the heartbeat.
    for (const auto& [job_id, lines] : kept) {
      absl::Status s = logs_.Append(job_id, lines);
      if (!s.ok()) TANDEM_LOG(WARNING) << "job " << job_id << ": " << s;
    }
  }
  v1::HeartbeatResponse response;
  if (worker.state != v1::WORKER_STATE_ASSIGNED) return response;
  std::shared_ptr<const JobInfo> job = store_->FindJob(worker.job_id);
  if (job == nullptr || job->state() != v1::JOB_STATE_RUNNING) return response;
  // A generation being formed marks its members before the job is stored: until then the
  // stored job does not name a new member, which is told nothing yet.
  bool member = false;
  for (const auto& a : job->assignments()) member |= a.worker_id() == worker_id;
  if (!member) return response;
  *response.mutable_assignment() = AssignmentFor(*job, worker_id);
  response.mutable_assignment()->set_collective_key(CollectiveKey(job->id(), job->generation()));
  return response;
}

std::string Coordinator::CollectiveKey(const std::string& job_id, uint64_t generation) const {
  return HmacSha256Hex(secret_, absl::StrCat("collective/", job_id, "/", generation));
}

absl::Status Coordinator::AuthenticateWorker(const std::string& worker_id,
                                             const std::string& session_token) {
  return membership_.CheckSession(worker_id, session_token);
}

absl::StatusOr<std::string> Coordinator::ArtifactFile(const std::string& worker_id,
                                                      const std::string& job_id,
                                                      const std::string& name) {
  {
    absl::MutexLock lock(&mu_);
    TANDEM_RETURN_IF_ERROR(membership_.CheckAssigned(worker_id, job_id));
  }
  return models_.ArtifactFile(job_id, name);
}

absl::Status Coordinator::ReportReady(const v1::ReportReadyRequest& request) {
  absl::MutexLock lock(&mu_);
  TANDEM_RETURN_IF_ERROR(membership_.CheckActive(request.worker_id()));
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(request.job_id()));
  TANDEM_ASSIGN_OR_RETURN(std::vector<EventDraft> events, MarkReady(job, request));
  if (events.empty()) return absl::OkStatus();  // a repeated report
  return store_->UpdateJob(job, events, Now());
}

absl::Status Coordinator::Leave(const std::string& worker_id) {
  absl::MutexLock lock(&mu_);
  TANDEM_ASSIGN_OR_RETURN(std::string job_id, membership_.Leave(worker_id));
  if (!job_id.empty()) HandleMemberLoss(job_id, worker_id, "left");
  TANDEM_LOG(INFO) << "worker " << worker_id << " left";
  return absl::OkStatus();
}

absl::StatusOr<v1::ProgressResponse> Coordinator::ReportProgress(
    const v1::ProgressReport& report) {
  absl::MutexLock lock(&mu_);
  TANDEM_RETURN_IF_ERROR(membership_.CheckActive(report.worker_id()));
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(report.job_id()));
  if (job.state() != v1::JOB_STATE_RUNNING || job.generation() != report.generation() ||
      !membership_.HoldsJob(report.worker_id(), job.id())) {
    return StopResponse();  // the job ended or moved on to another generation
  }
  // The rank is the coordinator's record, never the report's claim (DESIGN.md section 8);
  // the error text a worker sends becomes the job's message: bounded.
  v1::ProgressReport r = report;
  r.set_rank(membership_.Find(r.worker_id())->rank());
  if (r.error().size() > kMaxErrorBytes) {
    size_t cut = kMaxErrorBytes;  // on a UTF-8 character boundary
    while (cut > 0 && (static_cast<unsigned char>(r.error()[cut]) & 0xC0) == 0x80) --cut;
    r.set_error(absl::StrCat(r.error().substr(0, cut), "..."));
  }
  if (!r.error().empty()) {
    TANDEM_RETURN_IF_ERROR(HandleRankError(job, r));
    return StopResponse();
  }
  // In memory only: the tick writes every job's progress in one transaction (Flush), so a
  // report does not wait for SQLite; the end of the job is written at once.
  const int64_t now = Now();
  v1::JobProgress& progress = progress_.For(job);
  // Whose segments the rank waited for, by worker: every other member of its generation,
  // 0 where it reports none (ranks outside the generation are not read).
  std::map<std::string, float> awaited;
  if (r.generation() == job.generation()) {
    for (const v1::Assignment& m : job.assignments()) {
      if (m.worker_id() == r.worker_id()) continue;
      auto it = r.awaited_ms().find(static_cast<int32_t>(m.rank()));
      const float ms = it == r.awaited_ms().end() ? 0.0f : it->second;
      awaited[m.worker_id()] = ms >= 0 && ms <= 3.6e6f ? ms : 0.0f;  // NaN and nonsense: 0
    }
  }
  const std::vector<EventDraft> raised = progress_.Record(r, progress, now, awaited);
  // An epoch's account is written before the answer: the worker sends it until a report is
  // answered, so a coordinator killed now loses none.
  const bool accounted = std::any_of(raised.begin(), raised.end(), [](const EventDraft& e) {
    return e.kind == "epoch_end";
  });
  if (accounted && !(r.finished() && r.rank() == 0)) {
    *job.mutable_progress() = progress;
    TANDEM_RETURN_IF_ERROR(progress_.Persist(job, {}, now));
  }
  v1::ProgressResponse response;
  if (r.finished() && r.rank() == 0) {
    *job.mutable_progress() = progress;
    TANDEM_RETURN_IF_ERROR(Finish(job, r.time_up()));
    response.set_stop(true);
    TANDEM_RETURN_IF_ERROR(progress_.Persist(job, {}, now));
  }
  return response;
}

absl::Status Coordinator::HandleRankError(JobInfo& job, const v1::ProgressReport& r) {
  *job.mutable_progress() = progress_.For(job);
  if (r.collective_failure()) {
    // A broken ring: the generation is over. Re-formed once it is known who is alive.
    const std::string why =
        absl::StrCat("rank ", r.rank(), " reported a failed all-reduce: ", r.error());
    TANDEM_RETURN_IF_ERROR(store_->AppendEvent(job.id(), {"collective_failure", why}, Now()));
    progress_.Disrupted(job.id(), why, job.generation() + 1, Now());
    FailedGeneration& failed = failed_[job.id()];
    if (failed.generation != job.generation()) failed = {job.generation(), Now(), {}, {}};
    failed.reported.insert(r.worker_id());
    if (r.has_broken_peer_rank() && r.generation() == job.generation()) {
      for (const v1::Assignment& m : job.assignments()) {
        if (static_cast<int64_t>(m.rank()) == r.broken_peer_rank()) failed.broken.insert(m.worker_id());
      }
    }
    ReformFailedGenerations();
    return absl::OkStatus();
  }
  membership_.Release(job);
  job.clear_assignments();
  job.set_state(v1::JOB_STATE_FAILED);
  job.set_message(absl::StrCat("rank ", r.rank(), " (", r.worker_id(), "): ", r.error()));
  return store_->UpdateJob(job, {}, Now());
}

absl::Status Coordinator::Finish(JobInfo& job, bool time_up) {
  const v1::JobProgress& p = job.progress();
  if (!p.model_ready()) {
    return absl::FailedPreconditionError("finished without an uploaded final model");
  }
  membership_.Release(job);
  job.clear_assignments();
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  job.set_message(absl::StrFormat("trained %d steps; validation BLEU %.2f (best %.2f)", p.step(),
                                  p.valid_bleu(), p.best_valid_bleu()));
  if (time_up) {
    job.set_message(absl::StrCat("training.max_duration ", job.spec().training().max_duration(),
                                 " reached: ", job.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<JobInfo> Coordinator::CheckUploaderLocked(const std::string& worker_id,
                                                          const std::string& job_id,
                                                          uint64_t generation, uint64_t step) {
  const WorkerInfo* worker = membership_.Find(worker_id);
  if (worker == nullptr || worker->job_id() != job_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("worker ", worker_id, " is not a member of job ", job_id));
  }
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, store_->GetJob(job_id));
  if (job.state() != v1::JOB_STATE_RUNNING || job.generation() != generation) {
    return absl::PermissionDeniedError(absl::StrCat(
        "job ", job_id, " is not running generation ", generation, " (it is ",
        StateName(job.state()), ", generation ", job.generation(), ")"));
  }
  if (worker->rank() != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "worker ", worker_id, " is rank ", worker->rank(),
        " of job ", job_id, "; only rank 0 stores checkpoints and the model"));
  }
  // Rank 0 uploads a checkpoint before it reports the step.
  const uint64_t reached = progress_.For(job).step() + 1;
  if (step == 0 || step > reached ||
      (job.spec().training().max_steps() > 0 && step > job.spec().training().max_steps())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "checkpoint step ", step, " of job ", job_id, " is not one rank 0 has reached (step ",
        reached - 1, " reported)"));
  }
  return job;
}

absl::Status Coordinator::CheckUploader(const std::string& worker_id, const std::string& job_id,
                                        uint64_t generation, uint64_t step) {
  absl::MutexLock lock(&mu_);
  return CheckUploaderLocked(worker_id, job_id, generation, step).status();
}

absl::Status Coordinator::StoreCheckpoint(const std::string& worker_id, const std::string& job_id,
                                          uint64_t generation, uint64_t step, bool final,
                                          const std::string& data) {
  JobInfo job;
  {
    absl::MutexLock lock(&mu_);
    TANDEM_ASSIGN_OR_RETURN(job, CheckUploaderLocked(worker_id, job_id, generation, step));
  }
  // Writing a checkpoint takes a while: other RPCs go on meanwhile.
  const absl::Status stored = models_.Store(job, step, final, data);
  absl::MutexLock lock(&mu_);
  if (!stored.ok()) {
    // Every file is written atomically, so what was stored before is intact; the job goes
    // on (the worker tries the next checkpoint, and the final model again).
    const std::string what = final ? "the final model" : absl::StrCat("the checkpoint at step ", step);
    const absl::Status noted = store_->AppendEvent(
        job_id, {"checkpoint_failed", absl::StrCat(what, " was not stored: ", stored.message())},
        Now());
    if (!noted.ok()) TANDEM_LOG(ERROR) << "job " << job_id << ": " << noted;
    TANDEM_LOG(ERROR) << "job " << job_id << ": " << what << " was not stored: " << stored;
    return stored;
  }
  v1::JobProgress& progress = progress_.For(job);
  if (final) {
    progress.set_model_ready(true);
  } else {
    progress.set_checkpoint_step(step);
  }
  TANDEM_ASSIGN_OR_RETURN(JobInfo current, store_->GetJob(job_id));
  *current.mutable_progress() = progress;
  if (!final) (*current.mutable_artifacts())["checkpoint"] = Sha256Hex(data);
  return store_->UpdateJob(current, {ModelStore::StoredEvent(step, final, data.size())}, Now());
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Coordinator::ModelFiles(
    const std::string& job_id) {
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, GetJob(job_id));
  return models_.ModelFiles(job);
}

// ---------------------------------------------------------------------------------------------
// Scheduling and membership changes

void Coordinator::Tick() {
  absl::MutexLock lock(&mu_);
  const absl::Status flushed = progress_.Flush(Now());
  if (!flushed.ok()) TANDEM_LOG(ERROR) << "writing progress (kept, tried again): " << flushed;
  progress_.ForgetEnded([this](const std::string& id) {
    const std::shared_ptr<const JobInfo> job = store_->FindJob(id);
    return job == nullptr || IsTerminal(job->state());
  });
  ReformFailedGenerations();
  ReformStalledGenerations();
  membership_.DeclareLost(
      Now(), options_.worker_timeout.count(),
      [this](const std::string& worker_id, const std::string& job_id, const std::string& why)
          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { HandleMemberLoss(job_id, worker_id, why); });
  ScheduleJobs();
}

void Coordinator::ReformFailedGenerations() {
  for (auto it = failed_.begin(); it != failed_.end();) {
    const FailedGeneration& failed = it->second;
    auto job = store_->GetJob(it->first);
    if (!job.ok() || job->state() != v1::JOB_STATE_RUNNING ||
        job->generation() != failed.generation) {
      it = failed_.erase(it);  // ended, or re-formed meanwhile (a member was lost)
      continue;
    }
    std::vector<std::string> alive, silent;
    for (const std::string& m : membership_.StillAssigned(*job)) {
      const bool heard =
          failed.reported.count(m) > 0 || membership_.LastHeartbeatMs(m) >= failed.failed_ms;
      (heard ? alive : silent).push_back(m);
    }
    const bool all_broken = std::all_of(silent.begin(), silent.end(), [&](const std::string& m) {
      return failed.broken.count(m) > 0;
    });
    const int64_t grace = all_broken ? kBrokenPeerGraceMs : FailureGraceMs();
    if (!silent.empty() && Now() < failed.failed_ms + grace) {
      ++it;  // a member may still be heard from
      continue;
    }
    const std::string why =
        silent.empty() ? "all-reduce failed"
        : all_broken   ? absl::StrCat("all-reduce failed; ", absl::StrJoin(silent, ", "),
                                      " silent since its stream broke, lost")
                       : absl::StrCat("all-reduce failed; ", absl::StrJoin(silent, ", "),
                                      " silent since, lost");
    it = failed_.erase(it);
    for (const std::string& m : silent) {
      membership_.DeclareLostNow(m, absl::StrCat("silent since generation ", job->generation(),
                                                 " of job ", job->id(), " broke"));
    }
    const absl::Status s = ContinueWith(*job, alive, why);
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job->id() << ": " << s;
  }
}

void Coordinator::ReformStalledGenerations() {
  if (options_.stall_timeout.count() <= 0) return;
  const int64_t now = Now();
  for (const std::string& id :
       membership_.JobsWaitingAtLeast(options_.stall_timeout.count(), now)) {
    absl::StatusOr<JobInfo> found = store_->GetJob(id);
    if (!found.ok()) continue;
    JobInfo& job = *found;
    if (job.state() != v1::JOB_STATE_RUNNING || failed_.count(job.id()) > 0) continue;
    std::vector<std::optional<v1::CollectiveWait>> waits;
    for (const auto& a : job.assignments()) {
      waits.push_back(membership_.CollectiveWaitOf(a.worker_id(), now));
    }
    std::optional<StallDetector::Stall> stall = stalls_.Check(job, waits, now);
    if (!stall.has_value()) continue;
    TANDEM_LOG(WARNING) << "job " << job.id() << ": " << stall->why;
    std::vector<std::string> members;
    for (const auto& a : job.assignments()) {
      if (a.worker_id() != stall->left_out) members.push_back(a.worker_id());
    }
    absl::Status s = store_->AppendEvent(job.id(), {"stalled", stall->why}, now);
    if (s.ok() && !stall->left_out.empty()) {
      // The member left out goes back to the idle workers (other jobs may use it).
      JobInfo left = job;
      left.clear_assignments();
      for (const auto& a : job.assignments()) {
        if (a.worker_id() == stall->left_out) *left.add_assignments() = a;
      }
      membership_.Release(left);
    }
    if (s.ok()) {
      s = ContinueWith(job, members,
                       absl::StrCat("generation ", job.generation(), " stalled",
                                    stall->left_out.empty()
                                        ? ""
                                        : absl::StrCat("; ", stall->left_out, " sits it out")));
    }
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
  }
}

absl::Status Coordinator::ContinueWith(JobInfo& job, const std::vector<std::string>& members,
                                       const std::string& why) {
  progress_.Disrupted(job.id(), why, job.generation() + 1, Now());
  if (members.size() >= job.spec().workers().min()) return StartGeneration(job, members, why);
  membership_.Release(job);
  job.clear_assignments();
  job.set_state(v1::JOB_STATE_WAITING_FOR_WORKERS);
  job.set_message(absl::StrCat(why, "; waiting for workers"));
  job.set_waiting_since_unix_ms(Now());
  return store_->UpdateJob(job, {{"member_lost", why}}, Now());
}

void Coordinator::HandleMemberLoss(const std::string& job_id, const std::string& worker_id,
                                   const std::string& why) {
  auto job = store_->GetJob(job_id);
  if (!job.ok() || job->state() != v1::JOB_STATE_RUNNING) return;
  std::vector<std::string> survivors;
  for (const auto& m : job->assignments()) {
    if (m.worker_id() != worker_id) survivors.push_back(m.worker_id());
  }
  const absl::Status s =
      ContinueWith(*job, survivors, absl::StrCat("worker ", worker_id, " ", why));
  if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job_id << ": " << s;
}

absl::Status Coordinator::StartGeneration(JobInfo& job, const std::vector<std::string>& members,
                                          const std::string& why) {
  // A re-formed generation (not a job's first): training stood still until it steps.
  if (job.generation() > 0) progress_.Disrupted(job.id(), why, job.generation() + 1, Now());
  TANDEM_RETURN_IF_ERROR(membership_.FormGeneration(job, members));
  job.set_waiting_since_unix_ms(0);
  // training.max_duration counts from the job's first start on workers, across generations.
  if (job.deadline_unix_ms() == 0 && !job.spec().training().max_duration().empty()) {
    TANDEM_ASSIGN_OR_RETURN(absl::Duration budget,
                            ParseJobDuration("training.max_duration",
                                             job.spec().training().max_duration()));
    job.set_deadline_unix_ms(Now() + absl::ToInt64Milliseconds(budget));
  }
  job.set_generation_planned_steps(progress_.For(job).planned_steps());
  progress_.KeepMembers(job);
  return store_->UpdateJob(job, {AssignedEvent(job, why)}, Now());
}

void Coordinator::ScheduleJobs() {
  preparation_.mutex()->AssertHeld();  // mu_: the analysis cannot see that they are the same
  Membership::Available free = membership_.Idle();
  // Ended jobs play no part in scheduling: only the active ones are read.
  SchedulePlan plan = PlanSchedule(store_->ListActiveJobs(), std::move(free.idle), free.registered,
                                   preparation_.preparing(), Now(), stalls_.SittingOut(Now()));
  for (JobInfo& job : plan.prepare) {
    if (preparation_.Start(std::move(job))) break;  // one preparation at a time
  }
  for (SchedulePlan::Start& start : plan.start) {
    absl::Status s = StartGeneration(start.job, start.members, "workers available");
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << start.job.id() << ": " << s;
  }
  for (SchedulePlan::Start& grow : plan.grow) {
    const std::string why = absl::StrCat(grow.members.size() - grow.job.assignments_size(),
                                         " more worker(s) free, below workers.max ",
                                         grow.job.spec().workers().max());
    absl::Status s = StartGeneration(grow.job, grow.members, why);
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << grow.job.id() << ": " << s;
  }
  for (const JobInfo& job : plan.waiting) {
    absl::Status s = store_->UpdateJob(job, {}, Now());
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
  }
  for (const JobInfo& job : plan.timed_out) {
    absl::Status s = store_->UpdateJob(job, {{"wait_timeout", job.message()}}, Now());
    if (!s.ok()) TANDEM_LOG(ERROR) << "job " << job.id() << ": " << s;
    TANDEM_LOG(WARNING) << "job " << job.id() << " failed: " << job.message();
  }
}

}  // namespace tandem
