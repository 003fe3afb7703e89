#include "worker/worker.h"

#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem {

Worker::Worker(WorkerOptions options)
    : options_(std::move(options)),
      client_(options_.coordinator, options_.rpc_timeout),
      cache_(options_.cache_dir) {}

Worker::~Worker() {
  Stop();
  if (prepare_thread_.joinable()) prepare_thread_.join();
}

std::string Worker::id() const {
  absl::MutexLock lock(&mu_);
  return worker_id_;
}

void Worker::Stop() { stop_ = true; }

void Worker::Run() {
  absl::Status cache_status = cache_.Init();
  if (!cache_status.ok()) TANDEM_LOG(ERROR) << cache_status;
  std::chrono::milliseconds interval(500);
  bool reported_unavailable = false;
  while (!stop_) {
    std::string id = this->id();
    if (id.empty()) {
      v1::JoinRequest join;
      join.set_address(options_.advertise_address);
      char host[256] = {0};
      ::gethostname(host, sizeof(host) - 1);
      join.set_hostname(host);
      join.set_cpus(std::thread::hardware_concurrency());
      join.set_memory_bytes(static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                            static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)));
      auto joined = client_.Join(join);
      if (joined.ok()) {
        absl::MutexLock lock(&mu_);
        worker_id_ = joined->worker_id();
        interval = std::chrono::milliseconds(std::max<uint32_t>(50, joined->heartbeat_interval_ms()));
        TANDEM_LOG(INFO) << "joined the coordinator at " << options_.coordinator << " as "
                         << worker_id_;
        reported_unavailable = false;
      } else if (!reported_unavailable) {
        TANDEM_LOG(WARNING) << "cannot join the coordinator at " << options_.coordinator << ": "
                            << joined.status().message() << " (retrying)";
        reported_unavailable = true;
      }
    } else {
      auto beat = client_.Heartbeat(id);
      if (beat.ok()) {
        reported_unavailable = false;
        HandleAssignment(beat->assignment());
      } else if (absl::IsNotFound(beat.status())) {
        TANDEM_LOG(WARNING) << "coordinator does not know " << id << " any more; joining again";
        absl::MutexLock lock(&mu_);
        worker_id_.clear();
        current_job_.clear();
        current_generation_ = 0;
      } else if (!reported_unavailable) {
        TANDEM_LOG(WARNING) << "heartbeat failed: " << beat.status().message() << " (retrying)";
        reported_unavailable = true;
      }
    }
    for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(interval / 10);
  }
  const std::string id = this->id();
  if (!id.empty()) {
    absl::Status s = client_.Leave(id);
    if (!s.ok()) TANDEM_LOG(WARNING) << "leave: " << s.message();
  }
}

void Worker::HandleAssignment(const v1::WorkAssignment& a) {
  absl::MutexLock lock(&mu_);
  if (a.job_id().empty()) {
    if (!current_job_.empty()) {
      TANDEM_LOG(INFO) << "released from job " << current_job_ << "; idle";
      current_job_.clear();
      current_generation_ = 0;
    }
    return;
  }
  if (a.job_id() == current_job_ && a.generation() == current_generation_) return;
  current_job_ = a.job_id();
  current_generation_ = a.generation();
  TANDEM_LOG(INFO) << "assigned to job " << a.job_id() << " generation " << a.generation()
                   << " as rank " << a.rank() << " of " << a.world_size() << " with "
                   << a.shards_size() << " shards";
  if (prepare_thread_.joinable()) prepare_thread_.join();
  prepare_thread_ = std::thread([this, a] { Prepare(a); });
}

absl::Status Worker::EnsureArtifact(const std::string& job_id, const std::string& name,
                                    const std::string& sha256, uint32_t& fetched,
                                    uint32_t& cached) {
  if (cache_.Has(sha256)) {
    ++cached;
    return absl::OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(std::string data,
                          client_.FetchArtifact(id(), job_id, name, sha256));
  TANDEM_RETURN_IF_ERROR(cache_.Put(sha256, data));
  ++fetched;
  return absl::OkStatus();
}

void Worker::Prepare(v1::WorkAssignment a) {
  uint32_t fetched = 0, cached = 0;
  absl::Status status;
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
  if (!s.ok()) TANDEM_LOG(WARNING) << "report ready: " << s.message();
}

}  // namespace tandem
