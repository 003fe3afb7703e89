// model/runtime.h: the OpenBLAS kernel a training process asks for, and the CPU flags it reads.
// The re-exec itself is exercised by every test that starts tandem-worker or tandem-local.
#include "model/runtime.h"

#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tandem::model {
namespace {

// This machine's Sapphire-Rapids-class flags, cut down: AVX-512 with bf16.
const std::set<std::string> kAvx512Bf16 = {"sse3", "avx", "avx2", "fma", "avx512f", "avx512bw",
                                           "avx512_bf16", "avx512_fp16"};

TEST(BetterOpenBlasCoreTest, OnlyTheGenericKernelIsReplaced) {
  EXPECT_EQ(BetterOpenBlasCore("Prescott", kAvx512Bf16), "Cooperlake");
  EXPECT_EQ(BetterOpenBlasCore("PRESCOTT", kAvx512Bf16), "Cooperlake");
  // OpenBLAS knew the CPU (or the operator chose): its choice stands.
  for (const char* chosen : {"Haswell", "SkylakeX", "Cooperlake", "Zen", "Nehalem", ""}) {
    EXPECT_EQ(BetterOpenBlasCore(chosen, kAvx512Bf16), std::nullopt) << chosen;
  }
}

TEST(BetterOpenBlasCoreTest, TheKernelFollowsTheFlags) {
  // AVX-512 without bf16 gets the AVX2 kernel (the only AVX-512 kernel asked for is the one
  // measured here, Cooperlake); bf16 without AVX-512 foundation is no AVX-512 CPU.
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"avx2", "fma", "avx512f", "avx512bw"}), "Haswell");
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"avx2", "fma", "avx512_bf16"}), "Haswell");
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"avx2", "fma"}), "Haswell");
  // AVX2 without FMA, AVX alone, nothing: Prescott is what there is.
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"avx2"}), std::nullopt);
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"sse3", "avx"}), std::nullopt);
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {}), std::nullopt);
  // Whole flags only: a name that merely contains one is not it.
  EXPECT_EQ(BetterOpenBlasCore("Prescott", {"avx2_x", "fma4", "avx512fx", "avx512_bf16x"}),
            std::nullopt);
}

TEST(CpuFlagsTest, ReadsTheFirstFlagsLine) {
  testing::TempDir dir;
  const std::string path = dir.Join("cpuinfo");
  testing::WriteText(path,
                     "processor\t: 0\nmodel name\t: Test CPU\n"
                     "flags\t\t: fpu  sse3 avx2\tfma avx512_bf16\n"
                     "vmx flags\t: ept\nprocessor\t: 1\nflags\t\t: other\n");
  EXPECT_EQ(CpuFlags(path), (std::set<std::string>{"fpu", "sse3", "avx2", "fma", "avx512_bf16"}));
  testing::WriteText(path, "processor\t: 0\nflags\t\t:\n");
  EXPECT_TRUE(CpuFlags(path).empty());
  testing::WriteText(path, "flags without a colon\n");
  EXPECT_TRUE(CpuFlags(path).empty());
  testing::WriteText(path, "");
  EXPECT_TRUE(CpuFlags(path).empty());
  EXPECT_TRUE(CpuFlags(dir.Join("missing")).empty());
}

TEST(CpuFlagsTest, ThisMachineHasFlags) {
  // x86-64 Linux always lists some (sse2 is in the baseline).
  EXPECT_EQ(CpuFlags().count("sse2"), 1u);
}

TEST(OpenBlasCoreTest, NamesTheKernelThisProcessRuns) {
  // Debian's LibTorch is linked against the BLAS scripts/install-deps.sh installs: OpenBLAS.
  const std::string core = OpenBlasCore();
  EXPECT_FALSE(core.empty());
  if (const char* asked = std::getenv("OPENBLAS_CORETYPE")) {
    EXPECT_TRUE(absl::EqualsIgnoreCase(core, asked))
        << core << ": OpenBLAS did not take the kernel it was asked for, " << asked;
  }
}

}  // namespace
}  // namespace tandem::model
