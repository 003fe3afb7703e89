// tandem-coordinator: the control plane. Flags in flags.cc; everything runs in CoordinatorServer.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "common/environment.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/version.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/flags.h"
#include "data/tokenizer.h"

namespace {

int Fail(const absl::Status& status, int exit_code) {
  std::fprintf(stderr, "tandem-coordinator: %s\n", std::string(status.message()).c_str());
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  tandem::SetSentencePieceModulePath(tandem::ApplyEnvironment().spm_module);  // + log level
  const std::vector<tandem::FlagSpec> flags = tandem::CoordinatorFlags();
  auto args = tandem::ParseArgs(std::vector<std::string>(argv + 1, argv + argc), flags);
  if (args.ok() && args->Has("version")) {
    std::printf("tandem-coordinator %s\n", tandem::TandemVersion().c_str());
    return 0;
  }
  if (args.ok() && args->Has("help")) {
    std::printf("Tandem coordinator: tandem-coordinator --data_dir DIR --listen ADDR\n\n%s",
                tandem::FlagHelp(flags).c_str());
    return 0;
  }
  auto options = tandem::CoordinatorOptionsFromFlags(args);
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
