// Process-wide settings for a training process (the worker's main.cc calls this once, before
// building the model). Torch-free header.
#ifndef TANDEM_MODEL_RUNTIME_H_
#define TANDEM_MODEL_RUNTIME_H_

#include <optional>
#include <set>
#include <string>

#include "common/environment.h"

namespace tandem::model {

// Sets LibTorch's intra-op threads to `threads` (>= 1; LibTorch 1.13 on this class of machine
// defaults to half the cores, see toolchain.md section 7), and, if `keep_heap` is true, tells
// glibc malloc to serve every allocation from the heap and never give it back
// (M_MMAP_MAX = 0, huge M_TRIM_THRESHOLD). The second matters for speed: a training step
// allocates and frees tensors of tens of MB (R1's logits are 61 MB); by default each one is a
// fresh mmap, so every step page-faults and zero-fills ~1 GB. Measured on R1 (1 thread,
// OpenBLAS): about +8-10 % tokens/s. Cost: the process's RSS stays at its peak.
void ConfigureTrainingRuntime(int threads, bool keep_heap = true);

// Call first thing in main() of a training process, with what ApplyEnvironment read
// (common/environment.h; this function reads no environment). Re-executes the program (same
// PID, same arguments) when the new image needs a setting that is read only at startup, and
// returns only when no re-exec happened (nothing needed, env.malloc_reexec false
// (TANDEM_MALLOC_REEXEC=0), or exec failed; then the environment is as it was):
//  - glibc.malloc.tcache_count=0 added to GLIBC_TUNABLES, unless env.glibc_tunables already
//    sets it. With the heap kept (above), small blocks parked in the per-thread cache sit
//    between the freed tensors of a step and keep them from merging, so the heap grows past
//    the live peak; without the cache, R1's peak RSS falls from about 1150 to about 900 MiB
//    at the same speed (BENCHMARKS.md).
//  - OPENBLAS_CORETYPE as BetterOpenBlasCore says, unless the operator set it
//    (env.openblas_coretype): OpenBLAS picks its kernel when it is loaded, before main.
// Both are logged. With the re-exec off, a better kernel is only advised (a warning).
void ReexecWithTrainingRuntime(char** argv, const MainEnvironment& env);

// The kernel this process's OpenBLAS runs ("Haswell", "Cooperlake", "Prescott", ...), from
// openblas_get_corename(); empty when the BLAS linked is not OpenBLAS.
std::string OpenBlasCore();

// The flags of the first "flags" line of `cpuinfo` (/proc/cpuinfo); empty when unreadable.
std::set<std::string> CpuFlags(const std::string& cpuinfo = "/proc/cpuinfo");

// The kernel to ask OpenBLAS for when it chose `chosen`: Debian bookworm's OpenBLAS 0.3.21
// does not know CPUs newer than itself (Sapphire and Emerald Rapids, for one) and falls back
// to Prescott, its generic SSE3 kernel: R1-sized GEMMs ran 4x slower and training 2.4x slower
// than with Cooperlake on such a machine (BENCHMARKS.md, "Quality per 30 minutes", run C).
// Cooperlake (AVX-512 with bf16) where the flags have avx512_bf16, else Haswell (AVX2 + FMA)
// where they have avx2 and fma; nullopt when `chosen` is not Prescott (case aside: OpenBLAS
// knows the CPU, or the operator chose) or the flags offer nothing better.
std::optional<std::string> BetterOpenBlasCore(const std::string& chosen,
                                              const std::set<std::string>& flags);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_RUNTIME_H_
