#include "model/runtime.h"

#include <ATen/Parallel.h>
#include <malloc.h>

#include <algorithm>

namespace tandem::model {

void ConfigureTrainingRuntime(int threads, bool keep_heap) {
  at::set_num_threads(std::max(1, threads));
  if (keep_heap) {
    mallopt(M_MMAP_MAX, 0);                 // large blocks from the heap, reusable
    mallopt(M_TRIM_THRESHOLD, 1 << 30);     // never shrink the heap below 1 GiB of slack
    mallopt(M_TOP_PAD, 256 << 20);          // grow it in 256 MiB steps
  }
}

}  // namespace tandem::model
