// common/environment.h and the log threshold it sets (common/log.h).
#include "common/environment.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/log.h"
#include "tests/testing/test_util.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

constexpr const char* kVariables[] = {"TANDEM_LOG_LEVEL", "TANDEM_SPM_MODULE", "GLIBC_TUNABLES",
                                      "TANDEM_MALLOC_REEXEC", "TANDEM_COORDINATOR",
                                      "OPENBLAS_CORETYPE"};

// Starts every test with the variables unset and the default threshold; puts both back after.
class EnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_level_ = GetLogLevel();
    for (const char* name : kVariables) {
      if (const char* value = std::getenv(name)) saved_[name] = value;
      unsetenv(name);
    }
    SetLogLevel(LogLevel::kInfo);
  }
  void TearDown() override {
    for (const char* name : kVariables) {
      auto it = saved_.find(name);
      if (it == saved_.end()) {
        unsetenv(name);
      } else {
        setenv(name, it->second.c_str(), 1);
      }
    }
    SetLogLevel(saved_level_);
  }

 private:
  std::map<std::string, std::string> saved_;
  LogLevel saved_level_ = LogLevel::kInfo;
};

TEST(LogLevelTest, ParsesTheFourNamesExactly) {
  EXPECT_EQ(ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("INFO"), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("WARNING"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("ERROR"), LogLevel::kError);
  EXPECT_EQ(ParseLogLevel(""), std::nullopt);
  EXPECT_EQ(ParseLogLevel("debug"), std::nullopt);
  EXPECT_EQ(ParseLogLevel("VERBOSE"), std::nullopt);
}

TEST(LogLevelTest, ThresholdDropsLowerLevels) {
  const LogLevel saved = GetLogLevel();
  SetLogLevel(LogLevel::kWarning);
  EXPECT_FALSE(log_internal::Enabled(LogLevel::kDebug));
  EXPECT_FALSE(log_internal::Enabled(LogLevel::kInfo));
  EXPECT_TRUE(log_internal::Enabled(LogLevel::kWarning));
  EXPECT_TRUE(log_internal::Enabled(LogLevel::kError));
  SetLogLevel(LogLevel::kDebug);
  EXPECT_TRUE(log_internal::Enabled(LogLevel::kDebug));
  SetLogLevel(saved);
}

TEST_F(EnvironmentTest, DefaultsWhenNothingIsSet) {
  SetLogLevel(LogLevel::kError);
  const MainEnvironment env = ApplyEnvironment();
  EXPECT_EQ(GetLogLevel(), LogLevel::kInfo);
  EXPECT_EQ(env.spm_module, "");
  EXPECT_EQ(env.glibc_tunables, std::nullopt);
  EXPECT_TRUE(env.malloc_reexec);
  EXPECT_EQ(env.coordinator, "");
  EXPECT_EQ(env.openblas_coretype, std::nullopt);
}

TEST_F(EnvironmentTest, ReadsEveryVariable) {
  setenv("TANDEM_LOG_LEVEL", "WARNING", 1);
  setenv("TANDEM_SPM_MODULE", "/opt/spm/libtandem_spm.so", 1);
  setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", 1);
  setenv("TANDEM_MALLOC_REEXEC", "0", 1);
  setenv("TANDEM_COORDINATOR", "10.0.0.1:7400", 1);
  setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  const MainEnvironment env = ApplyEnvironment();
  EXPECT_EQ(GetLogLevel(), LogLevel::kWarning);
  EXPECT_EQ(env.spm_module, "/opt/spm/libtandem_spm.so");
  EXPECT_EQ(env.glibc_tunables, "glibc.malloc.arena_max=2");
  EXPECT_FALSE(env.malloc_reexec);
  EXPECT_EQ(env.coordinator, "10.0.0.1:7400");
  EXPECT_EQ(env.openblas_coretype, "Haswell");
}

TEST_F(EnvironmentTest, UnknownLogLevelMeansInfo) {
  setenv("TANDEM_LOG_LEVEL", "LOUD", 1);
  SetLogLevel(LogLevel::kDebug);
  ApplyEnvironment();
  EXPECT_EQ(GetLogLevel(), LogLevel::kInfo);
}

TEST_F(EnvironmentTest, OnlyZeroTurnsTheMallocReexecOff) {
  setenv("TANDEM_MALLOC_REEXEC", "1", 1);
  EXPECT_TRUE(ApplyEnvironment().malloc_reexec);
  setenv("TANDEM_MALLOC_REEXEC", "", 1);
  EXPECT_TRUE(ApplyEnvironment().malloc_reexec);
  setenv("TANDEM_MALLOC_REEXEC", "0", 1);
  EXPECT_FALSE(ApplyEnvironment().malloc_reexec);
}

TEST_F(EnvironmentTest, EmptyTunablesAreKeptApartFromUnset) {
  setenv("GLIBC_TUNABLES", "", 1);
  EXPECT_EQ(ApplyEnvironment().glibc_tunables, std::string());
}

// The control group's limit wins when it is lower than the machine's memory; "max", garbage,
// zero, a limit above the machine's and missing files leave the machine's.
TEST(MemoryLimitTest, TakesTheLowerOfMachineAndControlGroup) {
  testing::TempDir dir;
  const uint64_t machine = MemoryLimitBytes(dir.Join("absent"));
  ASSERT_GT(machine, 0u);
  EXPECT_EQ(MemoryLimitBytes(dir.path()), machine);  // no files

  testing::WriteText(dir.Join("memory.max"), "max\n");
  EXPECT_EQ(MemoryLimitBytes(dir.path()), machine);
  testing::WriteText(dir.Join("memory.max"), "268435456\n");  // cgroup v2: 256 MiB
  EXPECT_EQ(MemoryLimitBytes(dir.path()), 268435456u);
  testing::WriteText(dir.Join("memory.max"), "12abc\n");
  EXPECT_EQ(MemoryLimitBytes(dir.path()), machine);
  testing::WriteText(dir.Join("memory.max"), "0\n");
  EXPECT_EQ(MemoryLimitBytes(dir.path()), machine);

  // cgroup v1 reports "no limit" as a number near 2^63.
  std::filesystem::create_directories(dir.Join("memory"));
  testing::WriteText(dir.Join("memory/memory.limit_in_bytes"), "9223372036854771712\n");
  EXPECT_EQ(MemoryLimitBytes(dir.path()), machine);
  testing::WriteText(dir.Join("memory/memory.limit_in_bytes"), "536870912\n");
  EXPECT_EQ(MemoryLimitBytes(dir.path()), 536870912u);
  testing::WriteText(dir.Join("memory.max"), "268435456\n");  // both: the lower
  EXPECT_EQ(MemoryLimitBytes(dir.path()), 268435456u);
}

}  // namespace
}  // namespace tandem
