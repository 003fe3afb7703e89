#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tandem::model {

void ConfigureTrainingRuntime(int threads, bool keep_heap) {
  at::set_num_threads(std::max(1, threads));
  if (keep_heap) {
    mallopt(M_MMAP_MAX, 0);                 // large blocks from the heap, reusable
    mallopt(M_TRIM_THRESHOLD, 1 << 30);     // never shrink the heap below 1 GiB of slack
    mallopt(M_TOP_PAD, 256 << 20);          // grow it in 256 MiB steps
  }
}

void ReexecWithTrainingMalloc(char** argv) {
  constexpr const char* kTunable = "glibc.malloc.tcache_count";
  const char* current = std::getenv("GLIBC_TUNABLES");
  if (current != nullptr && std::strstr(current, kTunable) != nullptr) return;
  const char* opt_out = std::getenv("TANDEM_MALLOC_REEXEC");
  if (opt_out != nullptr && std::strcmp(opt_out, "0") == 0) return;
  std::string tunables = current != nullptr && *current != '\0' ? std::string(current) + ":" : "";
  tunables += std::string(kTunable) + "=0";
  setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: carry on as we are
  if (current != nullptr) setenv("GLIBC_TUNABLES", current, 1);
}

}  // namespace tandem::model
