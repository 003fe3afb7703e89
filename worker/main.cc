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
      {"help", false, "print this help"}};
  return flags;
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
  absl::StatusOr<int64_t> threads =
      flags.ok() ? flags->GetInt("threads", 1, 1024) : absl::StatusOr<int64_t>(flags.status());
  if (!threads.ok() || flags->Has("help") || !flags->positional.empty()) {
    if (!threads.ok()) std::cerr << "tandem-worker: " << threads.status().message() << "\n";
    std::cerr << "usage: tandem-worker [flags]\n" << tandem::FlagHelp(Flags());
    return threads.ok() && flags->Has("help") ? 0 : 2;
  }
  tandem::WorkerOptions options;
  options.threads = static_cast<int>(*threads);
  options.coordinator = flags->Get("coordinator");
  options.cache_dir = flags->Get("cache_dir");
  tandem::collective::TuneProcessForBulkTransfer();
  // Peers push gradient segments to this server; Ping answers with the worker's id once it
  // has joined.
  auto server = tandem::collective::CollectiveServer::Start(flags->Get("listen"), [] {
    tandem::Worker* w = g_worker.load();
    return w ? w->id() : std::string();
  });
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
