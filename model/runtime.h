// Process-wide settings for a training process (the worker's main.cc calls this once, before
// building the model). Torch-free header.
#ifndef TANDEM_MODEL_RUNTIME_H_
#define TANDEM_MODEL_RUNTIME_H_

#include <optional>
#include <string>

namespace tandem::model {

// Sets LibTorch's intra-op threads to `threads` (>= 1; LibTorch 1.13 on this class of machine
// defaults to half the cores, see toolchain.md section 7), and, if `keep_heap` is true, tells
// glibc malloc to serve every allocation from the heap and never give it back
// (M_MMAP_MAX = 0, huge M_TRIM_THRESHOLD). The second matters for speed: a training step
// allocates and frees tensors of tens of MB (R1's logits are 61 MB); by default each one is a
// fresh mmap, so every step page-faults and zero-fills ~1 GB. Measured on R1 (1 thread,
// OpenBLAS): about +8-10 % tokens/s. Cost: the process's RSS stays at its peak.
void ConfigureTrainingRuntime(int threads, bool keep_heap = true);

// Call first thing in main() of a training process, with the process's current
// GLIBC_TUNABLES (nullopt when unset) and `enabled` false when TANDEM_MALLOC_REEXEC is "0"
// (common/environment.h reads both; this function reads no environment). Unless
// `glibc_tunables` already sets glibc.malloc.tcache_count, re-executes the program (same PID,
// same arguments) with glibc.malloc.tcache_count=0 added to GLIBC_TUNABLES: glibc reads
// tunables only at startup. With the heap kept (above), small blocks parked in the per-thread
// cache sit between the freed tensors of a step and keep them from merging, so the heap grows
// past the live peak; without the cache, R1's peak RSS falls from about 1150 to about 900 MiB
// at the same speed (BENCHMARKS.md). Returns only when no re-exec happened (already set, not
// enabled, or exec failed; then GLIBC_TUNABLES is as `glibc_tunables` says).
void ReexecWithTrainingMalloc(char** argv, const std::optional<std::string>& glibc_tunables,
                              bool enabled);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_RUNTIME_H_
