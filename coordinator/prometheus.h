// Prometheus text exposition (format 0.0.4) of the coordinator's state: jobs by state, each
// active job's step, loss, throughput and validation BLEU, workers by state.
#ifndef TANDEM_COORDINATOR_PROMETHEUS_H_
#define TANDEM_COORDINATOR_PROMETHEUS_H_

#include <string>
#include <vector>

#include "tandem/v1/job.pb.h"

namespace tandem {

std::string PrometheusText(const std::vector<tandem::v1::JobInfo>& jobs,
                           const std::vector<tandem::v1::WorkerInfo>& workers);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PROMETHEUS_H_
