// CoordinatorServer: a whole running coordinator, as tandem-coordinator runs it and as tests
// build it: the Coordinator (state, scheduling thread), the JobService and ControlService
// with the gRPC health service on one port, translation with jobs' models (ModelServer),
// Prometheus text over HTTP, and the port file that says the server is ready.
//
// Thread-safe after Start; Shutdown (also run by the destructor) stops the parts in order:
// the gRPC server (in-flight RPCs get 2 s), the metrics endpoint, then the scheduling and
// preparation threads, before anything they use is destroyed.
#ifndef TANDEM_COORDINATOR_COORDINATOR_SERVER_H_
#define TANDEM_COORDINATOR_COORDINATOR_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/transport_security.h"
#include "coordinator/access_control.h"
#include "coordinator/coordinator.h"

namespace grpc {
class Server;
}

namespace tandem {

class ControlServiceImpl;
class Dashboard;
class JobServiceImpl;
class MetricsHttpServer;
class ModelServer;

struct CoordinatorServerOptions {
  // Data directory, heartbeat interval, worker timeout (and a clock for tests).
  CoordinatorOptions coordinator;
  // host:port of the JobService and ControlService; port 0 picks a free one (see port()).
  std::string listen = "127.0.0.1:7400";
  // host:port for Prometheus text at /metrics and the dashboard at / (dashboard.h); port 0
  // picks one; empty disables both.
  std::string metrics_listen = "127.0.0.1:0";
  // How often the dashboard's event streams look for news, and their keepalive comment.
  std::chrono::milliseconds dashboard_poll{1000};
  std::chrono::milliseconds dashboard_keepalive{15000};
  // Dashboard pages open at once (each holds one event stream); more are answered 503.
  size_t dashboard_streams = 32;
  // LibTorch threads for translating with a job's model (JobService.Translate).
  int translate_threads = 1;
  // While a translation decodes, how long a new request waits for others to join its batch
  // (inference/translate_batcher.h); zero: every request decodes alone.
  std::chrono::milliseconds translate_batch_wait{5};
  // If set, the bound gRPC port is written here (atomically) once everything runs.
  std::string port_file;
  // TLS of the gRPC port (plaintext by default: loopback only, unless security.insecure()).
  TransportSecurity security;
  // Client and join tokens; required when `listen` is off loopback (unless insecure).
  AccessOptions access;
};

class CoordinatorServer {
 public:
  // Opens the coordinator's state (recovering jobs and workers), starts every part and writes
  // the port file. InvalidArgument for a malformed address, FailedPrecondition for a
  // listener off loopback without TLS or tokens (DESIGN.md section 8; unless insecure),
  // Unavailable when a port cannot be bound; nothing keeps running after an error.
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(CoordinatorServerOptions options);
  ~CoordinatorServer();
  CoordinatorServer(const CoordinatorServer&) = delete;
  CoordinatorServer& operator=(const CoordinatorServer&) = delete;

  // The bound gRPC port, and the metrics port (0 when disabled).
  int port() const { return port_; }
  int metrics_port() const;

  Coordinator& coordinator() { return *coordinator_; }

  // Idempotent.
  void Shutdown();

 private:
  CoordinatorServer() = default;

  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<ModelServer> models_;
  std::unique_ptr<JobServiceImpl> jobs_;
  std::unique_ptr<ControlServiceImpl> control_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<Dashboard> dashboard_;  // used by metrics_: declared before it
  std::unique_ptr<MetricsHttpServer> metrics_;
  int port_ = 0;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_COORDINATOR_SERVER_H_
