#include "common/flags.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FlagsTest, FlagsValuesAndPositionals) {
  std::vector<FlagSpec> specs = {{"json", false, ""}, {"set", true, ""}, {"name", true, ""}};
  ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({"job.yaml", "--json", "--set", "a=1", "--set=b=2",
                                                "--name=x", "--", "--not-a-flag"},
                                               specs));
  EXPECT_TRUE(a.Has("json"));
  EXPECT_EQ(a.All("set"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(a.Get("name"), "x");
  EXPECT_EQ(a.positional, (std::vector<std::string>{"job.yaml", "--not-a-flag"}));
  EXPECT_THAT(ParseArgs({"--nope"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown flag --nope")));
  EXPECT_THAT(ParseArgs({"--set"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--set needs a value")));
  EXPECT_THAT(ParseArgs({"--json=1"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("takes no value")));
}

TEST(FlagsTest, DashesAndUnderscoresNameTheSameFlag) {
  std::vector<FlagSpec> specs = {{"data_dir", true, ""}, {"max_steps", true, ""}};
  ASSERT_OK_AND_ASSIGN(ParsedArgs a,
                       ParseArgs({"--data-dir", "/d", "--max_steps=5", "-max-steps", "6"}, specs));
  EXPECT_EQ(a.Get("data_dir"), "/d");
  EXPECT_EQ(a.All("max_steps"), (std::vector<std::string>{"5", "6"}));
  EXPECT_THAT(ParseArgs({"--data-dirs=x"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown flag --data_dirs")));
}

TEST(FlagsTest, DefaultsFallbacksAndIntegers) {
  std::vector<FlagSpec> specs = {{"threads", true, "LibTorch threads", "N", "2"},
                                 {"listen", true, "host:port"}};
  ASSERT_OK_AND_ASSIGN(ParsedArgs none, ParseArgs({}, specs));
  EXPECT_EQ(none.Get("threads"), "2");
  EXPECT_EQ(none.Get("threads", "4"), "4");  // an explicit fallback wins over the default
  EXPECT_EQ(none.Get("listen"), "");
  EXPECT_FALSE(none.Has("threads"));
  EXPECT_THAT(none.GetInt("threads", 1, 64), IsOkAndHolds(2));

  ASSERT_OK_AND_ASSIGN(ParsedArgs given, ParseArgs({"--threads=8"}, specs));
  EXPECT_EQ(given.Get("threads", "4"), "8");
  EXPECT_THAT(given.GetInt("threads", 1, 64), IsOkAndHolds(8));
  EXPECT_THAT(given.GetInt("threads", 1, 4),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--threads")));
  for (const char* bad : {"--threads=", "--threads=x", "--threads=3.5", "--threads=-1",
                          "--threads=99999999999999999999"}) {
    ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({bad}, specs));
    EXPECT_THAT(a.GetInt("threads", 0, 64),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expected an integer")))
        << bad;
  }
}

TEST(FlagsTest, HelpAlignsNamesAndShowsDefaults) {
  const std::string help = FlagHelp(
      {{"threads", true, "LibTorch threads", "N", "2"}, {"insecure", false, "allow plaintext"}});
  EXPECT_EQ(help,
            "  --threads N  LibTorch threads (default 2)\n"
            "  --insecure   allow plaintext\n");
}

}  // namespace
}  // namespace tandem
