// tandem-worker's flags: what they set in WorkerOptions, and the refusals of bad values.
#include "worker/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

absl::StatusOr<WorkerOptions> Parse(std::vector<std::string> args) {
  WorkerOptions options;
  TANDEM_RETURN_IF_ERROR(WorkerOptionsFromFlags(ParseArgs(args, WorkerFlags()), options));
  return options;
}

TEST(WorkerFlagsTest, SharedMemoryIsOnUnlessTurnedOff) {
  ASSERT_OK_AND_ASSIGN(WorkerOptions defaults, Parse({}));
  EXPECT_TRUE(defaults.shared_memory);
  EXPECT_EQ(defaults.threads, 2);
  ASSERT_OK_AND_ASSIGN(WorkerOptions off, Parse({"--no_shared_memory", "--threads=3"}));
  EXPECT_FALSE(off.shared_memory);
  EXPECT_EQ(off.threads, 3);
}

TEST(WorkerFlagsTest, BadValuesAreRefusedNamingTheFlag) {
  absl::StatusOr<WorkerOptions> bad = Parse({"--threads=0"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("threads"), std::string::npos) << bad.status();
  EXPECT_FALSE(Parse({"--no_shared_memory=1"}).ok()) << "a switch takes no value";
  EXPECT_FALSE(Parse({"--no_such_flag"}).ok());
}

}  // namespace
}  // namespace tandem
