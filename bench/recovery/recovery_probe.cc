// tandem_recovery_probe: the clock of bench/run recovery. One process, one poll of
// JobService.GetJob every --interval_ms (a CLI per poll costs ~150 ms on a loaded 2-core
// machine, too coarse for the figure). It waits until the job trains on --workers workers at
// the trigger step (the first k * interval + interval / 2 at or after --warmup_steps, so a
// restart from the newest checkpoint redoes half an interval), takes the time, sends SIGKILL
// to the fault's processes, and polls until training is seen going on. One JSON line on
// stdout:
//
//   --mode worker       kill the worker of rank --kill_rank; done at the first poll in a newer
//                       generation where a surviving worker's step is above every step the
//                       coordinator had from it in the old one.
//   --mode coordinator  kill the coordinator (the bench restarts it on its port); done at the
//                       first poll the restarted coordinator answers with a step above the
//                       last one seen before the kill.
//   --mode restart      the alternative: kill every worker (the bench starts fresh ones with
//                       empty caches); "first" at the first poll in a newer generation where
//                       a new worker reports a step above the newest checkpoint's, "done" once
//                       it is back at the step seen before the kill.
//
// Times are seconds after the kill, measured here (steady clock); events (kind, seconds
// after the kill by the coordinator's wall clock, message) are fetched at the end for the
// breakdown.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/job_client.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string target, job, mode;
  int workers = 1, kill_rank = 0, interval_ms = 50, timeout_s = 300;
  uint64_t warmup_steps = 50, checkpoint_interval = 100;
  std::map<std::string, pid_t> worker_pids;  // worker id -> PID
  pid_t coordinator_pid = 0;
};

bool Flag(const std::string& arg, const char* name, std::string* value) {
  const std::string prefix = absl::StrCat("--", name, "=");
  if (arg.rfind(prefix, 0) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "tandem_recovery_probe: %s\n", why.c_str());
  std::exit(1);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string v;
    int n = 0;
    if (Flag(arg, "target", &o.target) || Flag(arg, "job", &o.job) || Flag(arg, "mode", &o.mode)) {
      continue;
    } else if (Flag(arg, "workers", &v) && absl::SimpleAtoi(v, &n)) {
      o.workers = n;
    } else if (Flag(arg, "kill_rank", &v) && absl::SimpleAtoi(v, &n)) {
      o.kill_rank = n;
    } else if (Flag(arg, "interval_ms", &v) && absl::SimpleAtoi(v, &n)) {
      o.interval_ms = n;
    } else if (Flag(arg, "timeout_s", &v) && absl::SimpleAtoi(v, &n)) {
      o.timeout_s = n;
    } else if (Flag(arg, "warmup_steps", &v) && absl::SimpleAtoi(v, &o.warmup_steps)) {
    } else if (Flag(arg, "checkpoint_interval", &v) &&
               absl::SimpleAtoi(v, &o.checkpoint_interval)) {
    } else if (Flag(arg, "coordinator_pid", &v) && absl::SimpleAtoi(v, &n)) {
      o.coordinator_pid = n;
    } else if (Flag(arg, "worker_pids", &v)) {  // w-000001=123,w-000002=456
      for (absl::string_view kv : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        std::vector<std::string> p = absl::StrSplit(kv, '=');
        if (p.size() != 2 || !absl::SimpleAtoi(p[1], &n)) Fail("bad --worker_pids " + v);
        o.worker_pids[p[0]] = n;
      }
    } else {
      Fail("unknown or bad flag " + arg);
    }
  }
  if (o.target.empty() || o.job.empty()) Fail("--target and --job are required");
  if (o.mode != "worker" && o.mode != "coordinator" && o.mode != "restart") {
    Fail("--mode must be worker, coordinator or restart");
  }
  if (o.checkpoint_interval == 0) Fail("--checkpoint_interval must be positive");
  return o;
}

// The project's JobClient, made anew after every failed call, so that a restarted
// coordinator is seen at the next poll (no reconnect backoff of the probe's own).
class Poller {
 public:
  Poller(std::string target, std::string job) : target_(std::move(target)), job_(std::move(job)) {}

  bool Get(tandem::v1::JobInfo* info) {
    absl::StatusOr<tandem::v1::JobInfo> got = Client().Get(job_);
    if (!got.ok()) {
      client_.reset();
      ++failures_;
      last_error_ = std::string(got.status().message());
      return false;
    }
    *info = *std::move(got);
    return true;
  }

  std::vector<tandem::v1::JobEvent> Events() {
    std::vector<tandem::v1::JobEvent> out;
    while (true) {
      auto page = Client().Events(job_, out.empty() ? 0 : out.back().seq(), 0);
      if (!page.ok() || page->empty()) break;
      out.insert(out.end(), page->begin(), page->end());
    }
    return out;
  }

  int failures() const { return failures_; }
  const std::string& last_error() const { return last_error_; }

 private:
  tandem::JobClient& Client() {
    if (!client_) client_ = std::make_unique<tandem::JobClient>(target_, std::chrono::seconds(1));
    return *client_;
  }

  std::string target_, job_;
  std::unique_ptr<tandem::JobClient> client_;
  int failures_ = 0;
  std::string last_error_;
};

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

uint64_t StepOf(const tandem::v1::JobInfo& job, const std::string& worker) {
  const auto& m = job.progress().worker_step();
  auto it = m.find(worker);
  return it == m.end() ? 0 : it->second;
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  Poller poller(o.target, o.job);
  const auto interval = std::chrono::milliseconds(o.interval_ms);
  const auto give_up = Clock::now() + std::chrono::seconds(o.timeout_s);
  const uint64_t c = o.checkpoint_interval;
  uint64_t trigger = (o.warmup_steps / c) * c + c / 2;
  if (trigger < o.warmup_steps) trigger += c;

  // Phase 1: wait for the trigger step on the full set of workers.
  tandem::v1::JobInfo job;
  auto next = Clock::now();
  while (true) {
    if (Clock::now() > give_up) {
      Fail(absl::StrCat("the job never reached step ", trigger, " on ", o.workers,
                        " workers (step ", job.progress().step(), ", ",
                        job.assignments_size(), " assigned, state ", job.state(), ": ",
                        job.message(), ")"));
    }
    if (poller.Get(&job) && job.state() == tandem::v1::JOB_STATE_RUNNING &&
        job.assignments_size() == o.workers && job.progress().step() >= trigger) {
      break;
    }
    next += interval;
    std::this_thread::sleep_until(next);
  }

  // The fault: the processes to kill, chosen from the poll just taken.
  std::vector<pid_t> victims;
  std::set<std::string> old_workers;
  std::string victim_worker;
  for (const auto& a : job.assignments()) {
    old_workers.insert(a.worker_id());
    if (o.mode == "coordinator") continue;
    if (o.mode == "restart" || static_cast<int>(a.rank()) == o.kill_rank) {
      auto it = o.worker_pids.find(a.worker_id());
      if (it == o.worker_pids.end()) Fail("no PID given for worker " + a.worker_id());
      victims.push_back(it->second);
      if (o.mode == "worker") victim_worker = a.worker_id();
    }
  }
  if (o.mode == "coordinator") victims.push_back(o.coordinator_pid);
  if (victims.empty() || victims[0] <= 0) Fail("nothing to kill");
  const uint64_t gen0 = job.generation();
  const uint64_t step0 = job.progress().step();
  const uint64_t checkpoint0 = job.progress().checkpoint_step();
  std::map<std::string, uint64_t> old_step;  // survivors' highest step in the old generation
  for (const auto& w : old_workers) old_step[w] = StepOf(job, w);

  const int64_t kill_unix_ms = UnixMs();
  const auto t0 = Clock::now();
  for (pid_t p : victims) {
    if (::kill(p, SIGKILL) != 0) Fail(absl::StrCat("kill ", p, " failed"));
  }
  auto since = [&](Clock::time_point t) {
    return std::chrono::duration<double>(t - t0).count();
  };

  // Phase 2: poll until training is seen going on.
  double t_first = -1, t_done = -1, t_new_generation = -1, t_answer = -1;
  uint64_t first_step = 0, done_step = 0, new_generation = 0;
  int failures_before = poller.failures();
  int polls = 0;
  next = Clock::now();
  while (t_done < 0) {
    next += interval;
    std::this_thread::sleep_until(next);
    if (Clock::now() > give_up) break;
    ++polls;
    if (!poller.Get(&job)) continue;
    const auto now = Clock::now();
    const bool restarted = poller.failures() > failures_before;
    if (o.mode == "coordinator" && restarted && t_answer < 0) t_answer = since(now);
    if (job.generation() == gen0) {
      for (auto& [w, s] : old_step) s = std::max(s, StepOf(job, w));
      if (o.mode != "coordinator") continue;
    } else if (t_new_generation < 0) {
      t_new_generation = since(now);
      new_generation = job.generation();
    }
    for (const auto& a : job.assignments()) {
      const std::string& w = a.worker_id();
      const uint64_t s = StepOf(job, w);
      if (o.mode == "worker") {
        if (old_workers.count(w) && w != victim_worker && s > old_step[w]) {
          t_first = t_done = since(now);
          first_step = done_step = s;
        }
      } else if (o.mode == "coordinator") {
        if (restarted && s > step0) {
          t_first = t_done = since(now);
          first_step = done_step = s;
        }
      } else if (!old_workers.count(w) && s > checkpoint0) {
        if (t_first < 0) {
          t_first = since(now);
          first_step = s;
        }
        if (s >= step0) {
          t_done = since(now);
          done_step = s;
        }
      }
      if (t_done >= 0) break;
    }
  }

  std::string events = "[";
  for (const auto& e : poller.Events()) {
    if (e.unix_ms() < kill_unix_ms - 1000) continue;
    absl::StrAppend(&events, events.size() > 1 ? "," : "", "{\"kind\":", Quote(e.kind()),
                    ",\"t\":", (e.unix_ms() - kill_unix_ms) / 1000.0,
                    ",\"message\":", Quote(e.message()), "}");
  }
  events += "]";
  std::printf(
      "{\"mode\":\"%s\",\"workers\":%d,\"ok\":%s,\"trigger_step\":%llu,\"step_at_kill\":%llu,"
      "\"checkpoint_at_kill\":%llu,\"generation_at_kill\":%llu,\"kill_unix_ms\":%lld,"
      "\"first_s\":%.3f,\"first_step\":%llu,\"done_s\":%.3f,\"done_step\":%llu,"
      "\"new_generation\":%llu,\"new_generation_s\":%.3f,\"coordinator_answers_s\":%.3f,"
      "\"polls\":%d,\"failed_polls\":%d,\"interval_ms\":%d,\"events\":%s}\n",
      o.mode.c_str(), o.workers, t_done >= 0 ? "true" : "false",
      static_cast<unsigned long long>(trigger), static_cast<unsigned long long>(step0),
      static_cast<unsigned long long>(checkpoint0), static_cast<unsigned long long>(gen0),
      static_cast<long long>(kill_unix_ms), t_first, static_cast<unsigned long long>(first_step),
      t_done, static_cast<unsigned long long>(done_step),
      static_cast<unsigned long long>(new_generation), t_new_generation, t_answer, polls,
      poller.failures() - failures_before, o.interval_ms, events.c_str());
  return t_done >= 0 ? 0 : 1;
}
