#include "coordinator/job_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/job_states.h"
#include "common/status.h"
#include "coordinator/job_state.h"

namespace tandem {
namespace {

using tandem::v1::JobEvent;
using tandem::v1::JobInfo;
using tandem::v1::JobSpec;
using tandem::v1::WorkerInfo;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS jobs(
  id TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  state INTEGER NOT NULL,
  info BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  unix_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_job ON events(job_id, seq);
CREATE TABLE IF NOT EXISTS workers(
  id TEXT PRIMARY KEY,
  info BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS metrics(
  job_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  point BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_job ON metrics(job_id, step);
CREATE TABLE IF NOT EXISTS counters(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
)sql";

// RAII prepared statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  absl::Status status() const {
    if (rc_ == SQLITE_OK) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("sqlite prepare: ", sqlite3_errmsg(db_)));
  }
  Stmt& Text(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Blob(int i, const std::string& v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Returns SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string ColumnBlob(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    const int n = sqlite3_column_bytes(stmt_, i);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
  }
  std::string ColumnText(int i) {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }
  int64_t ColumnInt(int i) { return sqlite3_column_int64(stmt_, i); }
  absl::Status Done() {
    const int rc = Step();
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("sqlite step: ", sqlite3_errmsg(db_)));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// Commits on Commit(); rolls back if destroyed before.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    ok_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (ok_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  absl::Status status() const {
    return ok_ ? absl::OkStatus()
               : absl::InternalError(absl::StrCat("sqlite begin: ", sqlite3_errmsg(db_)));
  }
  absl::Status Commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("sqlite commit: ", sqlite3_errmsg(db_)));
    }
    committed_ = true;
    return absl::OkStatus();
  }

 private:
  sqlite3* db_;
  bool ok_ = false;
  bool committed_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<JobStore>> JobStore::Open(const std::string& path,
                                                          JobStoreLimits limits) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = absl::StrCat("cannot open state database ", path, ": ",
                                   db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return absl::InternalError(msg);
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<JobStore> store(new JobStore(db, limits));
  absl::MutexLock lock(&store->mu_);
  TANDEM_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  TANDEM_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));
  TANDEM_RETURN_IF_ERROR(store->Exec(kSchema));
  TANDEM_RETURN_IF_ERROR(store->AddNameColumn());
  TANDEM_RETURN_IF_ERROR(store->LoadJobs());
  return store;
}

absl::Status JobStore::LoadJobs() {
  Stmt list(db_, "SELECT info FROM jobs");
  TANDEM_RETURN_IF_ERROR(list.status());
  while (list.Step() == SQLITE_ROW) {
    auto info = std::make_shared<JobInfo>();
    if (!info->ParseFromString(list.ColumnBlob(0))) {
      return absl::DataLossError("a stored job record is corrupt");
    }
    absl::MutexLock lock(&jobs_mu_);
    jobs_[info->id()] = std::move(info);
  }
  return absl::OkStatus();
}

void JobStore::Remember(JobInfo job) {
  auto stored = std::make_shared<const JobInfo>(std::move(job));
  absl::MutexLock lock(&jobs_mu_);
  jobs_[stored->id()] = std::move(stored);
}

JobStore::~JobStore() {
  absl::MutexLock lock(&mu_);
  sqlite3_close(db_);
}

absl::Status JobStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = absl::StrCat("sqlite: ", err ? err : "error", " in: ", sql);
    sqlite3_free(err);
    return absl::InternalError(msg);
  }
  return absl::OkStatus();
}

absl::Status JobStore::AddNameColumn() {
  {
    Stmt has(db_, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'name'");
    TANDEM_RETURN_IF_ERROR(has.status());
    if (has.Step() == SQLITE_ROW) return absl::OkStatus();
  }
  // A data directory from before job names were looked up: the column, filled from the
  // stored records, in one transaction.
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  TANDEM_RETURN_IF_ERROR(Exec("ALTER TABLE jobs ADD COLUMN name TEXT NOT NULL DEFAULT ''"));
  std::vector<std::pair<std::string, std::string>> names;
  {
    Stmt list(db_, "SELECT id, info FROM jobs");
    TANDEM_RETURN_IF_ERROR(list.status());
    while (list.Step() == SQLITE_ROW) {
      JobInfo info;
      if (info.ParseFromString(list.ColumnBlob(1)) && !info.spec().name().empty()) {
        names.emplace_back(list.ColumnText(0), info.spec().name());
      }
    }
  }
  for (const auto& [id, name] : names) {
    Stmt up(db_, "UPDATE jobs SET name = ?2 WHERE id = ?1");
    TANDEM_RETURN_IF_ERROR(up.status());
    TANDEM_RETURN_IF_ERROR(up.Text(1, id).Text(2, name).Done());
  }
  TANDEM_RETURN_IF_ERROR(Exec("CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs(name)"));
  return tx.Commit();
}

absl::StatusOr<std::string> JobStore::FindNameLocked(const std::string& name) {
  Stmt q(db_, "SELECT id FROM jobs WHERE name = ?1 ORDER BY created_ms DESC, id DESC LIMIT 1");
  TANDEM_RETURN_IF_ERROR(q.status());
  q.Text(1, name);
  if (q.Step() != SQLITE_ROW) return absl::NotFoundError(absl::StrCat("no job named '", name, "'"));
  return q.ColumnText(0);
}

absl::StatusOr<JobInfo> JobStore::FindJobByName(const std::string& name) {
  absl::MutexLock lock(&mu_);
  TANDEM_ASSIGN_OR_RETURN(std::string id, FindNameLocked(name));
  return GetJob(id);
}

absl::StatusOr<JobInfo> JobStore::DeleteJob(const std::string& id) {
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  TANDEM_ASSIGN_OR_RETURN(JobInfo job, GetJob(id));
  if (!IsTerminal(job.state())) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", id, " is ", StateName(job.state()),
                     "; only an ended job can be deleted (cancel it first: tandem cancel ", id,
                     ")"));
  }
  for (const char* sql : {"DELETE FROM jobs WHERE id = ?1", "DELETE FROM events WHERE job_id = ?1",
                          "DELETE FROM metrics WHERE job_id = ?1"}) {
    Stmt del(db_, sql);
    TANDEM_RETURN_IF_ERROR(del.status());
    TANDEM_RETURN_IF_ERROR(del.Text(1, id).Done());
  }
  TANDEM_RETURN_IF_ERROR(tx.Commit());
  {
    absl::MutexLock jobs_lock(&jobs_mu_);
    jobs_.erase(id);
  }
  ++counters_.deleted;
  return job;
}

absl::StatusOr<uint64_t> JobStore::NextCounter(const std::string& name) {
  Stmt up(db_,
          "INSERT INTO counters(name, value) VALUES(?1, 1) "
          "ON CONFLICT(name) DO UPDATE SET value = value + 1");
  TANDEM_RETURN_IF_ERROR(up.status());
  TANDEM_RETURN_IF_ERROR(up.Text(1, name).Done());
  Stmt get(db_, "SELECT value FROM counters WHERE name = ?1");
  TANDEM_RETURN_IF_ERROR(get.status());
  get.Text(1, name);
  if (get.Step() != SQLITE_ROW) return absl::InternalError("counter vanished");
  return static_cast<uint64_t>(get.ColumnInt(0));
}

absl::Status JobStore::InsertEvent(const std::string& job_id, const EventDraft& e,
                                   int64_t now_ms) {
  Stmt ins(db_, "INSERT INTO events(job_id, unix_ms, kind, message) VALUES(?1, ?2, ?3, ?4)");
  TANDEM_RETURN_IF_ERROR(ins.status());
  TANDEM_RETURN_IF_ERROR(ins.Text(1, job_id).Int(2, now_ms).Text(3, e.kind).Text(4, e.message).Done());
  // Keep the newest max_events_per_job: the oldest one beyond them goes (one at a time, as
  // they come, so this is an indexed lookup and at most one delete).
  Stmt trim(db_,
            "DELETE FROM events WHERE job_id = ?1 AND seq <= (SELECT seq FROM events WHERE "
            "job_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)");
  TANDEM_RETURN_IF_ERROR(trim.status());
  return trim.Text(1, job_id).Int(2, static_cast<int64_t>(limits_.max_events_per_job)).Done();
}

absl::StatusOr<std::string> JobStore::CreateJob(
    const JobSpec& spec, int64_t now_ms, const std::vector<std::string>& auto_sized,
    const std::map<std::string, std::string>& corpus_file_names, const std::string& owner) {
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  if (jobs_.size() >= limits_.max_jobs) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the coordinator holds ", limits_.max_jobs, " jobs, its limit (--max_jobs)"));
  }
  if (!spec.name().empty()) {
    absl::StatusOr<std::string> taken = FindNameLocked(spec.name());
    if (taken.ok()) {
      return absl::AlreadyExistsError(
          absl::StrCat("the name '", spec.name(), "' is taken by job ", *taken));
    }
    if (!absl::IsNotFound(taken.status())) return taken.status();
  }
  TANDEM_ASSIGN_OR_RETURN(uint64_t n, NextCounter("job"));
  const std::string id = absl::StrFormat("job-%06d", n);
  JobInfo info;
  info.set_id(id);
  *info.mutable_spec() = spec;
  for (const std::string& f : auto_sized) info.add_auto_sized(f);
  for (const auto& [field, name] : corpus_file_names) {
    (*info.mutable_corpus_file_names())[field] = name;
  }
  info.set_owner(owner);
  info.set_state(v1::JOB_STATE_QUEUED);
  info.set_message("queued for preparation");
  info.set_created_unix_ms(now_ms);
  info.set_updated_unix_ms(now_ms);
  Stmt ins(db_, "INSERT INTO jobs(id, created_ms, state, info, name) VALUES(?1, ?2, ?3, ?4, ?5)");
  TANDEM_RETURN_IF_ERROR(ins.status());
  TANDEM_RETURN_IF_ERROR(ins.Text(1, id)
                             .Int(2, now_ms)
                             .Int(3, info.state())
                             .Blob(4, info.SerializeAsString())
                             .Text(5, spec.name())
                             .Done());
  const std::string name = spec.name().empty() ? "" : absl::StrCat(" '", spec.name(), "'");
  TANDEM_RETURN_IF_ERROR(
      InsertEvent(id,
                  {"submitted", absl::StrCat("job", name, " submitted",
                                             owner.empty() ? "" : absl::StrCat(" by ", owner))},
                  now_ms));
  TANDEM_RETURN_IF_ERROR(tx.Commit());
  Remember(std::move(info));
  ++counters_.submitted;
  return id;
}

JobCounters JobStore::Counters() {
  absl::MutexLock lock(&mu_);
  return counters_;
}

std::shared_ptr<const JobInfo> JobStore::FindJob(const std::string& id) {
  absl::MutexLock lock(&jobs_mu_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

absl::StatusOr<JobInfo> JobStore::GetJob(const std::string& id) {
  std::shared_ptr<const JobInfo> job = FindJob(id);
  if (job == nullptr) return absl::NotFoundError(absl::StrCat("no job '", id, "'"));
  return *job;
}

template <class Pred>
std::vector<std::shared_ptr<const JobInfo>> JobStore::Select(Pred keep) {
  std::vector<std::shared_ptr<const JobInfo>> selected;
  {
    absl::MutexLock lock(&jobs_mu_);
    for (const auto& [id, job] : jobs_) {
      if (keep(*job)) selected.push_back(job);
    }
  }
  // Newest first: the order of the jobs table's created_ms (the creation time), then id.
  std::sort(selected.begin(), selected.end(), [](const auto& a, const auto& b) {
    if (a->created_unix_ms() != b->created_unix_ms()) {
      return a->created_unix_ms() > b->created_unix_ms();
    }
    return a->id() > b->id();
  });
  return selected;
}

namespace {

// Copies made outside any lock: the jobs are immutable.
std::vector<JobInfo> Copies(const std::vector<std::shared_ptr<const JobInfo>>& jobs) {
  std::vector<JobInfo> out;
  out.reserve(jobs.size());
  for (const auto& job : jobs) out.push_back(*job);
  return out;
}

}  // namespace

std::vector<std::shared_ptr<const JobInfo>> JobStore::AllJobs() {
  return Select([](const JobInfo&) { return true; });
}

absl::StatusOr<std::vector<JobInfo>> JobStore::ListJobs() { return Copies(AllJobs()); }

std::vector<JobInfo> JobStore::ListActiveJobs() {
  return Copies(Select([](const JobInfo& job) { return !IsTerminal(job.state()); }));
}

absl::Status JobStore::UpdateJob(JobInfo job, const std::vector<EventDraft>& events,
                                 int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  // Only writers change jobs_, and they hold mu_: `old` stays valid without jobs_mu_.
  std::shared_ptr<const JobInfo> old_job = FindJob(job.id());
  if (old_job == nullptr) return absl::NotFoundError(absl::StrCat("no job '", job.id(), "'"));
  const JobInfo& old = *old_job;
  // The caller's events (what happened) come before the state change they caused.
  for (const EventDraft& e : events) TANDEM_RETURN_IF_ERROR(InsertEvent(job.id(), e, now_ms));
  if (old.state() != job.state()) {
    TANDEM_RETURN_IF_ERROR(CheckTransition(old.state(), job.state()));
    std::string msg = absl::StrCat(StateName(old.state()), " -> ", StateName(job.state()));
    if (!job.message().empty()) absl::StrAppend(&msg, ": ", job.message());
    TANDEM_RETURN_IF_ERROR(InsertEvent(job.id(), {"state", msg}, now_ms));
  }
  job.set_updated_unix_ms(now_ms);
  Stmt up(db_, "UPDATE jobs SET state = ?2, info = ?3 WHERE id = ?1");
  TANDEM_RETURN_IF_ERROR(up.status());
  TANDEM_RETURN_IF_ERROR(
      up.Text(1, job.id()).Int(2, job.state()).Blob(3, job.SerializeAsString()).Done());
  TANDEM_RETURN_IF_ERROR(tx.Commit());
  if (job.generation() > old.generation()) ++counters_.generations;
  if (old.state() != job.state()) {
    if (job.state() == v1::JOB_STATE_SUCCEEDED) ++counters_.succeeded;
    if (job.state() == v1::JOB_STATE_FAILED) ++counters_.failed;
    if (job.state() == v1::JOB_STATE_CANCELLED) ++counters_.cancelled;
  }
  Remember(std::move(job));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<JobEvent>> JobStore::ListEvents(const std::string& job_id,
                                                           int64_t after_seq, uint32_t limit,
                                                           const std::string& owner,
                                                           const EventFilter& filter) {
  if (limit == 0) limit = 1000;
  // A user's events of every job: only the jobs it may see (its own and those of no one),
  // named to SQL as one JSON array, so that the index finds them and LIMIT holds.
  const bool by_owner = job_id.empty() && !owner.empty();
  std::string visible = "[";
  if (by_owner) {
    for (const auto& job : Select([&](const JobInfo& j) {
           return j.owner().empty() || j.owner() == owner;
         })) {
      // Job ids are path components ([A-Za-z0-9._-]): nothing to escape.
      absl::StrAppend(&visible, visible.size() > 1 ? "," : "", "\"", job->id(), "\"");
    }
    if (visible.size() == 1) return std::vector<JobEvent>();
  }
  visible += "]";
  std::string sql = "SELECT seq, job_id, unix_ms, kind, message FROM events WHERE seq > ?2";
  if (by_owner) sql += " AND job_id IN (SELECT value FROM json_each(?1))";
  if (!job_id.empty()) sql += " AND job_id = ?1";
  if (!filter.kind.empty()) sql += " AND kind = ?4";
  // The newest: read backwards from the end of the index, then put them back in order.
  sql += filter.newest ? " ORDER BY seq DESC LIMIT ?3" : " ORDER BY seq LIMIT ?3";
  absl::MutexLock lock(&mu_);
  Stmt q(db_, sql.c_str());
  TANDEM_RETURN_IF_ERROR(q.status());
  if (by_owner) q.Text(1, visible);
  if (!job_id.empty()) q.Text(1, job_id);
  if (!filter.kind.empty()) q.Text(4, filter.kind);
  q.Int(2, after_seq).Int(3, limit);
  std::vector<JobEvent> out;
  while (q.Step() == SQLITE_ROW) {
    JobEvent e;
    e.set_seq(q.ColumnInt(0));
    e.set_job_id(q.ColumnText(1));
    e.set_unix_ms(q.ColumnInt(2));
    e.set_kind(q.ColumnText(3));
    e.set_message(q.ColumnText(4));
    out.push_back(std::move(e));
  }
  if (filter.newest) std::reverse(out.begin(), out.end());
  return out;
}

absl::Status JobStore::AppendEvent(const std::string& job_id, const EventDraft& event,
                                   int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  return InsertEvent(job_id, event, now_ms);
}

absl::Status JobStore::AppendMetrics(const std::string& job_id,
                                     const std::vector<v1::MetricPoint>& points) {
  if (points.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  TANDEM_RETURN_IF_ERROR(InsertMetrics(job_id, points));
  return tx.Commit();
}

absl::Status JobStore::InsertMetrics(const std::string& job_id,
                                     const std::vector<v1::MetricPoint>& points) {
  for (const auto& p : points) {
    Stmt ins(db_, "INSERT INTO metrics(job_id, step, point) VALUES(?1, ?2, ?3)");
    TANDEM_RETURN_IF_ERROR(ins.status());
    TANDEM_RETURN_IF_ERROR(ins.Text(1, job_id)
                               .Int(2, static_cast<int64_t>(p.step()))
                               .Blob(3, p.SerializeAsString())
                               .Done());
  }
  return absl::OkStatus();
}

absl::Status JobStore::SaveProgress(const std::vector<ProgressWrite>& writes, int64_t now_ms) {
  if (writes.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  std::vector<JobInfo> saved;
  for (const ProgressWrite& w : writes) {
    std::shared_ptr<const JobInfo> old = FindJob(w.job_id);  // writers hold mu_: stays valid
    if (old == nullptr) continue;
    JobInfo job = *old;
    *job.mutable_progress() = w.progress;
    job.set_updated_unix_ms(now_ms);
    for (const EventDraft& e : w.events) TANDEM_RETURN_IF_ERROR(InsertEvent(w.job_id, e, now_ms));
    TANDEM_RETURN_IF_ERROR(InsertMetrics(w.job_id, w.points));
    Stmt up(db_, "UPDATE jobs SET info = ?2 WHERE id = ?1");
    TANDEM_RETURN_IF_ERROR(up.status());
    TANDEM_RETURN_IF_ERROR(up.Text(1, job.id()).Blob(2, job.SerializeAsString()).Done());
    saved.push_back(std::move(job));
  }
  TANDEM_RETURN_IF_ERROR(tx.Commit());
  for (JobInfo& job : saved) Remember(std::move(job));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::MetricPoint>> JobStore::ListMetrics(const std::string& job_id,
                                                                   uint64_t after_step) {
  absl::MutexLock lock(&mu_);
  Stmt q(db_, "SELECT point FROM metrics WHERE job_id = ?1 AND step > ?2 ORDER BY step, rowid");
  TANDEM_RETURN_IF_ERROR(q.status());
  q.Text(1, job_id).Int(2, static_cast<int64_t>(std::min<uint64_t>(after_step, INT64_MAX)));
  std::vector<v1::MetricPoint> out;
  while (q.Step() == SQLITE_ROW) {
    v1::MetricPoint p;
    if (!p.ParseFromString(q.ColumnBlob(0))) {
      return absl::DataLossError("a stored metric point is corrupt");
    }
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::string> JobStore::NextWorkerId() {
  absl::MutexLock lock(&mu_);
  Transaction tx(db_);
  TANDEM_RETURN_IF_ERROR(tx.status());
  TANDEM_ASSIGN_OR_RETURN(uint64_t n, NextCounter("worker"));
  TANDEM_RETURN_IF_ERROR(tx.Commit());
  return absl::StrFormat("w-%06d", n);
}

absl::Status JobStore::PutWorker(const WorkerInfo& worker) {
  absl::MutexLock lock(&mu_);
  Stmt up(db_,
          "INSERT INTO workers(id, info) VALUES(?1, ?2) "
          "ON CONFLICT(id) DO UPDATE SET info = excluded.info");
  TANDEM_RETURN_IF_ERROR(up.status());
  return up.Text(1, worker.id()).Blob(2, worker.SerializeAsString()).Done();
}

absl::StatusOr<std::vector<WorkerInfo>> JobStore::ListWorkers() {
  absl::MutexLock lock(&mu_);
  Stmt q(db_, "SELECT info FROM workers ORDER BY id");
  TANDEM_RETURN_IF_ERROR(q.status());
  std::vector<WorkerInfo> out;
  while (q.Step() == SQLITE_ROW) {
    WorkerInfo w;
    if (!w.ParseFromString(q.ColumnBlob(0))) {
      return absl::DataLossError("a stored worker record is corrupt");
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace tandem
