#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
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

void ReexecWithTrainingMalloc(char** argv, const std::optional<std::string>& glibc_tunables,
                              bool enabled) {
  constexpr const char* kTunable = "glibc.malloc.tcache_count";
  if (glibc_tunables.has_value() && glibc_tunables->find(kTunable) != std::string::npos) return;
  if (!enabled) return;
  std::string tunables =
      glibc_tunables.has_value() && !glibc_tunables->empty() ? *glibc_tunables + ":" : "";
  tunables += std::string(kTunable) + "=0";
  // The new image reads its tunables from the environment it inherits through execv.
  setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: carry on as we are
  if (glibc_tunables.has_value()) setenv("GLIBC_TUNABLES", glibc_tunables->c_str(), 1);
}

}  // namespace tandem::model
