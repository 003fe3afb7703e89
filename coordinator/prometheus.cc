#include "coordinator/prometheus.h"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/version.h"
#include "coordinator/job_state.h"

namespace tandem {
namespace {

// Label values escape backslash, double quote and newline.
std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Header(std::string& out, const char* name, const char* help) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n");
}

}  // namespace

std::string PrometheusText(const std::vector<v1::JobInfo>& jobs,
                           const std::vector<v1::WorkerInfo>& workers) {
  std::string out;
  Header(out, "tandem_jobs", "Jobs by state.");
  std::map<std::string, int> by_state;
  for (int s = v1::JOB_STATE_QUEUED; s <= v1::JOB_STATE_CANCELLED; ++s) {
    by_state[StateName(static_cast<v1::JobState>(s))] = 0;
  }
  for (const auto& j : jobs) ++by_state[StateName(j.state())];
  for (const auto& [state, n] : by_state) {
    absl::StrAppend(&out, "tandem_jobs{state=\"", state, "\"} ", n, "\n");
  }
  struct Metric {
    const char* name;
    const char* help;
    double (*value)(const v1::JobProgress&);
  };
  const Metric metrics[] = {
      {"tandem_job_step", "Updates done.",
       [](const v1::JobProgress& p) { return static_cast<double>(p.step()); }},
      {"tandem_job_loss", "Training loss (token mean) of the last step.",
       [](const v1::JobProgress& p) { return static_cast<double>(p.loss()); }},
      {"tandem_job_tokens_per_second", "Target tokens per second, all workers.",
       [](const v1::JobProgress& p) { return static_cast<double>(p.tokens_per_second()); }},
      {"tandem_job_valid_bleu", "BLEU of the last validation.",
       [](const v1::JobProgress& p) { return static_cast<double>(p.valid_bleu()); }},
      {"tandem_job_straggler_seconds",
       "Slowest minus fastest rank's compute time per step: what the others wait.",
       [](const v1::JobProgress& p) { return 1e-3 * p.straggler_ms(); }},
  };
  for (const Metric& m : metrics) {
    Header(out, m.name, m.help);
    for (const auto& j : jobs) {
      if (j.state() != v1::JOB_STATE_RUNNING && j.progress().step() == 0) continue;
      absl::StrAppend(&out, m.name, "{job=\"", LabelValue(j.id()), "\"} ",
                      absl::StrFormat("%.6g", m.value(j.progress())), "\n");
    }
  }
  // Per-worker figures of running jobs, scaled to the metric's unit.
  struct PerWorker {
    const char* name;
    const char* help;
    const google::protobuf::Map<std::string, float>& (v1::JobProgress::*map)() const;
    double scale;
  };
  const PerWorker per_worker[] = {
      {"tandem_worker_tokens_per_second", "Target tokens per second of one worker.",
       &v1::JobProgress::worker_tokens_per_second, 1.0},
      {"tandem_worker_compute_seconds", "Forward + backward time of the worker's last step.",
       &v1::JobProgress::worker_compute_ms, 1e-3},
      {"tandem_worker_allreduce_wait_seconds",
       "Time the worker's last step waited for the all-reduce after backward.",
       &v1::JobProgress::worker_wait_ms, 1e-3},
  };
  for (const PerWorker& m : per_worker) {
    Header(out, m.name, m.help);
    for (const auto& j : jobs) {
      if (j.state() != v1::JOB_STATE_RUNNING) continue;
      for (const auto& [worker, value] : (j.progress().*m.map)()) {
        absl::StrAppend(&out, m.name, "{job=\"", LabelValue(j.id()), "\",worker=\"",
                        LabelValue(worker), "\"} ", absl::StrFormat("%.6g", value * m.scale),
                        "\n");
      }
    }
  }
  Header(out, "tandem_workers", "Workers by state.");
  std::map<std::string, int> workers_by_state = {
      {"idle", 0}, {"assigned", 0}, {"lost", 0}, {"left", 0}};
  for (const auto& w : workers) {
    ++workers_by_state[WorkerStateName(w.state())];
  }
  for (const auto& [state, n] : workers_by_state) {
    absl::StrAppend(&out, "tandem_workers{state=\"", state, "\"} ", n, "\n");
  }
  return out;
}

std::string SecurityPrometheusText(const std::map<std::string, uint64_t>& refusals,
                                   bool insecure) {
  std::string out =
      "# HELP tandem_refused_calls_total Calls refused for missing or wrong credentials, or "
      "for acting beyond the caller's role, by reason.\n"
      "# TYPE tandem_refused_calls_total counter\n";
  for (const auto& [reason, n] : refusals) {
    absl::StrAppend(&out, "tandem_refused_calls_total{reason=\"", LabelValue(reason), "\"} ", n,
                    "\n");
  }
  Header(out, "tandem_insecure",
         "1 when the coordinator was started with --insecure (plaintext off loopback).");
  absl::StrAppend(&out, "tandem_insecure ", insecure ? 1 : 0, "\n");
  return out;
}

namespace {

void CounterHeader(std::string& out, const char* name, const char* help) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " counter\n");
}

// utime + stime of /proc/self/stat in clock ticks, and the start time in ticks after boot.
bool ReadProcStat(double& cpu_seconds, double& start_seconds_after_boot) {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return false;
  std::vector<std::string> f = absl::StrSplit(text.substr(close + 2), ' ');
  // Fields after the name, from 3 (state): utime is 14, stime 15, starttime 22.
  double utime = 0, stime = 0, start = 0;
  if (f.size() < 20 || !absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime) ||
      !absl::SimpleAtod(f[19], &start)) {
    return false;
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  cpu_seconds = (utime + stime) / ticks;
  start_seconds_after_boot = start / ticks;
  return true;
}

}  // namespace

std::string OperationsPrometheusText(const JobCounters& counters,
                                     const std::vector<v1::JobInfo>& jobs, int64_t now_ms) {
  std::string out;
  CounterHeader(out, "tandem_jobs_submitted_total", "Jobs submitted since the coordinator started.");
  absl::StrAppend(&out, "tandem_jobs_submitted_total ", counters.submitted, "\n");
  CounterHeader(out, "tandem_jobs_ended_total",
                "Jobs that ended since the coordinator started, by outcome.");
  absl::StrAppend(&out, "tandem_jobs_ended_total{outcome=\"succeeded\"} ", counters.succeeded,
                  "\ntandem_jobs_ended_total{outcome=\"failed\"} ", counters.failed,
                  "\ntandem_jobs_ended_total{outcome=\"cancelled\"} ", counters.cancelled, "\n");
  CounterHeader(out, "tandem_generations_formed_total",
                "Generations formed since the coordinator started: first assignments, growth "
                "and re-forming after a lost worker.");
  absl::StrAppend(&out, "tandem_generations_formed_total ", counters.generations, "\n");
  CounterHeader(out, "tandem_jobs_deleted_total",
                "Jobs deleted since the coordinator started (tandem delete, or past "
                "--job_retention).");
  absl::StrAppend(&out, "tandem_jobs_deleted_total ", counters.deleted, "\n");
  Header(out, "tandem_job_waiting_seconds", "How long a job has been waiting for workers.");
  for (const v1::JobInfo& job : jobs) {
    if (job.state() != v1::JOB_STATE_WAITING_FOR_WORKERS || job.waiting_since_unix_ms() <= 0) {
      continue;
    }
    absl::StrAppend(&out, "tandem_job_waiting_seconds{job=\"", LabelValue(job.id()), "\"} ",
                    absl::StrFormat("%.3f", (now_ms - job.waiting_since_unix_ms()) / 1000.0),
                    "\n");
  }
  Header(out, "tandem_build_info", "The coordinator's version (the value is always 1).");
  absl::StrAppend(&out, "tandem_build_info{version=\"", LabelValue(TandemVersion()), "\"} 1\n");
  double cpu = 0, start_after_boot = 0;
  if (ReadProcStat(cpu, start_after_boot)) {
    CounterHeader(out, "process_cpu_seconds_total", "User and system CPU time of the process.");
    absl::StrAppend(&out, "process_cpu_seconds_total ", absl::StrFormat("%.2f", cpu), "\n");
    struct sysinfo info {};
    if (::sysinfo(&info) == 0) {
      Header(out, "process_start_time_seconds", "Start time of the process, Unix seconds.");
      const double boot = static_cast<double>(now_ms) / 1000.0 - static_cast<double>(info.uptime);
      absl::StrAppend(&out, "process_start_time_seconds ",
                      absl::StrFormat("%.0f", boot + start_after_boot), "\n");
    }
  }
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (statm >> pages >> resident) {
    Header(out, "process_resident_memory_bytes", "Resident memory of the process.");
    absl::StrAppend(&out, "process_resident_memory_bytes ",
                    resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)), "\n");
  }
  return out;
}

std::string TranslationPrometheusText(uint64_t requests, uint64_t batches, uint64_t joined) {
  std::string out;
  CounterHeader(out, "tandem_translate_requests_total",
                "Translate requests (without attention) answered through the batching queue.");
  absl::StrAppend(&out, "tandem_translate_requests_total ", requests, "\n");
  CounterHeader(out, "tandem_translate_batches_total", "Translation batches decoded.");
  absl::StrAppend(&out, "tandem_translate_batches_total ", batches, "\n");
  CounterHeader(out, "tandem_translate_joined_requests_total",
                "Translate requests that joined a batch another request opened.");
  absl::StrAppend(&out, "tandem_translate_joined_requests_total ", joined, "\n");
  return out;
}

}  // namespace tandem
