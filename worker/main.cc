// tandem-worker: the data-plane daemon. Flags (flags.cc) and environment are read only here;
// the logic is in Worker (worker/worker.h).
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
#include "common/version.h"
#include "data/tokenizer.h"
#include "model/runtime.h"
#include "worker/flags.h"
#include "worker/worker.h"

namespace {

std::atomic<tandem::Worker*> g_worker{nullptr};
void OnSignal(int) {
  if (tandem::Worker* w = g_worker.load()) w->Stop();
}

}  // namespace

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  tandem::SetSentencePieceModulePath(env.spm_module);
  auto flags = tandem::ParseArgs({argv + 1, argv + argc}, tandem::WorkerFlags());
  if (flags.ok() && flags->Has("version")) {
    std::cout << "tandem-worker " << tandem::TandemVersion() << "\n";
    return 0;
  }
  tandem::WorkerOptions options;
  absl::Status valid = tandem::WorkerOptionsFromFlags(flags, options);
  if (!valid.ok() || flags->Has("help") || !flags->positional.empty()) {
    if (!valid.ok()) std::cerr << "tandem-worker: " << valid.message() << "\n";
    std::cerr << "usage: tandem-worker [flags]\n" << tandem::FlagHelp(tandem::WorkerFlags());
    return valid.ok() && flags->Has("help") ? 0 : 2;
  }
  // After --version and --help (whose output is theirs alone), before anything is started:
  // the new image parses the same arguments again.
  tandem::model::ReexecWithTrainingRuntime(argv, env);
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
  options.advertise_host = flags->Get("advertise_host");
  options.listen_address = flags->Get("listen");
  options.listen_port = (*server)->port();
  // Log lines logged while on a job go to the coordinator with the heartbeats.
  tandem::LogShipper log_shipper;
  tandem::SetLogSink(&log_shipper);
  options.log_shipper = &log_shipper;
  tandem::Worker worker(options, (*server)->service());
  g_worker = &worker;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const std::string blas = tandem::model::OpenBlasCore();
  TANDEM_LOG(INFO) << "worker listening on " << options.listen_address << " (port "
                   << options.listen_port << ")"
                   << (blas.empty() ? "" : "; OpenBLAS kernel " + blas);
  worker.Run();
  g_worker = nullptr;
  tandem::SetLogSink(nullptr);
  (*server)->Shutdown();
  return 0;
}
