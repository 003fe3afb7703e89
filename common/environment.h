// The environment variables Tandem's programs read, in one place. For main() functions (and
// tests) only: libraries read neither flags nor the environment (DESIGN.md section 2); they
// take these values as options or setters, and a main passes them on.
//
//   TANDEM_LOG_LEVEL     DEBUG, INFO, WARNING or ERROR; anything else or unset means INFO.
//                        Applied here (SetLogLevel, common/log.h).
//   TANDEM_SPM_MODULE    path of libtandem_spm.so, tried before the default locations
//                        (SetSentencePieceModulePath, data/tokenizer.h).
//   GLIBC_TUNABLES       the current glibc tunables, kept when a training process re-executes
//                        itself (ReexecWithTrainingRuntime, model/runtime.h).
//   OPENBLAS_CORETYPE    the OpenBLAS kernel the operator chose; when unset and OpenBLAS
//                        falls back to its generic kernel, that re-execution picks one
//                        (model/runtime.h).
//   TANDEM_MALLOC_REEXEC "0" turns that re-execution off (the malloc tunable and the kernel).
//   TANDEM_COORDINATOR   the client's coordinator when --coordinator is not given
//                        (RunCli, client/commands.h).
//   TANDEM_TOKEN         the client's bearer token when --token_file is not given (never
//                        logged).
//   TANDEM_TLS_CA        the client's CA certificate file when --tls_ca is not given.
#ifndef TANDEM_COMMON_ENVIRONMENT_H_
#define TANDEM_COMMON_ENVIRONMENT_H_

#include <cstdint>
#include <optional>
#include <string>

namespace tandem {

// What ApplyEnvironment read and leaves to the main to pass on.
struct MainEnvironment {
  std::string spm_module;                     // TANDEM_SPM_MODULE; empty when unset
  std::optional<std::string> glibc_tunables;  // GLIBC_TUNABLES; nullopt when unset
  std::optional<std::string> openblas_coretype;  // OPENBLAS_CORETYPE; nullopt when unset
  bool malloc_reexec = true;                  // false when TANDEM_MALLOC_REEXEC is "0"
  std::string coordinator;                    // TANDEM_COORDINATOR; empty when unset
  std::string token;                          // TANDEM_TOKEN; empty when unset
  std::string tls_ca;                         // TANDEM_TLS_CA; empty when unset
};

// For main() only, first thing: applies TANDEM_LOG_LEVEL and returns the other variables.
MainEnvironment ApplyEnvironment();

// The memory this process may use: the machine's physical memory, or its control group's
// limit when that is lower (a container's --memory, a Kubernetes memory limit). Reads
// `cgroup_root`/memory.max (cgroup v2) and `cgroup_root`/memory/memory.limit_in_bytes (v1);
// "max", a missing file or garbage means no limit.
uint64_t MemoryLimitBytes(const std::string& cgroup_root = "/sys/fs/cgroup");

}  // namespace tandem

#endif  // TANDEM_COMMON_ENVIRONMENT_H_
