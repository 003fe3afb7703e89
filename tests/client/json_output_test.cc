// The JSON writer of `tandem --json` (client/json_output.h) and the frozen schema of its output
// (client/json_schema.txt).
#include "client/json_output.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/json_output_test.pb.h"
#include "common/job_states.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tandem/v1/cli.pb.h"
#include "tandem/v1/job.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem::cli {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

test::AllTypes Parse(const std::string& text) {
  test::AllTypes m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

TEST(JsonOutputTest, ZeroValuesAreAllWritten) {
  EXPECT_EQ(JsonObject(test::AllTypes()),
            R"({"i32":0,"i64":0,"u32":0,"u64":0,"s32":0,"s64":0,"f32":0,"f64":0,"sf32":0,)"
            R"("sf64":0,"fl":0,"db":0,"b":false,"s":"","by":"","color":"unspecified",)"
            R"("inner":{"n":0,"s":""},"ints":[],"inners":[],"colors":[],"by_name":{},)"
            R"("by_number":{},"maybe":null,"text":null,"sub":null})");
}

TEST(JsonOutputTest, EveryScalarTypeAsItsJsonType) {
  const test::AllTypes m = Parse(R"(
      i32: -7 i64: -9007199254740993 u32: 4294967295 u64: 18446744073709551615
      s32: -2147483648 s64: -9223372036854775808 f32: 1 f64: 2 sf32: -3 sf64: -4
      fl: 0.1 db: 0.1 b: true s: "a \"q\" \\ \n\t\x01 ñ" by: "\x00\xffhi" color: COLOR_DARK_RED)");
  const std::string json = JsonObject(m);
  // Every integer a number with its exact digits, 64-bit values beyond 2^53 included.
  EXPECT_THAT(json, HasSubstr(R"("i32":-7,"i64":-9007199254740993,"u32":4294967295,)"
                              R"("u64":18446744073709551615,"s32":-2147483648,)"
                              R"("s64":-9223372036854775808,"f32":1,"f64":2,"sf32":-3,"sf64":-4,)"));
  // float and double in their shortest round-trip form (the float 0.1 is not 0.100000001).
  EXPECT_THAT(json, HasSubstr(R"("fl":0.1,"db":0.1,"b":true,)"));
  EXPECT_THAT(json, HasSubstr(R"("s":"a \"q\" \\ \n\t\u0001 ñ")"));
  EXPECT_THAT(json, HasSubstr(R"("by":"AP9oaQ==")"));  // base64
  EXPECT_THAT(json, HasSubstr(R"("color":"dark_red")"));
}

TEST(JsonOutputTest, NonFiniteNumbersAreNullAndLargeOnesExact) {
  test::AllTypes m;
  m.set_fl(std::numeric_limits<float>::quiet_NaN());
  m.set_db(-std::numeric_limits<double>::infinity());
  m.add_ints(std::numeric_limits<int64_t>::max());
  EXPECT_THAT(JsonObject(m), HasSubstr(R"("fl":null,"db":null,)"));
  EXPECT_THAT(JsonObject(m), HasSubstr(R"("ints":[9223372036854775807])"));
  m.set_db(1e300);
  m.set_fl(1.5e-7f);
  EXPECT_THAT(JsonObject(m), HasSubstr(R"("fl":1.5e-07,"db":1e+300,)"));
}

TEST(JsonOutputTest, NestedRepeatedMapsAndPresence) {
  const test::AllTypes m = Parse(R"(
      inner { n: 1 } ints: 5 inners { s: "x" } inners { n: 2 } colors: COLOR_DARK_RED
      colors: COLOR_UNSPECIFIED by_name { key: "b" value: 2.5 } by_name { key: "a" value: 0 }
      by_name { key: "" value: -1 } by_number { key: 10 value { n: 1 } }
      by_number { key: 9 value {} } maybe: 0 sub {})");
  const std::string json = JsonObject(m);
  EXPECT_THAT(json, HasSubstr(R"("inner":{"n":1,"s":""},"ints":[5],)"
                              R"("inners":[{"n":0,"s":"x"},{"n":2,"s":""}],)"
                              R"("colors":["dark_red","unspecified"],)"));
  // Map keys sorted as strings; values by the same rules.
  EXPECT_THAT(json, HasSubstr(R"("by_name":{"":-1,"a":0,"b":2.5},)"
                              R"("by_number":{"10":{"n":1,"s":""},"9":{"n":0,"s":""}},)"));
  // Explicit presence: a set zero is 0, the unset oneof member null, the set one an object.
  EXPECT_THAT(json, HasSubstr(R"("maybe":0,"text":null,"sub":{"n":0,"s":""}})"));
}

TEST(JsonOutputTest, ArraysOfMessages) {
  EXPECT_EQ(JsonArray(std::vector<test::Inner>{}), "[]");
  test::Inner a, b;
  a.set_n(1);
  b.set_s("z");
  EXPECT_EQ(JsonArray(std::vector<test::Inner>{a}), R"([{"n":1,"s":""}])");
  EXPECT_EQ(JsonArray(std::vector<test::Inner>{a, b}), R"([{"n":1,"s":""},{"n":0,"s":"z"}])");
}

TEST(JsonOutputTest, InvalidUtf8BecomesReplacementCharacters) {
  test::Inner m;
  m.set_s("ok\xff");  // not valid UTF-8: what a proto3 parser would refuse, written anyway
  EXPECT_EQ(JsonObject(m), "{\"n\":0,\"s\":\"ok\xEF\xBF\xBD\"}");
}

// The JSON names of states are the names the text tables show, for every value and for a
// number this client does not know.
TEST(JsonOutputTest, StatesAreTheTextNames) {
  for (int i = 0; i < v1::JobState_descriptor()->value_count(); ++i) {
    v1::JobInfo j;
    j.set_state(static_cast<v1::JobState>(v1::JobState_descriptor()->value(i)->number()));
    EXPECT_THAT(JsonObject(j), HasSubstr(absl::StrCat("\"state\":\"", StateName(j.state()), "\"")));
  }
  v1::WorkerInfo w;
  w.set_state(v1::WORKER_STATE_LOST);
  EXPECT_THAT(JsonObject(w), HasSubstr(R"("state":"lost")"));
  EXPECT_EQ(WorkerStateName(v1::WORKER_STATE_LOST), "lost");
  EXPECT_EQ(StateName(v1::JOB_STATE_WAITING_FOR_WORKERS), "waiting_for_workers");
  v1::JobInfo future;
  future.set_state(static_cast<v1::JobState>(42));
  EXPECT_EQ(StateName(future.state()), "job_state_42");
  EXPECT_THAT(JsonObject(future), HasSubstr(R"("state":"job_state_42")"));
}

TEST(JsonSchemaTest, ListsFieldsWithTheirJsonTypes) {
  absl::StatusOr<std::string> schema =
      JsonSchema({{"x", "object", test::AllTypes::descriptor()},
                  {"y --follow", "lines", test::Inner::descriptor()}});
  ASSERT_OK(schema);
  EXPECT_THAT(*schema, HasSubstr("command x: object AllTypes\n"
                                 "command y --follow: lines<object Inner>\n"));
  for (const char* line :
       {"AllTypes.i64: number\n", "AllTypes.fl: number\n", "AllTypes.b: bool\n",
        "AllTypes.by: string(base64)\n", "AllTypes.color: enum(unspecified|dark_red)\n",
        "AllTypes.inner: object Inner\n", "AllTypes.ints: array<number>\n",
        "AllTypes.inners: array<object Inner>\n", "AllTypes.by_name: object<string, number>\n",
        "AllTypes.by_number: object<string, object Inner>\n", "AllTypes.maybe: number | null\n",
        "AllTypes.sub: object Inner | null\n", "Inner.s: string\n"}) {
    EXPECT_THAT(*schema, HasSubstr(line));
  }
  EXPECT_THAT(JsonSchema({{"z", "object", test::Node::descriptor()}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Node contains itself")));
}

constexpr char kSchemaHeader[] =
    "# The shape of every `tandem --json` output (client/JSON.md explains the conventions),\n"
    "# generated from the proto descriptors by tests/client/json_output_test.cc, which fails when\n"
    "# they no longer match this file. After a deliberate change to a message the CLI prints,\n"
    "# regenerate it with\n"
    "#   TANDEM_UPDATE_JSON_SCHEMA=1 ctest --test-dir build -R JsonSchemaTest.Frozen\n"
    "# and update client/JSON.md to match.\n";

// Adding, renaming or retyping a field of a message the CLI prints changes its --json output:
// this fails until client/json_schema.txt (and client/JSON.md) are updated deliberately.
TEST(JsonSchemaTest, FrozenInClientJsonSchemaTxt) {
  absl::StatusOr<std::string> schema = JsonSchema(CliJsonOutputs());
  ASSERT_OK(schema);
  const std::string path = std::string(TANDEM_SOURCE_DIR) + "/client/json_schema.txt";
  const std::string expected = kSchemaHeader + *schema;
  if (std::getenv("TANDEM_UPDATE_JSON_SCHEMA") != nullptr) {
    testing::WriteText(path, expected);
    GTEST_SKIP() << "wrote " << path;
  }
  const std::string frozen = testing::ReadText(path);
  if (frozen == expected) return;
  // Name the lines that differ, each way.
  std::vector<std::string> want = absl::StrSplit(expected, '\n');
  std::vector<std::string> have = absl::StrSplit(frozen, '\n');
  std::string diff;
  for (const std::string& l : want) {
    if (std::find(have.begin(), have.end(), l) == have.end()) absl::StrAppend(&diff, "+ ", l, "\n");
  }
  for (const std::string& l : have) {
    if (std::find(want.begin(), want.end(), l) == want.end()) absl::StrAppend(&diff, "- ", l, "\n");
  }
  ADD_FAILURE() << "the --json output of the CLI no longer matches " << path
                << " (- frozen, + now):\n"
                << diff
                << "If the change is deliberate, regenerate the file with\n"
                   "  TANDEM_UPDATE_JSON_SCHEMA=1 ctest --test-dir build -R "
                   "JsonSchemaTest.Frozen\n"
                   "and update client/JSON.md (and every script that reads the field).";
}

}  // namespace
}  // namespace tandem::cli
