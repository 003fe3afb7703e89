// The TLS variant of the benchmarks (issue [6]): a rank's CollectiveServer and stream
// security as a deployment runs them, from certificates made by scripts/make-certs.sh in
// `tls_dir` (ca.pem, worker.pem, worker.key): mutual TLS, peers verified by the worker
// name, streams admitted by a group key. An empty `tls_dir`: plaintext, as before.
#ifndef TANDEM_BENCH_COMMON_SECURE_COLLECTIVE_H_
#define TANDEM_BENCH_COMMON_SECURE_COLLECTIVE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "collective/collective_service.h"
#include "collective/grpc_transport.h"

namespace tandem::bench {

struct SecureCollective {
  std::unique_ptr<collective::CollectiveServer> server;
  collective::StreamSecurity security;  // for GrpcCommunicatorOptions::security
};

// Listens on `host`:0 (a plaintext listener off loopback is allowed: benchmarks run between
// network namespaces the harness made).
absl::StatusOr<SecureCollective> StartCollective(const std::string& tls_dir,
                                                 const std::string& host = "127.0.0.1");

}  // namespace tandem::bench

#endif  // TANDEM_BENCH_COMMON_SECURE_COLLECTIVE_H_
