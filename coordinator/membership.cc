#include "coordinator/membership.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/status.h"
#include "coordinator/generation.h"
#include "data/sharding.h"

namespace tandem {

using tandem::v1::JobInfo;
using tandem::v1::WorkerInfo;

namespace {

bool IsActive(const WorkerInfo& w) {
  return w.state() == v1::WORKER_STATE_IDLE || w.state() == v1::WORKER_STATE_ASSIGNED;
}

absl::Status UnknownWorker(const std::string& worker_id) {
  return absl::NotFoundError(absl::StrCat("unknown worker id '", worker_id, "'"));
}

}  // namespace

absl::Status Membership::Recover(int64_t now_ms) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<WorkerInfo> workers, store_->ListWorkers());
  absl::MutexLock lock(&live_mu_);
  for (WorkerInfo& w : workers) {
    Live& live = live_[w.id()];
    live.liveness = {w.state(), w.job_id()};
    live.last_heartbeat_ms = now_ms;
    live.session_sha256 = w.session_sha256();
    live.rank = w.rank();
    Entry entry;
    entry.info = std::move(w);
    workers_[entry.info.id()] = std::move(entry);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Membership::Join(const v1::JoinRequest& request, int64_t now_ms,
                                             const std::string& session_sha256) {
  if (request.address().empty() || request.address().size() > 256) {
    return absl::InvalidArgumentError("join: address must be host:port, at most 256 bytes");
  }
  TANDEM_ASSIGN_OR_RETURN(std::string id, store_->NextWorkerId());
  Entry entry;
  entry.info.set_id(id);
  entry.info.set_address(request.address());
  entry.info.set_hostname(request.hostname().substr(0, 256));
  entry.info.set_cpus(request.cpus());
  entry.info.set_version(request.version().substr(0, 64));
  entry.info.set_memory_bytes(request.memory_bytes());
  entry.info.set_state(v1::WORKER_STATE_IDLE);
  entry.info.set_joined_unix_ms(now_ms);
  entry.info.set_session_sha256(session_sha256);
  {
    absl::MutexLock lock(&live_mu_);
    live_[id].last_heartbeat_ms = now_ms;
  }
  Persist(entry);
  workers_[id] = std::move(entry);
  TANDEM_LOG(INFO) << "worker " << id << " joined from " << request.address();
  return id;
}

absl::StatusOr<Membership::Liveness> Membership::Heartbeat(const std::string& worker_id,
                                                           int64_t now_ms,
                                                           const v1::CollectiveWait* wait) {
  absl::MutexLock lock(&live_mu_);
  auto it = live_.find(worker_id);
  const bool active = it != live_.end() && (it->second.liveness.state == v1::WORKER_STATE_IDLE ||
                                            it->second.liveness.state == v1::WORKER_STATE_ASSIGNED);
  if (!active) {
    return absl::NotFoundError(absl::StrCat(
        "unknown worker id '", worker_id, "'",
        it == live_.end() ? "" : " (it was declared lost or left)", "; join again"));
  }
  it->second.last_heartbeat_ms = now_ms;
  if (wait != nullptr) {
    it->second.wait = *wait;
    // From the network: bounded, so that the sums below cannot overflow (a day is plenty).
    constexpr uint64_t kMaxWaitMs = 86'400'000;
    it->second.wait->set_waited_ms(std::min<uint64_t>(wait->waited_ms(), kMaxWaitMs));
    // A generation has at most 1,024 ranks (workers.max): a longer list is no report of one.
    constexpr int kMaxUnreachableRanks = 1024;
    if (wait->unreachable_ranks_size() > kMaxUnreachableRanks) {
      it->second.wait->clear_unreachable_ranks();
    }
  } else {
    it->second.wait.reset();
  }
  return it->second.liveness;
}

int64_t Membership::WaitedMs(const Live& live, int64_t now_ms) {
  return static_cast<int64_t>(live.wait->waited_ms()) +
         std::max<int64_t>(0, now_ms - live.last_heartbeat_ms);
}

std::set<std::string> Membership::JobsWaitingAtLeast(int64_t waited_ms, int64_t now_ms) const {
  std::set<std::string> jobs;
  absl::MutexLock lock(&live_mu_);
  for (const auto& [id, live] : live_) {
    if (live.wait.has_value() && WaitedMs(live, now_ms) >= waited_ms) {
      jobs.insert(live.wait->job_id());
    }
  }
  return jobs;
}

std::optional<v1::CollectiveWait> Membership::CollectiveWaitOf(const std::string& worker_id,
                                                               int64_t now_ms) const {
  absl::MutexLock lock(&live_mu_);
  auto it = live_.find(worker_id);
  if (it == live_.end() || !it->second.wait.has_value()) return std::nullopt;
  v1::CollectiveWait w = *it->second.wait;
  w.set_waited_ms(static_cast<uint64_t>(WaitedMs(it->second, now_ms)));
  return w;
}

absl::Status Membership::CheckActive(const std::string& worker_id) const {
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || !IsActive(it->second.info)) return UnknownWorker(worker_id);
  return absl::OkStatus();
}

absl::Status Membership::CheckAssigned(const std::string& worker_id,
                                       const std::string& job_id) const {
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) return UnknownWorker(worker_id);
  if (it->second.info.job_id() != job_id || it->second.info.state() != v1::WORKER_STATE_ASSIGNED) {
    return absl::PermissionDeniedError(
        absl::StrCat("worker ", worker_id, " is not a member of job ", job_id));
  }
  return absl::OkStatus();
}

absl::Status Membership::CheckSession(const std::string& worker_id,
                                      const std::string& session_token) const {
  std::string digest;
  {
    absl::MutexLock lock(&live_mu_);
    auto it = live_.find(worker_id);
    if (it != live_.end()) digest = it->second.session_sha256;
  }
  if (digest.empty()) return UnknownWorker(worker_id);
  if (!TokensEqual(Sha256Hex(session_token), digest)) {
    return absl::UnauthenticatedError(
        absl::StrCat("the session token is not the one worker ", worker_id, " got when it joined"));
  }
  return absl::OkStatus();
}

void Membership::Unassign(Entry& w) {
  if (!w.info.job_id().empty()) {
    w.last_job_id = w.info.job_id();
    w.last_rank = w.info.rank();
  }
  w.info.clear_job_id();
  w.info.set_rank(0);
}

std::optional<uint32_t> Membership::RankForLogs(const std::string& worker_id,
                                                const std::string& job_id) const {
  if (job_id.empty()) return std::nullopt;
  absl::MutexLock lock(&live_mu_);
  auto it = live_.find(worker_id);
  if (it == live_.end()) return std::nullopt;
  const Live& w = it->second;
  if (w.liveness.job_id == job_id) return w.rank;
  if (w.last_job_id == job_id) return w.last_rank;
  return std::nullopt;
}

const WorkerInfo* Membership::Find(const std::string& worker_id) const {
  auto it = workers_.find(worker_id);
  return it == workers_.end() ? nullptr : &it->second.info;
}

bool Membership::HoldsJob(const std::string& worker_id, const std::string& job_id) const {
  auto it = workers_.find(worker_id);
  return it != workers_.end() && it->second.info.job_id() == job_id;
}

absl::StatusOr<std::string> Membership::Leave(const std::string& worker_id) {
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) return UnknownWorker(worker_id);
  const std::string job_id = it->second.info.job_id();
  it->second.info.set_state(v1::WORKER_STATE_LEFT);
  Unassign(it->second);
  Persist(it->second);
  return job_id;
}

void Membership::DeclareLost(int64_t now_ms, int64_t timeout_ms, const LostFn& on_lost) {
  // One pass over the liveness table finds the silent (in id order, as workers_ is kept);
  // each is then checked again and marked lost under the liveness lock: a heartbeat either
  // came in time or is told to join again, as when both ran under one mutex.
  std::vector<std::string> silent;
  {
    absl::MutexLock lock(&live_mu_);
    for (const auto& [id, live] : live_) {
      const v1::WorkerState state = live.liveness.state;
      const bool active = state == v1::WORKER_STATE_IDLE || state == v1::WORKER_STATE_ASSIGNED;
      if (active && now_ms - live.last_heartbeat_ms > timeout_ms) silent.push_back(id);
    }
  }
  for (const std::string& id : silent) {
    Entry& w = workers_.at(id);
    if (!IsActive(w.info)) continue;
    int64_t silent_ms = 0;
    {
      absl::MutexLock lock(&live_mu_);
      Live& live = live_[id];
      silent_ms = now_ms - live.last_heartbeat_ms;
      if (silent_ms <= timeout_ms) continue;
      if (!live.liveness.job_id.empty()) {  // as Unassign does, for RankForLogs
        live.last_job_id = live.liveness.job_id;
        live.last_rank = live.rank;
      }
      live.liveness = {v1::WORKER_STATE_LOST, ""};
    }
    const std::string job_id = w.info.job_id();
    TANDEM_LOG(WARNING) << "worker " << id << " lost: no heartbeat for " << silent_ms << " ms";
    w.info.set_state(v1::WORKER_STATE_LOST);
    Unassign(w);
    Persist(w);
    if (!job_id.empty()) {
      on_lost(id, job_id, absl::StrCat("lost (no heartbeat for ", silent_ms, " ms)"));
    }
  }
}

void Membership::DeclareLostNow(const std::string& worker_id, const std::string& why) {
  auto it = workers_.find(worker_id);
  if (it == workers_.end() || !IsActive(it->second.info)) return;
  TANDEM_LOG(WARNING) << "worker " << worker_id << " lost: " << why;
  it->second.info.set_state(v1::WORKER_STATE_LOST);
  Unassign(it->second);
  Persist(it->second);
}

int64_t Membership::LastHeartbeatMs(const std::string& worker_id) const {
  absl::MutexLock lock(&live_mu_);
  auto it = live_.find(worker_id);
  return it == live_.end() ? 0 : it->second.last_heartbeat_ms;
}

Membership::Available Membership::Idle() const {
  Available out;
  for (const auto& [id, w] : workers_) {
    if (!IsActive(w.info)) continue;
    ++out.registered;
    if (w.info.state() == v1::WORKER_STATE_IDLE) out.idle.push_back({id, w.info.memory_bytes()});
  }
  return out;
}

std::vector<std::string> Membership::StillAssigned(const JobInfo& job) const {
  std::vector<std::string> members;
  for (const auto& m : job.assignments()) {
    auto it = workers_.find(m.worker_id());
    if (it != workers_.end() && it->second.info.state() == v1::WORKER_STATE_ASSIGNED) {
      members.push_back(m.worker_id());
    }
  }
  return members;
}

absl::Status Membership::FormGeneration(JobInfo& job, const std::vector<std::string>& members) {
  const uint32_t world = static_cast<uint32_t>(members.size());
  if (world > NumStreams(job)) {
    return absl::InternalError(absl::StrCat("job ", job.id(), ": ", world, " workers for ",
                                            NumStreams(job), " data streams"));
  }
  job.clear_assignments();
  job.set_generation(job.generation() + 1);
  for (uint32_t rank = 0; rank < world; ++rank) {
    Entry& w = workers_.at(members[rank]);
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
    Persist(w);
  }
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_message(
      absl::StrCat("generation ", job.generation(), ": ", world, " workers fetching their shards"));
  return absl::OkStatus();
}

void Membership::Release(const JobInfo& job) {
  for (const auto& m : job.assignments()) {
    auto it = workers_.find(m.worker_id());
    if (it == workers_.end() || it->second.info.job_id() != job.id()) continue;
    if (it->second.info.state() == v1::WORKER_STATE_ASSIGNED) {
      it->second.info.set_state(v1::WORKER_STATE_IDLE);
    }
    Unassign(it->second);
    Persist(it->second);
  }
}

std::vector<WorkerInfo> Membership::List() const {
  std::vector<WorkerInfo> out;
  for (const auto& [id, w] : workers_) {
    WorkerInfo info = w.info;
    info.set_last_heartbeat_unix_ms(LastHeartbeatMs(id));
    info.clear_session_sha256();  // the registry's secret, not for clients
    out.push_back(std::move(info));
  }
  return out;
}

void Membership::Persist(const Entry& w) {
  WorkerInfo info = w.info;
  {
    absl::MutexLock lock(&live_mu_);
    Live& live = live_[info.id()];
    live.liveness = {info.state(), info.job_id()};
    live.session_sha256 = info.session_sha256();
    live.rank = info.rank();
    live.last_job_id = w.last_job_id;
    live.last_rank = w.last_rank;
    info.set_last_heartbeat_unix_ms(live.last_heartbeat_ms);
  }
  absl::Status s = store_->PutWorker(info);
  if (!s.ok()) TANDEM_LOG(ERROR) << "cannot store worker " << info.id() << ": " << s;
}

}  // namespace tandem
