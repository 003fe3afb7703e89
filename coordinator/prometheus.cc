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
  };
  for (const Metric& m : metrics) {
    Header(out, m.name, m.help);
    for (const auto& j : jobs) {
      if (j.state() != v1::JOB_STATE_RUNNING && j.progress().step() == 0) continue;
      absl::StrAppend(&out, m.name, "{job=\"", LabelValue(j.id()), "\"} ",
                      absl::StrFormat("%.6g", m.value(j.progress())), "\n");
    }
  }
  Header(out, "tandem_worker_tokens_per_second", "Target tokens per second of one worker.");
  for (const auto& j : jobs) {
    if (j.state() != v1::JOB_STATE_RUNNING) continue;
    for (const auto& [worker, tps] : j.progress().worker_tokens_per_second()) {
      absl::StrAppend(&out, "tandem_worker_tokens_per_second{job=\"", LabelValue(j.id()),
                      "\",worker=\"", LabelValue(worker), "\"} ",
                      absl::StrFormat("%.6g", tps), "\n");
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

}  // namespace tandem
