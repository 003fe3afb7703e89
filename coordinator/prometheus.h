// Prometheus text exposition (format 0.0.4) of the coordinator's state: jobs by state, each
// active job's step, loss, throughput and validation BLEU, workers by state.
#ifndef TANDEM_COORDINATOR_PROMETHEUS_H_
#define TANDEM_COORDINATOR_PROMETHEUS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tandem/v1/job.pb.h"

namespace tandem {

std::string PrometheusText(const std::vector<tandem::v1::JobInfo>& jobs,
                           const std::vector<tandem::v1::WorkerInfo>& workers);

// The security metrics: tandem_refused_calls_total by reason (AccessControl::Refusals) and
// tandem_insecure (1 when the operator turned transport security off with --insecure).
std::string SecurityPrometheusText(const std::map<std::string, uint64_t>& refusals,
                                   bool insecure);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PROMETHEUS_H_
