#include "coordinator/coordinator_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/grpc_util.h"
#include "common/log.h"
#include "common/status.h"
#include "coordinator/dashboard.h"
#include "coordinator/grpc_services.h"
#include "coordinator/metrics_http_server.h"
#include "coordinator/model_server.h"
#include "coordinator/prometheus.h"

namespace tandem {

namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseHostPort(const std::string& what, const std::string& address) {
  const size_t colon = address.rfind(':');
  HostPort out;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &out.port) ||
      out.port < 0 || out.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected host:port, got '", address, "'"));
  }
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);  // [v6]:port
  }
  if (out.host == "localhost") out.host = "127.0.0.1";
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    CoordinatorServerOptions options) {
  std::unique_ptr<CoordinatorServer> s(new CoordinatorServer());
  HostPort metrics_address;
  if (!options.metrics_listen.empty()) {
    TANDEM_ASSIGN_OR_RETURN(metrics_address,
                            ParseHostPort("metrics_listen", options.metrics_listen));
    TANDEM_RETURN_IF_ERROR(options.security.CheckListen("--metrics_listen", options.metrics_listen));
    if (!IsLoopbackAddress(options.metrics_listen) && !options.security.insecure() &&
        options.access.client_tokens.empty() && options.access.metrics_tokens.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--metrics_listen ", options.metrics_listen,
          ": off loopback /metrics needs --metrics_token_file or --client_token_file, "
          "or --insecure"));
    }
  }
  const bool insecure = options.security.insecure();
  TANDEM_RETURN_IF_ERROR(options.security.CheckListen("--listen", options.listen));
  if (!IsLoopbackAddress(options.listen) && !insecure &&
      (options.access.client_tokens.empty() || options.access.join_tokens.empty())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--listen ", options.listen,
        ": off loopback the coordinator needs --client_token_file and --join_token_file "
        "(scripts/make-certs.sh makes them), or --insecure"));
  }
  options.access.tls = options.security.tls();
  s->access_ = std::make_unique<AccessControl>(options.access);
  TANDEM_ASSIGN_OR_RETURN(s->coordinator_, Coordinator::Create(options.coordinator));
  Coordinator* c = s->coordinator_.get();
  s->models_ = std::make_unique<ModelServer>(c, options.translate_threads,
                                              absl::FromChrono(options.translate_batch_wait));

  s->jobs_ = std::make_unique<JobServiceImpl>(
      c, s->access_.get(),
      [models = s->models_.get()](const v1::TranslateRequest& r) { return models->Translate(r); });
  s->control_ = std::make_unique<ControlServiceImpl>(c, s->access_.get());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder);
  builder.AddListeningPort(options.listen,
                           options.security.ServerCredentials(ClientCertificates::kOptional),
                           &s->port_);
  builder.RegisterService(s->jobs_.get());
  builder.RegisterService(s->control_.get());
  s->grpc_ = builder.BuildAndStart();
  if (s->grpc_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }

  if (!options.metrics_listen.empty()) {
    MetricsHttpOptions http;
    http.host = metrics_address.host;
    http.port = metrics_address.port;
    http.cert_pem = options.security.cert_pem();
    http.key_pem = options.security.key_pem();
    DashboardOptions dashboard;
    // Off loopback the API needs client or read tokens: CheckClient lets anyone in without.
    dashboard.api_allowed = IsLoopbackAddress(options.metrics_listen) || insecure ||
                            !options.access.client_tokens.empty() ||
                            !options.access.read_tokens.empty();
    dashboard.loopback_hosts_only = IsLoopbackAddress(options.metrics_listen) &&
                                    options.access.client_tokens.empty() &&
                                    options.access.read_tokens.empty();
    dashboard.prometheus = [c, access = s->access_.get(), models = s->models_.get(), insecure] {
      auto jobs = c->ListJobs();  // every job, whole
      std::vector<v1::JobInfo> listed;
      if (jobs.ok()) {
        listed.assign(std::make_move_iterator(jobs->mutable_jobs()->begin()),
                      std::make_move_iterator(jobs->mutable_jobs()->end()));
      }
      const inference::TranslateBatcher::Stats batching = models->batching();
      return PrometheusText(listed, c->ListWorkers()) +
             SecurityPrometheusText(access->Refusals(), insecure) +
             OperationsPrometheusText(c->Counters(), listed, c->NowMs()) +
             TranslationPrometheusText(batching.requests, batching.batches, batching.joined);
    };
    dashboard.translate = [models = s->models_.get()](const v1::TranslateRequest& r) {
      return models->Translate(r);
    };
    dashboard.keepalive = options.dashboard_keepalive;
    http.stream_poll = options.dashboard_poll;
    http.max_streams = options.dashboard_streams;
    // Every open page holds a connection: room for them and for the requests beside them.
    http.max_connections = std::max<size_t>(http.max_connections, options.dashboard_streams + 32);
    s->dashboard_ = std::make_unique<Dashboard>(c, s->access_.get(), std::move(dashboard));
    TANDEM_ASSIGN_OR_RETURN(
        s->metrics_, MetricsHttpServer::Start(std::move(http),
                                              [d = s->dashboard_.get()](const HttpRequest& r) {
                                                return d->Handle(r);
                                              }));
    const std::string url = absl::StrCat(s->metrics_->tls() ? "https" : "http", "://",
                                         metrics_address.host, ":", s->metrics_->port());
    TANDEM_LOG(INFO) << "Prometheus metrics on " << url << "/metrics, the dashboard on " << url
                     << "/";
  }
  c->Start();
  if (!options.port_file.empty()) {
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(options.port_file, absl::StrCat(s->port_, "\n")));
  }
  TANDEM_LOG(INFO) << "coordinator listening on port " << s->port_
                   << (options.security.tls() ? " (TLS)" : " (plaintext)") << ", data in "
                   << options.coordinator.data_dir;
  return s;
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

int CoordinatorServer::metrics_port() const { return metrics_ ? metrics_->port() : 0; }

void CoordinatorServer::Shutdown() {
  if (grpc_) {
    grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc_.reset();
  }
  metrics_.reset();
  if (coordinator_) coordinator_->Stop();
}

}  // namespace tandem
