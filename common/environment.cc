#include "common/environment.h"

#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "common/log.h"

namespace tandem {

MainEnvironment ApplyEnvironment() {
  const char* level = std::getenv("TANDEM_LOG_LEVEL");
  SetLogLevel(level != nullptr ? ParseLogLevel(level).value_or(LogLevel::kInfo)
                               : LogLevel::kInfo);
  MainEnvironment env;
  if (const char* spm = std::getenv("TANDEM_SPM_MODULE")) env.spm_module = spm;
  if (const char* tunables = std::getenv("GLIBC_TUNABLES")) env.glibc_tunables = tunables;
  if (const char* core = std::getenv("OPENBLAS_CORETYPE")) env.openblas_coretype = core;
  const char* reexec = std::getenv("TANDEM_MALLOC_REEXEC");
  env.malloc_reexec = reexec == nullptr || std::strcmp(reexec, "0") != 0;
  if (const char* coordinator = std::getenv("TANDEM_COORDINATOR")) env.coordinator = coordinator;
  if (const char* token = std::getenv("TANDEM_TOKEN")) env.token = token;
  if (const char* ca = std::getenv("TANDEM_TLS_CA")) env.tls_ca = ca;
  return env;
}

uint64_t MemoryLimitBytes(const std::string& cgroup_root) {
  uint64_t limit = static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                   static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  for (const char* file : {"/memory.max", "/memory/memory.limit_in_bytes"}) {
    std::ifstream in(cgroup_root + file);
    std::string text;
    uint64_t value = 0;
    if (in >> text && absl::SimpleAtoi(text, &value) && value > 0 && value < limit) {
      limit = value;
    }
  }
  return limit;
}

}  // namespace tandem
