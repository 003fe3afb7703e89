// tandem-coordinator: the control plane. Flags only here; the logic is in Coordinator.
#include <csignal>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/environment.h"
#include "common/log.h"
#include "coordinator/coordinator.h"
#include "coordinator/grpc_services.h"
#include "coordinator/metrics_http_server.h"
#include "coordinator/model_server.h"
#include "coordinator/prometheus.h"
#include "data/tokenizer.h"
#include "absl/strings/numbers.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7400",
          "host:port for the JobService and ControlService (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, ".tandem/coordinator",
          "directory for the state database and job artifacts");
ABSL_FLAG(int, heartbeat_ms, 500, "how often workers send heartbeats");
ABSL_FLAG(int, worker_timeout_ms, 3000, "a worker silent this long is declared lost");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:0",
          "host:port for Prometheus text at /metrics (port 0 picks one; empty disables)");
ABSL_FLAG(int, translate_threads, 1,
          "LibTorch threads for translating with a job's model (tandem translate --job)");
ABSL_FLAG(std::string, port_file, "", "if set, write the bound port to this file");

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  tandem::SetSentencePieceModulePath(env.spm_module);
  absl::SetProgramUsageMessage("Tandem coordinator: tandem-coordinator --data_dir DIR --listen ADDR");
  absl::ParseCommandLine(argc, argv);
  tandem::CoordinatorOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.heartbeat_interval = std::chrono::milliseconds(absl::GetFlag(FLAGS_heartbeat_ms));
  options.worker_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_worker_timeout_ms));
  auto coordinator = tandem::Coordinator::Create(options);
  if (!coordinator.ok()) {
    std::fprintf(stderr, "tandem-coordinator: %s\n", coordinator.status().ToString().c_str());
    return 1;
  }
  tandem::ModelServer models(coordinator->get(), absl::GetFlag(FLAGS_translate_threads));
  auto server = tandem::CoordinatorServer::Start(
      coordinator->get(), absl::GetFlag(FLAGS_listen),
      [&models](const tandem::v1::TranslateRequest& r) { return models.Translate(r); });
  if (!server.ok()) {
    std::fprintf(stderr, "tandem-coordinator: %s\n", server.status().ToString().c_str());
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    FILE* f = std::fopen(port_file.c_str(), "w");
    if (f != nullptr) {
      std::fprintf(f, "%d\n", (*server)->port());
      std::fclose(f);
    }
  }
  std::unique_ptr<tandem::MetricsHttpServer> metrics;
  const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!metrics_listen.empty()) {
    const size_t colon = metrics_listen.rfind(':');
    int metrics_port = 0;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(metrics_listen.substr(colon + 1), &metrics_port)) {
      std::fprintf(stderr, "tandem-coordinator: --metrics_listen: expected host:port\n");
      return 1;
    }
    tandem::Coordinator* c = coordinator->get();
    auto started = tandem::MetricsHttpServer::Start(
        metrics_listen.substr(0, colon), metrics_port, [c] {
          auto jobs = c->ListJobs();
          return tandem::PrometheusText(jobs.ok() ? *jobs : std::vector<tandem::v1::JobInfo>{},
                                        c->ListWorkers());
        });
    if (!started.ok()) {
      std::fprintf(stderr, "tandem-coordinator: %s\n", started.status().ToString().c_str());
      return 1;
    }
    metrics = std::move(*started);
    TANDEM_LOG(INFO) << "Prometheus metrics on http://" << metrics_listen.substr(0, colon) << ":"
                     << metrics->port() << "/metrics";
  }
  (*coordinator)->Start();
  TANDEM_LOG(INFO) << "coordinator listening on port " << (*server)->port() << ", data in "
                   << options.data_dir;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  TANDEM_LOG(INFO) << "shutting down";
  (*server)->Shutdown();
  (*coordinator)->Stop();
  return 0;
}
