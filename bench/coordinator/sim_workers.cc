#include "bench/coordinator/sim_workers.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <queue>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/grpc_util.h"
#include "common/version.h"
#include "tandem/v1/control_service.grpc.pb.h"
#include "tandem/v1/job_service.grpc.pb.h"

extern char** environ;

namespace tandem::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// gRPC takes deadlines on the system clock.
std::chrono::system_clock::time_point Wall(Clock::time_point t) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(t - Clock::now());
}

// CPU seconds (user + system) and memory of a process, from /proc.
struct ProcSample {
  double cpu_s = 0;
  double rss_mib = 0;
  double hwm_mib = 0;  // peak RSS
};

ProcSample ReadProc(const std::string& pid) {
  ProcSample s;
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may hold spaces) start at field 3, the state;
  // utime and stime are fields 14 and 15.
  const size_t close = line.rfind(')');
  if (close != std::string::npos) {
    std::vector<std::string> f = absl::StrSplit(line.substr(close + 2), ' ');
    if (f.size() > 12) {
      s.cpu_s = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  std::ifstream status("/proc/" + pid + "/status");
  while (std::getline(status, line)) {
    double kib = 0;
    if (sscanf(line.c_str(), "VmRSS: %lf", &kib) == 1) s.rss_mib = kib / 1024;
    if (sscanf(line.c_str(), "VmHWM: %lf", &kib) == 1) s.hwm_mib = kib / 1024;
  }
  return s;
}

// Latencies of one kind of call in the window, and its failures.
struct Series {
  std::vector<double> ms;
  int errors = 0;
  std::string last_error;

  // Nearest-rank percentile; 0 when empty.
  double P(double q) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    const size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(ms.size())));
    return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
  }
  std::string Json() {
    return absl::StrFormat(R"({"p50":%.3f,"p99":%.3f,"max":%.3f,"n":%d,"errors":%d})", P(0.5),
                           P(0.99), P(1.0), ms.size(), errors);
  }
};

enum Kind { kJoin, kHeartbeat, kReady, kProgress, kKinds };
const char* const kKindNames[kKinds] = {"join", "heartbeat", "ready", "progress"};

struct Sim {
  std::unique_ptr<v1::ControlService::Stub> stub;
  std::string id, session;
  std::string job;  // the assignment being trained ("" when idle)
  uint64_t generation = 0;
  uint32_t rank = 0;
  bool ready = false;
  uint64_t step = 0;
};

// One call in flight; its address is the completion queue tag.
struct Call {
  Kind kind = kJoin;
  int sim = 0;
  Clock::time_point start;
  std::string job;  // the assignment a ready or progress report was sent for
  uint64_t generation = 0;
  grpc::ClientContext ctx;
  grpc::Status status;
  v1::JoinResponse join;
  v1::HeartbeatResponse beat;
  v1::ReportReadyResponse ready;
  v1::ProgressResponse progress;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::JoinResponse>> join_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::HeartbeatResponse>> beat_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ReportReadyResponse>> ready_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ProgressResponse>> progress_reader;
};

struct Timer {
  Clock::time_point due;
  Kind kind;
  int sim;
  bool operator>(const Timer& o) const { return due > o.due; }
};

// A channel of its own (a TCP connection of its own) with Tandem's settings.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

class Load {
 public:
  explicit Load(const LoadOptions& o) : o_(o), sims_(o.workers), rng_(7) {
    for (Sim& s : sims_) s.stub = v1::ControlService::NewStub(OwnChannel(o.target));
  }

  absl::StatusOr<std::string> Run();

 private:
  void At(Clock::time_point due, Kind kind, int sim) { timers_.push({due, kind, sim}); }
  // A uniformly random point within `period` from now: workers are not in lockstep.
  Clock::time_point Spread(Clock::duration period) {
    return Clock::now() + std::chrono::microseconds(std::uniform_int_distribution<int64_t>(
                              0, std::chrono::duration_cast<std::chrono::microseconds>(period)
                                     .count())(rng_));
  }
  void Issue(Kind kind, int sim);
  void Complete(Call* call);
  bool Measuring() const { return phase_ == kWindow; }

  const LoadOptions o_;
  std::vector<Sim> sims_;
  std::mt19937_64 rng_;
  grpc::CompletionQueue cq_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::chrono::milliseconds interval_{500};
  int outstanding_ = 0;
  int joined_ = 0;
  int training_ = 0;  // assigned and ready
  enum Phase { kSettling, kWarmup, kWindow, kDone } phase_ = kSettling;
  Series series_[kKinds];
  int counts_[kKinds] = {};  // calls completed in the window, failed ones included
  bool settled_ = false;
  int rejoins_ = 0;  // workers told to join again in the window (declared lost)
  std::string result_;
};

void Load::Issue(Kind kind, int i) {
  Sim& s = sims_[i];
  if (kind != kJoin && s.id.empty()) return;  // joining again
  if (kind == kReady && (s.job.empty() || s.ready)) return;     // released meanwhile
  if (kind == kProgress && (s.job.empty() || !s.ready)) return;  // released meanwhile
  auto* call = new Call;
  call->kind = kind;
  call->sim = i;
  call->start = Clock::now();
  call->ctx.set_deadline(Wall(call->start + o_.rpc_timeout));
  if (!s.session.empty()) call->ctx.AddMetadata("tandem-session", s.session);
  switch (kind) {
    case kJoin: {
      v1::JoinRequest r;
      r.set_address(absl::StrCat("127.0.0.1:", 20000 + i));
      r.set_hostname(absl::StrCat("sim-worker-", i));
      r.set_cpus(std::thread::hardware_concurrency());
      r.set_memory_bytes(o_.memory_bytes);
      r.set_version(TandemVersion());
      call->join_reader = s.stub->AsyncJoin(&call->ctx, r, &cq_);
      call->join_reader->Finish(&call->join, &call->status, call);
      break;
    }
    case kHeartbeat: {
      v1::HeartbeatRequest r;
      r.set_worker_id(s.id);
      call->beat_reader = s.stub->AsyncHeartbeat(&call->ctx, r, &cq_);
      call->beat_reader->Finish(&call->beat, &call->status, call);
      break;
    }
    case kReady: {
      v1::ReportReadyRequest r;
      r.set_worker_id(s.id);
      r.set_job_id(s.job);
      r.set_generation(s.generation);
      r.set_cached_artifacts(4);
      call->job = s.job;
      call->generation = s.generation;
      call->ready_reader = s.stub->AsyncReportReady(&call->ctx, r, &cq_);
      call->ready_reader->Finish(&call->ready, &call->status, call);
      break;
    }
    case kProgress: {
      // What ProgressReporter::AfterStep sends; replicas agree on the checksum of a step.
      ++s.step;
      v1::ProgressReport r;
      r.set_worker_id(s.id);
      r.set_job_id(s.job);
      r.set_generation(s.generation);
      r.set_rank(s.rank);
      r.set_step(s.step);
      r.set_epoch(s.step / 1000);
      r.set_loss(4.0f / std::sqrt(static_cast<float>(s.step)));
      r.set_learning_rate(0.002f);
      r.set_tokens_per_second(2500.0f + static_cast<float>(i % 100));
      r.set_param_checksum(std::hash<std::string>()(absl::StrCat(s.job, "/", s.step)));
      r.set_compute_ms(200.0f + static_cast<float>(i % 13));
      r.set_comm_wait_ms(10.0f);
      r.set_comm_ms(40.0f);
      if (s.rank == 0 && s.step % 20 == 0) {
        r.set_has_validation(true);
        r.set_valid_loss(3.0f);
        r.set_valid_bleu(12.5f);
      }
      call->job = s.job;
      call->generation = s.generation;
      call->progress_reader = s.stub->AsyncReportProgress(&call->ctx, r, &cq_);
      call->progress_reader->Finish(&call->progress, &call->status, call);
      break;
    }
    default:
      break;
  }
  ++outstanding_;
}

void Load::Complete(Call* call) {
  std::unique_ptr<Call> owned(call);
  --outstanding_;
  const Clock::time_point now = Clock::now();
  Sim& s = sims_[call->sim];
  if (Measuring()) {
    ++counts_[call->kind];
    Series& series = series_[call->kind];
    if (call->status.ok()) {
      series.ms.push_back(Ms(now - call->start));
    } else {
      ++series.errors;
      series.last_error = call->status.error_message();
    }
  }
  if (phase_ == kDone) return;
  const bool ok = call->status.ok();
  switch (call->kind) {
    case kJoin:
      if (!ok) {
        At(now + std::chrono::seconds(1), kJoin, call->sim);  // the real worker backs off
        return;
      }
      s.id = call->join.worker_id();
      s.session = call->join.session_token();
      interval_ = std::chrono::milliseconds(std::max<uint32_t>(50, call->join.heartbeat_interval_ms()));
      ++joined_;
      At(Spread(interval_), kHeartbeat, call->sim);
      return;
    case kHeartbeat: {
      if (!ok && call->status.error_code() == grpc::StatusCode::NOT_FOUND) {
        if (Measuring()) ++rejoins_;  // declared lost
        if (s.ready) --training_;
        Sim fresh;  // joins again from scratch
        fresh.stub = std::move(s.stub);
        s = std::move(fresh);
        --joined_;
        At(now, kJoin, call->sim);
        return;
      }
      At(now + interval_, kHeartbeat, call->sim);
      if (!ok) return;
      const v1::WorkAssignment& a = call->beat.assignment();
      if (a.job_id() == s.job && a.generation() == s.generation) return;
      if (s.ready) --training_;
      s.job = a.job_id();
      s.generation = a.generation();
      s.rank = a.rank();
      s.ready = false;
      if (!s.job.empty()) Issue(kReady, call->sim);
      return;
    }
    case kReady:
      if (call->job != s.job || call->generation != s.generation || s.ready) return;
      if (!ok) {
        At(now + std::chrono::seconds(1), kReady, call->sim);  // tried again, as a worker would
        return;
      }
      s.ready = true;
      ++training_;
      At(Spread(o_.step), kProgress, call->sim);
      return;
    case kProgress:
      if (call->job != s.job || call->generation != s.generation) return;  // moved on
      if (ok && call->progress.stop()) {
        if (s.ready) --training_;
        s.job.clear();
        s.ready = false;
        return;
      }
      At(call->start + o_.step, kProgress, call->sim);
      return;
    default:
      return;
  }
}

// A listing, timed into `series`: ListJobs with `request` and, with `all`, the pages after
// it until the last (as `tandem list --all` follows them; a server from before paging sends
// every job in the first). `bytes` gets the size of the responses together.
void TimeListJobs(v1::JobService::Stub& stub, v1::ListJobsRequest request, bool all,
                  Series& series, size_t& bytes) {
  const Clock::time_point start = Clock::now();
  size_t listed_bytes = 0;
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ListJobsResponse response;
    if (!stub.ListJobs(&ctx, request, &response).ok()) {
      ++series.errors;
      return;
    }
    listed_bytes += response.ByteSizeLong();
    if (!all || response.next_page_token().empty() || response.jobs_size() == 0) break;
    request.set_page_token(response.next_page_token());
  }
  series.ms.push_back(Ms(Clock::now() - start));
  bytes = listed_bytes;
}

// ListJobs as `tandem list` sends it by default: summaries of the newest 100 jobs.
v1::ListJobsRequest ListRequest() {
  v1::ListJobsRequest request;
  request.set_summary(true);
  request.set_limit(100);
  return request;
}

// ListJobs as `tandem list --json --all` sends it: whole jobs, pages of 1,000.
v1::ListJobsRequest FullListRequest() {
  v1::ListJobsRequest request;
  request.set_limit(1000);
  return request;
}

// Runs `argv` with its output (stdout and stderr) discarded; returns the wall time in ms, or -1 if it failed.
double TimeCommand(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);  // `list`'s note
  const Clock::time_point start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return Ms(Clock::now() - start);
}

absl::StatusOr<std::string> Load::Run() {
  const Clock::time_point begin = Clock::now();
  // Workers start over a second, as a fleet brought up together does.
  for (int i = 0; i < o_.workers; ++i) At(Spread(std::chrono::seconds(1)), kJoin, i);
  const std::string pid = std::to_string(o_.coordinator_pid);
  Clock::time_point phase_start = begin, settled{};
  ProcSample coord0, self0;
  std::thread lister;
  Series list_rpc, list_cli, list_full;
  size_t list_bytes = 0, full_bytes = 0;
  while (phase_ != kDone || outstanding_ > 0) {
    Clock::time_point now = Clock::now();
    while (phase_ != kDone && !timers_.empty() && timers_.top().due <= now) {
      const Timer t = timers_.top();
      timers_.pop();
      Issue(t.kind, t.sim);
    }
    Clock::time_point deadline = now + std::chrono::milliseconds(20);
    if (phase_ != kDone && !timers_.empty()) deadline = std::min(deadline, timers_.top().due);
    void* tag = nullptr;
    bool ok = false;
    if (cq_.AsyncNext(&tag, &ok, Wall(deadline)) == grpc::CompletionQueue::GOT_EVENT) {
      Complete(static_cast<Call*>(tag));
    }
    now = Clock::now();
    const double in_phase = std::chrono::duration<double>(now - phase_start).count();
    // A coordinator that never settles (workers declared lost and joining again) is
    // measured as it is after settle_limit_s, and the point says so.
    if (phase_ == kSettling &&
        ((joined_ == o_.workers && training_ >= o_.expect_assigned) || in_phase > o_.settle_limit_s)) {
      settled_ = in_phase <= o_.settle_limit_s;
      phase_ = kWarmup;
      phase_start = settled = now;
    } else if (phase_ == kWarmup && in_phase >= o_.warmup_s) {
      phase_ = kWindow;
      phase_start = now;
      coord0 = ReadProc(pid);
      self0 = ReadProc("self");
      // ListJobs as `tandem list` asks (summaries of the newest 100) and `tandem list` itself,
      // one after the other every 2 s or so, through the window.
      lister = std::thread([&, end = now + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o_.window_s))] {
        auto stub = v1::JobService::NewStub(OwnChannel(o_.target));
        while (Clock::now() < end) {
          TimeListJobs(*stub, ListRequest(), /*all=*/false, list_rpc, list_bytes);
          if (!o_.cli.empty()) {
            const double ms = TimeCommand({o_.cli, "list", "--coordinator", o_.target});
            if (ms >= 0) list_cli.ms.push_back(ms);
            else ++list_cli.errors;
          }
          std::this_thread::sleep_for(std::chrono::seconds(2));
        }
      });
    } else if (phase_ == kWindow && in_phase >= o_.window_s) {
      phase_ = kDone;
      const double wall = std::chrono::duration<double>(now - phase_start).count();
      const ProcSample coord1 = ReadProc(pid), self1 = ReadProc("self");
      lister.join();
      // Every job, whole (`tandem list --json --all`), three times after the window: the
      // workers wait.
      auto stub = v1::JobService::NewStub(OwnChannel(o_.target));
      for (int i = 0; i < 3; ++i) {
        TimeListJobs(*stub, FullListRequest(), /*all=*/true, list_full, full_bytes);
      }
      std::string out = absl::StrFormat(
          R"({"workers":%d,"training":%d,"expected_training":%d,"settled":%s,"rejoins":%d,)"
          R"("heartbeat_interval_ms":%d,"step_ms":%d,"window_s":%.1f,"settle_s":%.1f,)",
          o_.workers, training_, o_.expect_assigned, settled_ ? "true" : "false", rejoins_,
          interval_.count(), o_.step.count(), wall,
          std::chrono::duration<double>(settled - begin).count());
      for (int k = kHeartbeat; k < kKinds; ++k) {
        absl::StrAppendFormat(&out, R"("%s_ms":%s,"%s_per_s":%.1f,)", kKindNames[k],
                              series_[k].Json(), kKindNames[k], counts_[k] / wall);
      }
      absl::StrAppendFormat(
          &out,
          R"("list_rpc_ms":%s,"list_cli_ms":%s,"list_bytes":%d,"list_full_ms":%s,"full_bytes":%d,)"
          R"("coordinator_cpu_cores":%.3f,"coordinator_rss_mib":%.1f,"coordinator_hwm_mib":%.1f,)"
          R"("bench_cpu_cores":%.3f,"last_error":"%s"})",
          list_rpc.Json(), list_cli.Json(), list_bytes, list_full.Json(), full_bytes,
          (coord1.cpu_s - coord0.cpu_s) / wall,
          coord1.rss_mib, coord1.hwm_mib, (self1.cpu_s - self0.cpu_s) / wall,
          absl::StrReplaceAll(series_[kHeartbeat].last_error + series_[kProgress].last_error,
                              {{"\"", "'"}, {"\\", "/"}}));
      result_ = out;
    }
  }
  cq_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) delete static_cast<Call*>(tag);
  return result_;
}

}  // namespace

absl::StatusOr<std::string> RunLoad(const LoadOptions& options) {
  Load load(options);
  return load.Run();
}

}  // namespace tandem::bench
