#include "coordinator/prometheus.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

}  // namespace tandem
