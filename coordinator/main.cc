// tandem-coordinator: the control plane. Flags only here; everything runs in CoordinatorServer.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/environment.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/transport_security.h"
#include "common/status.h"
#include "coordinator/coordinator_server.h"
#include "data/tokenizer.h"

namespace {

const std::vector<tandem::FlagSpec> kOwnFlags = {
    {"listen", true, "host:port for the JobService and ControlService (port 0 picks one)", "ADDR",
     "127.0.0.1:7400"},
    {"data_dir", true, "directory for the state database and job artifacts", "DIR",
     ".tandem/coordinator"},
    {"heartbeat_ms", true, "how often workers send heartbeats", "MS", "500"},
    {"worker_timeout_ms", true, "a worker silent this long is declared lost", "MS", "3000"},
    {"metrics_listen", true, "host:port for Prometheus text at /metrics (empty disables)", "ADDR",
     "127.0.0.1:0"},
    {"translate_threads", true, "LibTorch threads for translating with a job's model", "N", "1"},
    {"port_file", true, "if set, write the bound port to this file once serving", "PATH", ""},
    {"client_token_file", true, "a file holding a client token (repeatable; required off loopback)",
     "FILE"},
    {"join_token_file", true, "a file holding the workers' join token (repeatable; required off "
     "loopback)", "FILE"},
    {"corpus_root", true, "a directory whose files jobs may name by path (repeatable; default: "
     "none, jobs use uploaded files)", "DIR"},
    {"max_upload_bytes", true, "the largest file a client may upload", "BYTES", "4294967296"},
    {"upload_quota_bytes", true, "all uploads together", "BYTES", "68719476736"},
    {"max_jobs", true, "jobs kept; submitting more is refused", "N", "10000"},
    {"max_events_per_job", true, "events kept per job (the oldest go)", "N", "100000"},
    {"help", false, "show this help", "", ""}};

std::vector<tandem::FlagSpec> Flags() {
  std::vector<tandem::FlagSpec> flags = kOwnFlags;
  for (auto& f : tandem::TransportSecurityFlags(/*with_insecure=*/true)) flags.push_back(f);
  return flags;
}


absl::StatusOr<tandem::CoordinatorServerOptions> Options(
    const absl::StatusOr<tandem::ParsedArgs>& args) {
  TANDEM_RETURN_IF_ERROR(args.status());
  tandem::CoordinatorServerOptions o;
  if (!args->positional.empty()) {
    return absl::InvalidArgumentError("unexpected argument '" + args->positional[0] + "'");
  }
  o.coordinator.data_dir = args->Get("data_dir");
  TANDEM_ASSIGN_OR_RETURN(int64_t heartbeat_ms, args->GetInt("heartbeat_ms", 1, 3'600'000));
  TANDEM_ASSIGN_OR_RETURN(int64_t timeout_ms, args->GetInt("worker_timeout_ms", 1, 86'400'000));
  TANDEM_ASSIGN_OR_RETURN(o.translate_threads, args->GetInt("translate_threads", 1, 1024));
  o.coordinator.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  o.coordinator.worker_timeout = std::chrono::milliseconds(timeout_ms);
  o.coordinator.corpus_roots = args->All("corpus_root");
  TANDEM_ASSIGN_OR_RETURN(int64_t max_upload, args->GetInt("max_upload_bytes", 0, int64_t{1} << 50));
  TANDEM_ASSIGN_OR_RETURN(int64_t quota, args->GetInt("upload_quota_bytes", 0, int64_t{1} << 50));
  o.coordinator.max_upload_bytes = static_cast<uint64_t>(max_upload);
  o.coordinator.upload_quota_bytes = static_cast<uint64_t>(quota);
  TANDEM_ASSIGN_OR_RETURN(int64_t max_jobs, args->GetInt("max_jobs", 1, int64_t{1} << 40));
  TANDEM_ASSIGN_OR_RETURN(int64_t max_events, args->GetInt("max_events_per_job", 10, int64_t{1} << 40));
  o.coordinator.limits = {static_cast<uint64_t>(max_jobs), static_cast<uint64_t>(max_events)};
  o.listen = args->Get("listen");
  o.metrics_listen = args->Get("metrics_listen");
  o.port_file = args->Get("port_file");
  TANDEM_ASSIGN_OR_RETURN(o.security, tandem::TransportSecurityFromFlags(*args, true));
  TANDEM_ASSIGN_OR_RETURN(o.access.client_tokens, tandem::ReadTokenFiles(args->All("client_token_file")));
  TANDEM_ASSIGN_OR_RETURN(o.access.join_tokens, tandem::ReadTokenFiles(args->All("join_token_file")));
  return o;
}

int Fail(const absl::Status& status, int exit_code) {
  std::fprintf(stderr, "tandem-coordinator: %s\n", std::string(status.message()).c_str());
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  tandem::SetSentencePieceModulePath(tandem::ApplyEnvironment().spm_module);  // + log level
  const std::vector<tandem::FlagSpec> flags = Flags();
  auto args = tandem::ParseArgs(std::vector<std::string>(argv + 1, argv + argc), flags);
  if (args.ok() && args->Has("help")) {
    std::printf("Tandem coordinator: tandem-coordinator --data_dir DIR --listen ADDR\n\n%s",
                tandem::FlagHelp(flags).c_str());
    return 0;
  }
  auto options = Options(args);
  if (!options.ok()) return Fail(options.status(), 2);
  // SIGINT and SIGTERM wait for sigwait: blocked before any thread starts, so in every thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto server = tandem::CoordinatorServer::Start(*std::move(options));
  if (!server.ok()) return Fail(server.status(), 1);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  TANDEM_LOG(INFO) << "shutting down (signal " << signal << ")";
  return 0;  // ~CoordinatorServer shuts the parts down in order
}
