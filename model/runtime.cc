#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/log.h"

namespace tandem::model {

void ConfigureTrainingRuntime(int threads, bool keep_heap) {
  at::set_num_threads(std::max(1, threads));
  if (keep_heap) {
    mallopt(M_MMAP_MAX, 0);                 // large blocks from the heap, reusable
    mallopt(M_TRIM_THRESHOLD, 1 << 30);     // never shrink the heap below 1 GiB of slack
    mallopt(M_TOP_PAD, 256 << 20);          // grow it in 256 MiB steps
  }
}

void ReexecWithTrainingRuntime(char** argv, const MainEnvironment& env) {
  constexpr const char* kTunable = "glibc.malloc.tcache_count";
  const bool tunable_set =
      env.glibc_tunables.has_value() && env.glibc_tunables->find(kTunable) != std::string::npos;
  std::optional<std::string> core;
  std::string chosen;
  if (!env.openblas_coretype.has_value()) {
    chosen = OpenBlasCore();
    core = BetterOpenBlasCore(chosen, CpuFlags());
  }
  if (!env.malloc_reexec) {
    if (core.has_value()) {
      TANDEM_LOG(WARNING) << "OpenBLAS runs its generic kernel (" << chosen
                          << ") on this CPU, which it does not know: OPENBLAS_CORETYPE=" << *core
                          << " would train faster (TANDEM_MALLOC_REEXEC=0 keeps it as it is)";
    }
    return;
  }
  if (tunable_set && !core.has_value()) return;
  // The new image reads both from the environment it inherits through execv.
  if (!tunable_set) {
    const std::string tunables =
        (env.glibc_tunables.has_value() && !env.glibc_tunables->empty() ? *env.glibc_tunables + ":"
                                                                         : std::string()) +
        kTunable + "=0";
    setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  }
  if (core.has_value()) {
    TANDEM_LOG(INFO) << "OpenBLAS chose its generic kernel (" << chosen
                     << ") on this CPU, which it does not know: running with OPENBLAS_CORETYPE="
                     << *core << " (set OPENBLAS_CORETYPE to choose another)";
    setenv("OPENBLAS_CORETYPE", core->c_str(), 1);
  }
  execv("/proc/self/exe", argv);
  // exec failed: carry on as we are.
  unsetenv("GLIBC_TUNABLES");
  if (env.glibc_tunables.has_value()) setenv("GLIBC_TUNABLES", env.glibc_tunables->c_str(), 1);
  unsetenv("OPENBLAS_CORETYPE");
}

std::string OpenBlasCore() {
  using CoreName = char* (*)();
  auto get = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = get != nullptr ? get() : nullptr;
  return name != nullptr ? name : "";
}

std::set<std::string> CpuFlags(const std::string& cpuinfo) {
  std::ifstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "flags")) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    return absl::StrSplit(line.substr(colon + 1), absl::ByAnyChar(" \t"), absl::SkipEmpty());
  }
  return {};
}

std::optional<std::string> BetterOpenBlasCore(const std::string& chosen,
                                              const std::set<std::string>& flags) {
  if (absl::AsciiStrToLower(chosen) != "prescott") return std::nullopt;
  if (flags.count("avx512_bf16") > 0 && flags.count("avx512f") > 0) return "Cooperlake";
  if (flags.count("avx2") > 0 && flags.count("fma") > 0) return "Haswell";
  return std::nullopt;
}

}  // namespace tandem::model
