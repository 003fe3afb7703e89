// tandem-worker: the data-plane daemon. Flags only here; the logic is in Worker.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "collective/collective_service.h"
#include "collective/grpc_communicator.h"
#include "model/runtime.h"
#include "worker/worker.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:7400", "coordinator host:port");
ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "host:port for this worker's CollectiveService (port 0 picks a free port)");
ABSL_FLAG(std::string, advertise_host, "127.0.0.1",
          "host name or address ring neighbours use to reach this worker");
ABSL_FLAG(int, threads, 2, "LibTorch threads used for training");
ABSL_FLAG(std::string, cache_dir, ".tandem/worker-cache",
          "directory where shards and tokenizers are cached by checksum");

namespace {
tandem::Worker* g_worker = nullptr;
void OnSignal(int) {
  if (g_worker != nullptr) g_worker->Stop();
}
}  // namespace

int main(int argc, char** argv) {
  tandem::model::ReexecWithTrainingMalloc(argv);
  absl::SetProgramUsageMessage("Tandem worker: tandem-worker --coordinator HOST:PORT");
  absl::ParseCommandLine(argc, argv);
  // Set once the worker exists; read by the server's threads.
  std::atomic<tandem::Worker*> worker_ptr{nullptr};
  tandem::collective::TuneProcessForBulkTransfer();
  auto server = tandem::collective::CollectiveServer::Start(absl::GetFlag(FLAGS_listen), [&worker_ptr] {
    tandem::Worker* w = worker_ptr.load();
    return w ? w->id() : std::string();
  });
  if (!server.ok()) {
    std::fprintf(stderr, "tandem-worker: %s\n", server.status().ToString().c_str());
    return 1;
  }
  tandem::WorkerOptions options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  options.advertise_address =
      absl::StrCat(absl::GetFlag(FLAGS_advertise_host), ":", (*server)->port());
  options.cache_dir = absl::GetFlag(FLAGS_cache_dir);
  options.threads = absl::GetFlag(FLAGS_threads);
  tandem::Worker worker(options, (*server)->service());
  worker_ptr = &worker;
  g_worker = &worker;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  TANDEM_LOG(INFO) << "worker listening on " << options.advertise_address;
  worker.Run();
  (*server)->Shutdown();
  return 0;
}
