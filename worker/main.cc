// tandem-worker: the data-plane daemon. Flags and environment are read only here; the logic
// is in Worker (worker/worker.h).
#include <atomic>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collective/collective_service.h"
#include "collective/grpc_communicator.h"
#include "common/environment.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/status.h"
#include "common/transport_security.h"
#include "data/tokenizer.h"
#include "model/runtime.h"
#include "worker/worker.h"

namespace {

const std::vector<tandem::FlagSpec>& Flags() {
  static const std::vector<tandem::FlagSpec> flags = {
      {"coordinator", true, "coordinator address", "HOST:PORT", "127.0.0.1:7400"},
      {"listen", true, "this worker's CollectiveService (port 0 picks a free port)", "HOST:PORT",
       "127.0.0.1:0"},
      {"advertise_host", true, "host name or address ring neighbours use to reach this worker",
       "HOST", "127.0.0.1"},
      {"threads", true, "LibTorch threads used for training", "N", "2"},
      {"cache_dir", true, "where shards and tokenizers are cached by checksum", "DIR",
       ".tandem/worker-cache"},
      {"join_token_file", true, "a file holding the coordinator's join token", "FILE"},
      {"help", false, "print this help"}};
  static const std::vector<tandem::FlagSpec> all = [] {
    std::vector<tandem::FlagSpec> out = flags;
    for (auto& f : tandem::TransportSecurityFlags(/*with_insecure=*/true)) out.push_back(f);
    return out;
  }();
  return all;
}

// The options from the flags; InvalidArgument naming the flag.
absl::Status Configure(const absl::StatusOr<tandem::ParsedArgs>& flags,
                       tandem::WorkerOptions& options) {
  TANDEM_RETURN_IF_ERROR(flags.status());
  TANDEM_ASSIGN_OR_RETURN(int64_t threads, flags->GetInt("threads", 1, 1024));
  options.threads = static_cast<int>(threads);
  options.coordinator = flags->Get("coordinator");
  options.cache_dir = flags->Get("cache_dir");
  TANDEM_ASSIGN_OR_RETURN(options.security, tandem::TransportSecurityFromFlags(*flags, true));
  if (flags->Has("join_token_file")) {
    TANDEM_ASSIGN_OR_RETURN(options.join_token,
                            tandem::ReadTokenFile(flags->Get("join_token_file")));
  }
  return absl::OkStatus();
}

std::atomic<tandem::Worker*> g_worker{nullptr};
void OnSignal(int) {
  if (tandem::Worker* w = g_worker.load()) w->Stop();
}

}  // namespace

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  tandem::model::ReexecWithTrainingMalloc(argv, env.glibc_tunables, env.malloc_reexec);
  tandem::SetSentencePieceModulePath(env.spm_module);
  auto flags = tandem::ParseArgs({argv + 1, argv + argc}, Flags());
  tandem::WorkerOptions options;
  absl::Status valid = Configure(flags, options);
  if (!valid.ok() || flags->Has("help") || !flags->positional.empty()) {
    if (!valid.ok()) std::cerr << "tandem-worker: " << valid.message() << "\n";
    std::cerr << "usage: tandem-worker [flags]\n" << tandem::FlagHelp(Flags());
    return valid.ok() && flags->Has("help") ? 0 : 2;
  }
  tandem::collective::TuneProcessForBulkTransfer();
  // Peers push gradient segments to this server; Ping answers with the worker's id once it
  // has joined.
  tandem::collective::CollectiveServerOptions server_options;
  server_options.worker_id = [] {
    tandem::Worker* w = g_worker.load();
    return w ? w->id() : std::string();
  };
  server_options.security = options.security;
  auto server = tandem::collective::CollectiveServer::Start(flags->Get("listen"), server_options);
  if (!server.ok()) {
    std::cerr << "tandem-worker: " << server.status() << "\n";
    return 1;
  }
  options.advertise_address = absl::StrCat(flags->Get("advertise_host"), ":", (*server)->port());
  tandem::Worker worker(options, (*server)->service());
  g_worker = &worker;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  TANDEM_LOG(INFO) << "worker listening on " << options.advertise_address;
  worker.Run();
  g_worker = nullptr;
  (*server)->Shutdown();
  return 0;
}
