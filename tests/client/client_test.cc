#include <map>
#include <sstream>

#include "client/commands.h"
#include "client/plot_svg.h"

#include <cmath>
#include "client/job_filter.h"
#include "client/render.h"
#include "common/files.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST(RenderTest, TablesAlignUtf8AndDurations) {
  const std::string t = RenderTable({"A", "B", "C"}, {{"ñandú", "x", "last"}, {"b", "yy", ""}});
  EXPECT_EQ(t, "A      B   C\nñandú  x   last\nb      yy\n");
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(59'999), "59s");
  EXPECT_EQ(HumanDuration(61'000), "1m01s");
  EXPECT_EQ(HumanDuration(3'600'000 * 2 + 5 * 60'000), "2h05m");
  EXPECT_EQ(HumanDuration(-5), "0s");
  EXPECT_EQ(HumanTime(0), "1970-01-01 00:00:00");
}

int Cli(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int rc = RunCli(args, o, e);
  *out = o.str();
  *err = e.str();
  return rc;
}

// `tandem list --state/--name`: one state, "active", "ended", a name, both; order kept; an
// unknown state is refused naming the accepted ones.
TEST(JobFilterTest, StateAndName) {
  std::vector<v1::JobInfo> jobs;
  auto add = [&](const std::string& id, v1::JobState s, const std::string& name) {
    v1::JobInfo j;
    j.set_id(id);
    j.set_state(s);
    j.mutable_spec()->set_name(name);
    jobs.push_back(j);
  };
  add("job-4", v1::JOB_STATE_RUNNING, "en-es");
  add("job-3", v1::JOB_STATE_FAILED, "en-es");
  add("job-2", v1::JOB_STATE_WAITING_FOR_WORKERS, "de-en");
  add("job-1", v1::JOB_STATE_SUCCEEDED, "");
  auto ids = [](const absl::StatusOr<std::vector<v1::JobInfo>>& r) {
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& j : *r) out.push_back(j.id());
    }
    return out;
  };
  EXPECT_THAT(ids(FilterJobs(jobs, "", "")), ElementsAre("job-4", "job-3", "job-2", "job-1"));
  EXPECT_THAT(ids(FilterJobs(jobs, "running", "")), ElementsAre("job-4"));
  EXPECT_THAT(ids(FilterJobs(jobs, "active", "")), ElementsAre("job-4", "job-2"));
  EXPECT_THAT(ids(FilterJobs(jobs, "ended", "")), ElementsAre("job-3", "job-1"));
  EXPECT_THAT(ids(FilterJobs(jobs, "", "en-es")), ElementsAre("job-4", "job-3"));
  EXPECT_THAT(ids(FilterJobs(jobs, "ended", "en-es")), ElementsAre("job-3"));
  EXPECT_THAT(ids(FilterJobs(jobs, "cancelled", "")), IsEmpty());
  EXPECT_THAT(ids(FilterJobs({}, "active", "x")), IsEmpty());
  EXPECT_THAT(FilterJobs(jobs, "Running", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--state: 'Running' is not one of active, ended, queued")));
}

TEST(JobFilterTest, LabelsMatchByValueOrPresenceAndAllMustMatch) {
  std::vector<v1::JobInfo> jobs;
  auto add = [&](const std::string& id, std::map<std::string, std::string> labels) {
    v1::JobInfo j;
    j.set_id(id);
    j.set_state(v1::JOB_STATE_RUNNING);
    for (const auto& [k, v] : labels) (*j.mutable_spec()->mutable_labels())[k] = v;
    jobs.push_back(j);
  };
  add("job-3", {{"team", "nlp"}, {"exp", "7"}});
  add("job-2", {{"team", "mt"}});
  add("job-1", {});
  auto ids = [](const absl::StatusOr<std::vector<v1::JobInfo>>& r) {
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& j : *r) out.push_back(j.id());
    }
    return out;
  };
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {"team=nlp"})), ElementsAre("job-3"));
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {"team"})), ElementsAre("job-3", "job-2"));
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {"team", "exp=7"})), ElementsAre("job-3"));
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {"team=mt", "exp=7"})), IsEmpty());
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {"team="})), IsEmpty()) << "an empty value is a value";
  EXPECT_THAT(ids(FilterJobs(jobs, "", "", {})), ElementsAre("job-3", "job-2", "job-1"));
  EXPECT_THAT(FilterJobs(jobs, "", "", {"Team=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--label Team=x: labels: 'Team' is not a label name")));
}

TEST(CliTest, HelpAndUsageErrors) {
  std::string out, err;
  EXPECT_EQ(Cli({"--help"}, &out, &err), kExitOk);
  EXPECT_THAT(out, HasSubstr("submit"));
  EXPECT_THAT(out, HasSubstr("Exit codes"));
  EXPECT_EQ(Cli({}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("Usage: tandem COMMAND"));
  EXPECT_EQ(Cli({"frobnicate"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("unknown command 'frobnicate'"));
  for (const char* cmd :
       {"submit", "list", "status", "watch", "events", "cancel", "delete", "logs", "workers",
        "score", "train", "translate", "download", "attention", "plot", "version"}) {
    EXPECT_EQ(Cli({cmd, "--help"}, &out, &err), kExitOk) << cmd;
    EXPECT_THAT(out, HasSubstr(std::string("Usage: tandem ") + cmd));
  }
  EXPECT_EQ(Cli({"status"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("usage: tandem status JOB_ID"));
  EXPECT_EQ(Cli({"list", "--bogus"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("tandem list: unknown flag --bogus"));
}

TEST(CliTest, BadJobFilesAreRefusedBeforeAnyRpc) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("job.yaml"), "model:\n  attention: transformer\n");
  std::string out, err;
  // No coordinator is listening on this port: the spec error must come first.
  EXPECT_EQ(Cli({"submit", dir.Join("job.yaml"), "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("corpus:"));
  testing::WriteText(dir.Join("job2.yaml"),
                     "corpus: {train_tsv: x.tsv}\nmodel:\n  attention: transformer\n");
  EXPECT_EQ(Cli({"submit", dir.Join("job2.yaml"), "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("model.attention: 'transformer' is not one of"));
  testing::WriteText(dir.Join("job3.yaml"), "corpus: {train_tsv: x.tsv}\ntraining: {epoch: 3}\n");
  EXPECT_EQ(Cli({"submit", dir.Join("job3.yaml"), "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("job3.yaml:2:12: unknown field 'epoch' in training"));
  // Range errors name where the field was written too.
  testing::WriteText(dir.Join("job4.yaml"),
                     "corpus: {train_tsv: x.tsv}\ntraining:\n  learning_rate: -1\n");
  EXPECT_EQ(Cli({"submit", dir.Join("job4.yaml"), "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("job4.yaml:3:18: training.learning_rate: must be in"));
  EXPECT_EQ(Cli({"submit", dir.Join("job4.yaml"), "--set", "training.learning_rate=0.001",
                 "--set", "workers.min=4", "--max_workers", "2", "--coordinator", "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--max_workers: workers.max: 2 is below workers.min 4"));
}

TEST(CliTest, FlagsForEveryCommandMayComeBeforeTheCommand) {
  std::string out, err;
  // Reaching for the coordinator named before the command proves the flag was taken.
  EXPECT_EQ(Cli({"--coordinator", "127.0.0.1:1", "list"}, &out, &err), kExitUnavailable);
  EXPECT_THAT(err, HasSubstr("127.0.0.1:1"));
  EXPECT_EQ(Cli({"--coordinator=127.0.0.1:1", "--json", "status", "job-1"}, &out, &err),
            kExitUnavailable);
  EXPECT_THAT(err, HasSubstr("127.0.0.1:1"));
  EXPECT_EQ(Cli({"--bogus", "list"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("unknown command '--bogus'"));
  EXPECT_EQ(Cli({"--coordinator", "127.0.0.1:1"}, &out, &err), kExitBadInput)
      << "flags and no command";
}

TEST(CliTest, LabelsAndDurationsAreCheckedBeforeAnyRpc) {
  std::string out, err;
  EXPECT_EQ(Cli({"submit", "--tsv", "x.tsv", "--label", "Team=a", "--coordinator", "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--label Team=a: labels: 'Team' is not a label name"));
  EXPECT_EQ(Cli({"submit", "--tsv", "x.tsv", "--label", "team", "--coordinator", "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--label team: expected KEY=VALUE"));
  EXPECT_EQ(Cli({"submit", "--tsv", "x.tsv", "--max_duration", "soon", "--coordinator",
                 "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--max_duration: training.max_duration: 'soon' is not a duration"));
  EXPECT_EQ(Cli({"list", "--label", "Bad", "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitUnavailable)
      << "the filter is applied to the listed jobs";
  EXPECT_EQ(Cli({"logs", "job-1", "--rank", "x", "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--rank: 'x' is not a rank"));
  EXPECT_EQ(Cli({"delete", "--coordinator", "127.0.0.1:1"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("usage: tandem delete JOB_ID..."));
}

TEST(CliTest, CorpusFilesFromSetAreRelativeToWhereTheUserStands) {
  std::string out, err;
  EXPECT_EQ(Cli({"submit", "--set", "corpus.train_tsv=no-such-dir/pairs.tsv", "--coordinator",
                 "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr(AbsolutePath("no-such-dir/pairs.tsv")));
}

TEST(CliTest, LocalFilesThatCannotBeReadAreBadInput) {
  testing::TempDir dir;
  std::string out, err;
  EXPECT_EQ(Cli({"submit", dir.Join("missing.yaml"), "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("missing.yaml"));
  // A corpus file named by the job but absent: refused before any RPC, as bad input.
  EXPECT_EQ(Cli({"submit", "--source", dir.Join("nope.en"), "--target", dir.Join("nope.es"),
                 "--coordinator", "127.0.0.1:1"},
                &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("nope.en"));
}

TEST(CliTest, VersionPrintsThisProgramsEvenWithoutACoordinator) {
  std::string out, err;
  EXPECT_EQ(Cli({"version", "--coordinator", "127.0.0.1:1"}, &out, &err), kExitUnavailable);
  EXPECT_EQ(out, "tandem " + TandemVersion() + "\n");
  EXPECT_THAT(TandemVersion(), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+( \\([0-9a-f]+\\))?"));
  EXPECT_EQ(Cli({"version", "--json", "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitUnavailable);
  EXPECT_EQ(out, "{\"client\":\"" + TandemVersion() + "\",\"coordinator\":null}\n");
}

TEST(CliTest, UnreachableCoordinatorIsOneLine) {
  std::string out, err;
  EXPECT_EQ(Cli({"list", "--coordinator", "127.0.0.1:1"}, &out, &err), kExitUnavailable);
  EXPECT_EQ(err,
            "tandem: cannot reach the coordinator at 127.0.0.1:1 (is tandem-coordinator running? "
            "set --coordinator or TANDEM_COORDINATOR)\n");
}

TEST(PlotTest, TicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(NiceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(NiceTicks(3, 3, 4), (std::vector<double>{3}));
  const auto t = NiceTicks(0.13, 0.87, 4);
  ASSERT_FALSE(t.empty());
  EXPECT_GE(t.front(), 0.13);
  EXPECT_LE(t.back(), 0.87);
  EXPECT_TRUE(NiceTicks(0, NAN, 4).empty());
}

TEST(PlotTest, SvgIsWellFormedForEmptyOneAndManyPoints) {
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  const std::string empty = LineChartSvg("t <&>", "step", {{"loss", {{"a", "#000", {}, false}}}});
  EXPECT_NE(empty.find("no data yet"), std::string::npos);
  EXPECT_NE(empty.find("t &lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(count(empty, "<svg"), 1u);
  EXPECT_EQ(count(empty, "</svg>"), 1u);
  const std::string one = LineChartSvg("t", "step", {{"loss", {{"a", "#000", {{5, 2}}, false}}}});
  EXPECT_EQ(count(one, "<circle"), 1u);
  EXPECT_EQ(count(one, "<polyline"), 0u);
  PlotSeries many{"a", "#000", {}, false};
  for (int i = 0; i < 50; ++i) many.points.push_back({double(i), 10.0 / (i + 1)});
  many.points.push_back({51, INFINITY});  // skipped
  const std::string svg = LineChartSvg("t", "step", {{"loss", {many}}, {"other", {}}});
  EXPECT_EQ(count(svg, "<polyline"), 1u);
  EXPECT_EQ(count(svg, "no data yet"), 1u);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(CliTest, ScoreFilesWithoutACoordinator) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("ref"), "the cat sat on the mat\nhello world\n");
  testing::WriteText(dir.Join("hyp"), "the cat sat on the mat\nhello world\n");
  testing::WriteText(dir.Join("short"), "the cat sat on the mat\n");
  std::string out, err;
  ASSERT_EQ(Cli({"score", "--ref", dir.Join("ref"), "--hyp", dir.Join("hyp"), "--coordinator",
                 "127.0.0.1:1"},
                &out, &err),
            kExitOk)
      << err;
  EXPECT_THAT(out, HasSubstr("100.0"));
  ASSERT_EQ(Cli({"score", "--ref", dir.Join("ref"), "--hyp", dir.Join("hyp"), "--json"}, &out, &err),
            kExitOk);
  EXPECT_THAT(out, StartsWith("{\"hyp\":"));
  EXPECT_THAT(out, HasSubstr("\"segments\":2"));
  EXPECT_EQ(Cli({"score", "--ref", dir.Join("ref"), "--hyp", dir.Join("short")}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("line counts differ"));
  EXPECT_EQ(Cli({"score", "--hyp", dir.Join("hyp")}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("usage: tandem score --ref REF"));
}

}  // namespace
}  // namespace tandem
