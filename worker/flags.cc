#include "worker/flags.h"

#include "common/environment.h"
#include "common/secrets.h"
#include "common/status.h"
#include "common/transport_security.h"

namespace tandem {

const std::vector<FlagSpec>& WorkerFlags() {
  static const std::vector<FlagSpec> flags = {
      {"coordinator", true, "coordinator address", "HOST:PORT", "127.0.0.1:7400"},
      {"listen", true, "this worker's CollectiveService (port 0 picks a free port)", "HOST:PORT",
       "127.0.0.1:0"},
      {"advertise_host", true,
       "host name or address ring neighbours use to reach this worker (default: the --listen "
       "host, or for 0.0.0.0 this machine's address towards the coordinator)",
       "HOST", ""},
      {"threads", true, "LibTorch threads used for training", "N", "2"},
      {"cache_dir", true, "where shards and tokenizers are cached by checksum", "DIR",
       ".tandem/worker-cache"},
      {"join_token_file", true, "a file holding the coordinator's join token", "FILE"},
      {"no_shared_memory", false,
       "keep all-reduce payloads on the gRPC streams to peers on this host too (by default "
       "they go through shared memory where both workers can open it)"},
      {"version", false, "print the version and exit"},
      {"help", false, "print this help"}};
  static const std::vector<FlagSpec> all = [] {
    std::vector<FlagSpec> out = flags;
    for (auto& f : TransportSecurityFlags(/*with_insecure=*/true)) out.push_back(f);
    return out;
  }();
  return all;
}

absl::Status WorkerOptionsFromFlags(const absl::StatusOr<ParsedArgs>& flags,
                                    WorkerOptions& options) {
  TANDEM_RETURN_IF_ERROR(flags.status());
  TANDEM_ASSIGN_OR_RETURN(int64_t threads, flags->GetInt("threads", 1, 1024));
  options.threads = static_cast<int>(threads);
  options.coordinator = flags->Get("coordinator");
  options.cache_dir = flags->Get("cache_dir");
  options.memory_bytes = MemoryLimitBytes();
  options.shared_memory = !flags->Has("no_shared_memory");
  TANDEM_ASSIGN_OR_RETURN(options.security, TransportSecurityFromFlags(*flags, true));
  if (flags->Has("join_token_file")) {
    TANDEM_ASSIGN_OR_RETURN(options.join_token,
                            ReadTokenFile(flags->Get("join_token_file")));
  }
  return absl::OkStatus();
}

}  // namespace tandem
