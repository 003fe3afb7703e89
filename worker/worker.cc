#include "worker/worker.h"

#include <unistd.h>

#include <map>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "collective/collective_service.h"
#include "collective/grpc_communicator.h"
#include "collective/reachability.h"
#include "common/files.h"
#include "common/net.h"
#include "common/log.h"
#include "common/version.h"
#include "common/status.h"
#include "training/trainer.h"
#include "training/training_loop.h"
#include "worker/progress_reporter.h"

namespace tandem {

Worker::Worker(WorkerOptions options, collective::CollectiveService* collective)
    : options_(std::move(options)),
      collective_(collective),
      client_(options_.coordinator, options_.rpc_timeout, options_.security, options_.join_token),
      cache_(options_.cache_dir) {}

Worker::~Worker() {
  Stop();
  StopCurrentRun();
  for (auto& t : retired_) t.join();
}

std::string Worker::id() const {
  absl::MutexLock lock(&mu_);
  return worker_id_;
}

void Worker::Stop() { stop_ = true; }

void Worker::StopCurrentRun() {
  if (run_cancel_) *run_cancel_ = true;
  // A step may be waiting in the all-reduce for a peer that is gone: fail the old group's
  // mailbox so it returns now instead of at its deadline.
  if (!run_group_.job_id.empty()) {
    collective_->mailbox().Fail(run_group_,
                                absl::CancelledError("the worker moved to another generation"));
  }
  if (run_thread_.joinable()) retired_.push_back(std::move(run_thread_));
  run_group_ = {};
  // The cancel flag must outlive the retired thread that reads it.
  if (run_cancel_) retired_cancel_.push_back(std::move(run_cancel_));
}

void Worker::Run() {
  absl::Status cache_status = cache_.Init();
  if (!cache_status.ok()) TANDEM_LOG(ERROR) << cache_status;
  // Not ready (health check) until joined; ready while the coordinator answers.
  collective_->SetServing(false);
  std::chrono::milliseconds interval(500);
  // While the coordinator cannot be reached, joining is retried with a doubling delay (up to
  // kMaxBackoff); heartbeats keep their interval (they are what tells the coordinator, once
  // back, that this worker lives). The reason is logged when it changes and every 30 s.
  constexpr std::chrono::milliseconds kMaxBackoff(5000);
  std::chrono::milliseconds backoff(0);
  std::string last_error;
  auto last_error_log = std::chrono::steady_clock::time_point();
  auto unavailable = [&](const std::string& what, const absl::Status& status) {
    collective_->SetServing(false);
    const bool joining = this->id().empty();
    backoff = !joining ? interval
                       : std::min(kMaxBackoff, backoff.count() == 0 ? interval : backoff * 2);
    const auto now = std::chrono::steady_clock::now();
    const std::string error = std::string(status.message());
    if (error != last_error || now - last_error_log > std::chrono::seconds(30)) {
      TANDEM_LOG(WARNING) << what << " the coordinator at " << options_.coordinator
                          << " failed: " << error << " (retrying in " << backoff.count()
                          << " ms; health: not serving)";
      last_error = error;
      last_error_log = now;
    }
  };
  auto reachable = [&] {
    if (!last_error.empty()) {
      TANDEM_LOG(INFO) << "the coordinator at " << options_.coordinator << " answers again";
    }
    collective_->SetServing(true);
    backoff = std::chrono::milliseconds(0);
    last_error.clear();
  };
  while (!stop_) {
    std::string id = this->id();
    if (id.empty()) {
      absl::StatusOr<std::string> host =
          options_.advertise_host.empty()
              ? DefaultAdvertiseHost(options_.listen_address, options_.coordinator)
              : absl::StatusOr<std::string>(options_.advertise_host);
      if (!host.ok()) {
        unavailable("finding this worker's address towards", host.status());
        for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(backoff / 10);
        continue;
      }
      v1::JoinRequest join;
      join.set_address(absl::StrCat(*host, ":", options_.listen_port));
      char hostname[256] = {0};
      ::gethostname(hostname, sizeof(hostname) - 1);
      join.set_hostname(hostname);
      join.set_cpus(std::thread::hardware_concurrency());
      join.set_version(TandemVersion());
      join.set_memory_bytes(options_.memory_bytes);
      auto joined = client_.Join(join);
      if (joined.ok()) {
        reachable();
        absl::MutexLock lock(&mu_);
        worker_id_ = joined->worker_id();
        interval =
            std::chrono::milliseconds(std::max<uint32_t>(50, joined->heartbeat_interval_ms()));
        TANDEM_LOG(INFO) << "joined the coordinator at " << options_.coordinator << " as "
                         << worker_id_ << ", reachable at " << join.address();
      } else {
        unavailable("joining", joined.status());
      }
    } else {
      std::vector<v1::LogLine> lines;
      if (options_.log_shipper != nullptr) {
        lines = options_.log_shipper->Take(kMaxLogLinesPerHeartbeat);
      }
      const std::optional<v1::CollectiveWait> wait = LongCollectiveWait();
      auto beat = client_.Heartbeat(id, lines, wait.has_value() ? &*wait : nullptr);
      if (!beat.ok() && options_.log_shipper != nullptr) {
        options_.log_shipper->Return(std::move(lines));
      }
      if (beat.ok()) {
        reachable();
        HandleAssignment(beat->assignment());
      } else if (absl::IsNotFound(beat.status())) {
        TANDEM_LOG(WARNING) << "coordinator does not know " << id << " any more; joining again";
        StopCurrentRun();
        if (options_.log_shipper != nullptr) options_.log_shipper->SetJob("");
        absl::MutexLock lock(&mu_);
        worker_id_.clear();
        current_job_.clear();
        current_generation_ = 0;
      } else {
        unavailable("a heartbeat to", beat.status());
      }
    }
    // After a failed run the new generation is formed within moments: it is fetched at
    // once instead of at the next regular heartbeat.
    const bool hurry =
        std::chrono::steady_clock::now().time_since_epoch().count() < hurry_until_ns_.load();
    const auto wait = hurry && backoff.count() == 0 ? std::chrono::milliseconds(kHurriedHeartbeat)
                                                    : std::max(interval, backoff);
    for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(wait / 10);
  }
  // Stopping (SIGTERM: a container stopped, a Deployment scaled down) drains: the coordinator
  // hears first, and re-forms this worker's job without it from the last step all ranks
  // completed; only then does this worker stop training and close its streams, so that its
  // peers move to the new generation instead of reporting a broken one.
  const std::string id = this->id();
  std::string job;
  {
    absl::MutexLock lock(&mu_);
    job = current_job_;
  }
  if (!id.empty()) {
    absl::Status s = client_.Leave(id);
    if (s.ok()) {
      TANDEM_LOG(INFO) << "left the coordinator"
                       << (job.empty() ? "" : absl::StrCat("; job ", job, " goes on without it"));
    } else {
      TANDEM_LOG(WARNING) << "leave: " << s.message();
    }
  }
  StopCurrentRun();
  for (auto& t : retired_) t.join();
  retired_.clear();
}

std::optional<v1::CollectiveWait> Worker::LongCollectiveWait() {
  const std::optional<collective::Mailbox::Wait> wait = collective_->mailbox().CurrentWait();
  if (!wait.has_value()) return std::nullopt;
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      collective::Clock::now() - wait->since);
  if (waited < std::chrono::seconds(1)) return std::nullopt;  // the ordinary waits of a step
  v1::CollectiveWait w;
  w.set_job_id(wait->group.job_id);
  w.set_generation(wait->group.generation);
  w.set_awaited_rank(wait->awaited_rank);
  w.set_waited_ms(static_cast<uint64_t>(waited.count()));
  // Probed before the wait is reported, so that every report the coordinator judges a stall
  // by says who is reachable.
  const auto now = std::chrono::steady_clock::now();
  const bool same_group = probed_group_.job_id == wait->group.job_id &&
                          probed_group_.generation == wait->group.generation;
  if (!same_group || now - probed_at_ >= std::chrono::seconds(2)) {
    std::vector<std::string> peers;
    int rank = 0;
    {
      absl::MutexLock lock(&mu_);
      if (current_job_ != wait->group.job_id || current_generation_ != wait->group.generation) {
        return w;  // the wait is of a generation this worker has left
      }
      peers = current_peers_;
      rank = current_rank_;
    }
    unreachable_ = collective::UnreachablePeers(peers, rank, options_.security,
                                                std::chrono::seconds(1));
    probed_group_ = wait->group;
    probed_at_ = now;
  }
  for (int r : unreachable_) w.add_unreachable_ranks(r);
  // The probe took up to a second: the wait's age as the heartbeat leaves.
  w.set_waited_ms(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            collective::Clock::now() - wait->since)
                                            .count()));
  return w;
}

void Worker::HandleAssignment(const v1::WorkAssignment& a) {
  {
    absl::MutexLock lock(&mu_);
    if (a.job_id() == current_job_ && a.generation() == current_generation_) return;
    if (a.job_id().empty() && !current_job_.empty()) {
      TANDEM_LOG(INFO) << "released from job " << current_job_ << "; idle";
    }
    // Lines from now on belong to the new job (none while idle).
    if (options_.log_shipper != nullptr) options_.log_shipper->SetJob(a.job_id());
    current_job_ = a.job_id();
    current_generation_ = a.generation();
    current_peers_.clear();
    for (const auto& m : a.members()) current_peers_.push_back(m.address());
    current_rank_ = static_cast<int>(a.rank());
  }
  StopCurrentRun();
  if (a.job_id().empty()) return;
  TANDEM_LOG(INFO) << "assigned to job " << a.job_id() << " generation " << a.generation()
                   << " as rank " << a.rank() << " of " << a.world_size() << " with "
                   << a.shards_size() << " shards";
  run_cancel_ = std::make_unique<std::atomic<bool>>(false);
  run_group_ = {a.job_id(), a.generation()};
  // Peers may push before this worker's run starts: admit their streams from now on.
  collective_->mailbox().Announce(run_group_, a.collective_key());
  const std::atomic<bool>* cancel = run_cancel_.get();
  run_thread_ = std::thread([this, a, cancel] { Prepare(a, *cancel); });
}

absl::Status Worker::EnsureArtifact(const std::string& job_id, const std::string& name,
                                    const std::string& sha256, uint32_t& fetched,
                                    uint32_t& cached) {
  if (cache_.Has(sha256)) {
    ++cached;
    return absl::OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(std::string data, client_.FetchArtifact(id(), job_id, name, sha256));
  TANDEM_RETURN_IF_ERROR(cache_.Put(sha256, data));
  ++fetched;
  return absl::OkStatus();
}

namespace {

// An assignment's identifiers become paths in the cache (DESIGN.md section 8): checked
// before anything is fetched or opened.
absl::Status CheckAssignment(const v1::WorkAssignment& a) {
  TANDEM_RETURN_IF_ERROR(CheckPathComponent("assignment: job id", a.job_id()));
  for (const auto& shard : a.shards()) {
    TANDEM_RETURN_IF_ERROR(CheckSha256Hex("assignment: shard checksum", shard.sha256()));
  }
  for (const auto& [name, sha] : a.artifacts()) {
    if (name != "source.model" && name != "target.model" && name != "valid.tsv" &&
        name != "checkpoint") {
      TANDEM_RETURN_IF_ERROR(CheckPathComponent("assignment: artifact name", name));
      return absl::InvalidArgumentError(
          absl::StrCat("assignment: unknown artifact '", name, "'"));
    }
    TANDEM_RETURN_IF_ERROR(CheckSha256Hex("assignment: artifact checksum", sha));
  }
  if (a.artifacts().count("source.model") == 0 || a.artifacts().count("target.model") == 0) {
    return absl::InvalidArgumentError("assignment: the tokenizer models are missing");
  }
  return absl::OkStatus();
}

}  // namespace

void Worker::Prepare(v1::WorkAssignment a, const std::atomic<bool>& cancel) {
  uint32_t fetched = 0, cached = 0;
  absl::Status status = CheckAssignment(a);
  if (!status.ok()) {
    TANDEM_LOG(ERROR) << "refusing the assignment: " << status;
    ProgressReporter(&client_, id(), a, nullptr).ReportFailure(status);
    return;
  }
  for (const auto& shard : a.shards()) {
    status = EnsureArtifact(a.job_id(), absl::StrCat("shard/", shard.index()), shard.sha256(),
                            fetched, cached);
    if (!status.ok()) break;
  }
  if (status.ok()) {
    for (const auto& [name, sha] : a.artifacts()) {
      status = EnsureArtifact(a.job_id(), name, sha, fetched, cached);
      if (!status.ok()) break;
    }
  }
  if (!status.ok()) {
    TANDEM_LOG(ERROR) << "job " << a.job_id() << ": cannot get artifacts: " << status;
    return;
  }
  TANDEM_LOG(INFO) << "job " << a.job_id() << ": " << fetched << " artifacts fetched, " << cached
                   << " from the cache";
  v1::ReportReadyRequest ready;
  ready.set_worker_id(id());
  ready.set_job_id(a.job_id());
  ready.set_generation(a.generation());
  ready.set_fetched_artifacts(fetched);
  ready.set_cached_artifacts(cached);
  absl::Status s = client_.ReportReady(ready);
  if (!s.ok()) {
    TANDEM_LOG(WARNING) << "report ready: " << s.message();
    return;
  }
  if (cancel) return;
  absl::Status trained = Train(a, cancel);
  if (!trained.ok() && !cancel) {
    TANDEM_LOG(ERROR) << "job " << a.job_id() << ": training failed: " << trained;
    ProgressReporter(&client_, id(), a, nullptr).ReportFailure(trained);
    hurry_until_ns_ = (std::chrono::steady_clock::now() + kHurryFor).time_since_epoch().count();
  }
}

absl::Status Worker::Train(const v1::WorkAssignment& a, const std::atomic<bool>& cancel) {
  // The previous generation's run, if still finishing its step, ends before this one starts.
  absl::MutexLock lock(&trainer_mu_);
  std::map<uint32_t, std::string> shard_files;
  for (const auto& shard : a.shards()) shard_files[shard.index()] = cache_.PathFor(shard.sha256());
  std::vector<TrainerConfig::Stream> streams;
  for (const auto& ds : a.streams()) {
    TrainerConfig::Stream stream;
    stream.id = ds.index();
    for (uint32_t s : ds.shards()) {
      auto it = shard_files.find(s);
      if (it == shard_files.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("assignment: stream ", ds.index(), " names shard ", s,
                         ", which is not among this worker's shards"));
      }
      stream.shard_files.push_back(it->second);
    }
    streams.push_back(std::move(stream));
  }
  // Replicas sum gradients over a gRPC ring of this generation's members.
  std::unique_ptr<collective::GrpcCommunicator> ring;
  if (a.world_size() > 1) {
    collective::GrpcCommunicatorOptions ring_options;
    ring_options.group = {a.job_id(), a.generation()};
    ring_options.rank = static_cast<int>(a.rank());
    for (const auto& m : a.members()) ring_options.peers.push_back(m.address());
    ring_options.security = {options_.security, a.collective_key()};
    ring_options.shared_memory = options_.shared_memory;
    TANDEM_ASSIGN_OR_RETURN(ring, collective::GrpcCommunicator::Create(ring_options, collective_));
  }
  // A worker that trained this job in the previous generation keeps its replica: after a
  // failure the survivors continue from their own state (they are identical after every
  // completed step), with no checkpoint reload.
  if (trainer_job_ != a.job_id()) {
    trainer_.reset();
    unsent_accounts_.clear();
  }
  if (trainer_ == nullptr) {
    TrainerConfig config;
    config.spec = a.spec();
    config.source_model = cache_.PathFor(a.artifacts().at("source.model"));
    config.target_model = cache_.PathFor(a.artifacts().at("target.model"));
    config.streams = std::move(streams);
    if (a.artifacts().count("valid.tsv") > 0) {
      config.valid_file = cache_.PathFor(a.artifacts().at("valid.tsv"));
    }
    config.threads = options_.threads;
    config.communicator = ring.get();
    TANDEM_ASSIGN_OR_RETURN(trainer_, Trainer::Create(config));
    trainer_job_ = a.job_id();
  } else {
    TANDEM_RETURN_IF_ERROR(trainer_->SetStreams(std::move(streams)));
    trainer_->SetCommunicator(ring.get());
  }
  Trainer& trainer = *trainer_;
  // The ring dies with this function; the trainer must not keep a pointer to it.
  absl::Cleanup detach = [&trainer] { trainer.SetCommunicator(nullptr); };
  // The job's newest checkpoint, when it is newer than this replica (a fresh worker, or all
  // replicas lost): parameters, Adam state and step carry over.
  std::string source = trainer.step() > 0 ? "its own replica" : "the job seed";
  if (auto it = a.artifacts().find("checkpoint"); it != a.artifacts().end()) {
    TANDEM_ASSIGN_OR_RETURN(const bool loaded,
                            trainer.LoadCheckpointIfNewer(cache_.PathFor(it->second)));
    if (loaded) source = "the checkpoint";
  }
  if (a.world_size() > 1) {
    // Everyone adopts the newest replica of the generation (rank 0's for a new job).
    TANDEM_ASSIGN_OR_RETURN(const int root, trainer.Synchronize());
    if (static_cast<uint32_t>(root) != a.rank()) source = absl::StrCat("rank ", root, "'s replica");
  }
  TANDEM_LOG(INFO) << "job " << a.job_id() << " generation " << a.generation()
                   << ": training from step " << trainer.step() << " (" << source << ")";
  TrainingLoopOptions loop = TrainingLoopOptions::FromSpec(a.spec().training());
  loop.validate = a.artifacts().count("valid.tsv") > 0;
  loop.deadline_unix_ms = a.deadline_unix_ms();
  loop.planned_steps = static_cast<int64_t>(a.planned_steps());
  if (a.rank() == 0) {
    // Only rank 0 writes checkpoints; each is uploaded, then removed (ProgressReporter).
    loop.checkpoint_dir = cache_.dir() + "/checkpoints/" + a.job_id();
  }
  // Whose segments this rank waited for, per report (the coordinator's straggler).
  auto awaited_ms = [this] {
    std::map<int, float> out;
    for (const auto& [peer, waited] : collective_->mailbox().TakeAwaited()) {
      out[peer] = std::chrono::duration<float, std::milli>(waited).count();
    }
    return out;
  };
  (void)collective_->mailbox().TakeAwaited();  // what waits before this generation's steps
  ProgressReporter reporter(&client_, id(), a, &trainer, &cancel, &unsent_accounts_,
                            awaited_ms);
  TANDEM_ASSIGN_OR_RETURN(const LoopEnd end, RunTrainingLoop(trainer, loop, reporter, &cancel));
  if (end == LoopEnd::kFinished || end == LoopEnd::kEarlyStopped || end == LoopEnd::kTimeUp) {
    std::move(detach).Invoke();
    trainer_.reset();  // the job is over: free the replica
    trainer_job_.clear();
    unsent_accounts_.clear();
  }
  return absl::OkStatus();
}

}  // namespace tandem
