// Prometheus text exposition (format 0.0.4) of the coordinator's state: jobs by state, each
// active job's step, loss, throughput and validation BLEU, workers by state; security and
// operations and translation counters; build and process information.
#ifndef TANDEM_COORDINATOR_PROMETHEUS_H_
#define TANDEM_COORDINATOR_PROMETHEUS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "coordinator/job_store.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

std::string PrometheusText(const std::vector<tandem::v1::JobInfo>& jobs,
                           const std::vector<tandem::v1::WorkerInfo>& workers);

// The security metrics: tandem_refused_calls_total by reason (AccessControl::Refusals) and
// tandem_insecure (1 when the operator turned transport security off with --insecure).
std::string SecurityPrometheusText(const std::map<std::string, uint64_t>& refusals,
                                   bool insecure);

// Operations: counters of jobs submitted and ended by outcome and of generations formed
// (since the coordinator started); tandem_job_waiting_seconds for each job waiting for
// workers (since it began waiting, at `now_ms`); tandem_build_info{version}; and the process's
// own process_cpu_seconds_total, process_resident_memory_bytes and
// process_start_time_seconds, read from /proc/self.
std::string OperationsPrometheusText(const JobCounters& counters,
                                     const std::vector<tandem::v1::JobInfo>& jobs,
                                     int64_t now_ms);

// Translation (the model server's TranslateBatcher, since the coordinator started): requests
// answered without attention, batches decoded, and requests that joined a batch another
// opened (their share of requests is how much batching happens).
std::string TranslationPrometheusText(uint64_t requests, uint64_t batches, uint64_t joined);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PROMETHEUS_H_
