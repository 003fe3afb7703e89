#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/commands.h"
#include "client/job_client.h"
#include "client/plot_svg.h"
#include "client/render.h"
#include "client/translate_flags.h"
#include "common/files.h"
#include "common/job_filter.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "tandem/v1/job_service.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
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
        "score", "train", "translate", "download", "attention", "plot", "version", "average"}) {
    EXPECT_EQ(Cli({cmd, "--help"}, &out, &err), kExitOk) << cmd;
    EXPECT_THAT(out, HasSubstr(std::string("Usage: tandem ") + cmd));
  }
  EXPECT_EQ(Cli({"status"}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("usage: tandem status JOB_ID"));
  // average: --last N or checkpoint files, one of the two, and -o.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"average", "--model", "d", "-o", "o"},
        std::vector<std::string>{"average", "--model", "d", "--last", "2", "-o", "o", "c.ckpt"},
        std::vector<std::string>{"average", "--model", "d", "--last", "2"},
        std::vector<std::string>{"average", "--last", "2", "-o", "o"}}) {
    EXPECT_EQ(Cli(args, &out, &err), kExitBadInput);
    EXPECT_THAT(err, HasSubstr("usage: tandem average --model DIR (--last N | CHECKPOINT ...)"));
  }
  EXPECT_EQ(Cli({"average", "--model", "d", "--last", "2", "-o", "o", "--json"}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--json is not available in the local mode"));
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

TEST(CliTest, TranslateFlagsAreCheckedBeforeAnyRpc) {
  std::string out, err;
  for (const auto& [flag, value, says] : std::vector<std::tuple<std::string, std::string,
                                                                std::string>>{
           {"--n_best", "0", "--n_best: expected a positive number"},
           {"--beam", "x", "--beam: expected a positive number"},
           {"--length_penalty", "long", "--length_penalty: expected a number, got 'long'"}}) {
    EXPECT_EQ(Cli({"translate", "--job", "job-1", flag, value, "hi", "--coordinator",
                   "127.0.0.1:1"},
                  &out, &err),
              kExitBadInput)
        << flag;
    EXPECT_THAT(err, HasSubstr(says));
  }
}

TEST(RenderTest, TranslationsPrintOneLineEachAndNBestListsAsMosesLines) {
  v1::TranslateResponse r;
  r.add_translations()->set_text("el perro");
  v1::Translation* t = r.add_translations();
  t->set_text("un gato");
  for (const auto& [text, score] : std::vector<std::pair<std::string, double>>{
           {"un gato", -0.25}, {"el gato", -1.5}}) {
    v1::Candidate* c = t->add_n_best();
    c->set_text(text);
    c->set_score(score);
  }
  EXPECT_EQ(FormatTranslations(r), "el perro\n1 ||| un gato ||| -0.2500\n1 ||| el gato ||| -1.5000\n");
  // Numbered from the request's first sentence overall (the CLI sends 64 at a time).
  EXPECT_THAT(FormatTranslations(r, 64), HasSubstr("65 ||| un gato"));
  EXPECT_EQ(FormatTranslations(v1::TranslateResponse()), "");
}

TEST(TranslateProgressTest, OnlyForSeveralRequestsInPlaceOnATerminal) {
  std::ostringstream one, log, tty;
  PrintTranslateProgress(one, false, 64, 64, 64);
  EXPECT_EQ(one.str(), "") << "one request's worth: no progress";
  PrintTranslateProgress(log, false, 64, 100, 64);
  PrintTranslateProgress(log, false, 100, 100, 64);
  EXPECT_EQ(log.str(), "tandem: translated 64 of 100 sentences\ntandem: translated 100 of 100 sentences\n");
  PrintTranslateProgress(tty, true, 64, 65, 64);
  PrintTranslateProgress(tty, true, 65, 65, 64);
  EXPECT_EQ(tty.str(), "\r\033[Ktandem: translated 64 of 65 sentences"
                       "\r\033[Ktandem: translated 65 of 65 sentences\n");
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
            kExitBadInput)
      << "the filters are checked before they are sent";
  EXPECT_THAT(err, HasSubstr("--label Bad: labels: 'Bad' is not a label name"));
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
  EXPECT_THAT(TandemVersion(), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+( \\([0-9a-f]+(-dirty)?\\))?"));
  EXPECT_EQ(Cli({"version", "--json", "--coordinator", "127.0.0.1:1"}, &out, &err),
            kExitUnavailable);
  EXPECT_EQ(out, "{\"client\":\"" + TandemVersion() + "\",\"coordinator\":null}\n");
  EXPECT_THAT(err, HasSubstr("cannot reach the coordinator"));
}

TEST(CliTest, UnreachableCoordinatorIsOneLine) {
  std::string out, err;
  EXPECT_EQ(Cli({"list", "--coordinator", "127.0.0.1:1"}, &out, &err), kExitUnavailable);
  EXPECT_EQ(err,
            "tandem: cannot reach the coordinator at 127.0.0.1:1 (is tandem-coordinator running? "
            "set --coordinator or TANDEM_COORDINATOR)\n");
  // A health check may be aimed at a worker's collective address: it names neither side.
  EXPECT_EQ(Cli({"health", "--coordinator", "127.0.0.1:1"}, &out, &err), kExitUnavailable);
  EXPECT_EQ(err,
            "tandem: cannot reach the server at 127.0.0.1:1 (is a tandem-coordinator or "
            "tandem-worker listening there?)\n");
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
  EXPECT_THAT(out, HasSubstr("\"src\":null,\"segments\":2,\"bleu\":{\"score\":100,"));
  EXPECT_THAT(out, HasSubstr("\"chrf\":{\"name\":\"chrF2\",\"score\":100,\"char_order\":6,"
                             "\"word_order\":0,\"beta\":2,"));
  EXPECT_THAT(out, HasSubstr("\"buckets\":[]}\n"));
  ASSERT_EQ(Cli({"score", "--ref", dir.Join("ref"), "--hyp", dir.Join("hyp"), "--src",
                 dir.Join("ref"), "--json"},
                &out, &err),
            kExitOk);
  EXPECT_THAT(out, HasSubstr("\"label\":\"1-10\",\"min_words\":1,\"max_words\":10,"
                             "\"segments\":2,\"bleu\":{\"score\":100,"));
  // An empty bucket has its BLEU with zeros; the last has no upper bound.
  EXPECT_THAT(out, HasSubstr("\"label\":\"41+\",\"min_words\":41,\"max_words\":null,"
                             "\"segments\":0,\"bleu\":{\"score\":0,"));
  EXPECT_EQ(Cli({"score", "--ref", dir.Join("ref"), "--hyp", dir.Join("short")}, &out, &err),
            kExitBadInput);
  EXPECT_THAT(err, HasSubstr("line counts differ"));
  EXPECT_EQ(Cli({"score", "--hyp", dir.Join("hyp")}, &out, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("usage: tandem score --ref REF"));
}

// --- --json of the commands against a fake coordinator (an in-process gRPC server) ---------

class FakeJobService final : public v1::JobService::Service {
 public:
  std::vector<v1::JobInfo> jobs;
  std::vector<v1::JobEvent> events;
  std::vector<v1::ListEventsRequest> events_requests;
  std::vector<v1::WorkerInfo> workers;

  grpc::Status SubmitJob(grpc::ServerContext*, const v1::SubmitJobRequest*,
                         v1::SubmitJobResponse* resp) override {
    resp->set_job_id("job-9");
    return grpc::Status::OK;
  }
  grpc::Status GetJob(grpc::ServerContext*, const v1::GetJobRequest* req,
                      v1::JobInfo* resp) override {
    for (const auto& j : jobs) {
      if (j.id() == req->job_id()) {
        *resp = j;
        return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no job " + req->job_id());
  }
  // As a coordinator with filters and paging (the token: how many matching jobs came
  // before), at most `page_cap` jobs a page; with `before_paging` as one from before them,
  // which ignores the request and sends every job. Keeps each request.
  grpc::Status ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* req,
                        v1::ListJobsResponse* resp) override {
    list_requests.push_back(*req);
    if (before_paging) {
      for (const auto& j : jobs) *resp->add_jobs() = j;
      return grpc::Status::OK;
    }
    absl::StatusOr<JobMatcher> matcher =
        JobMatcher::Make(req->state(), req->name(), {req->labels().begin(), req->labels().end()});
    size_t start = 0;
    if (!matcher.ok() ||
        (!req->page_token().empty() && !absl::SimpleAtoi(req->page_token(), &start))) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad request");
    }
    const size_t page = std::min<size_t>(req->limit() == 0 ? jobs.size() : req->limit(), page_cap);
    size_t matching = 0;
    for (const auto& j : jobs) {
      if (!matcher->Matches(j)) continue;
      if (matching >= start && static_cast<size_t>(resp->jobs_size()) < page) {
        *resp->add_jobs() = j;
      } else if (matching >= start) {
        resp->set_next_page_token(absl::StrCat(start + resp->jobs_size()));
      }
      ++matching;
    }
    resp->set_total(matching);
    return grpc::Status::OK;
  }
  bool before_paging = false;
  size_t page_cap = SIZE_MAX;
  std::vector<v1::ListJobsRequest> list_requests;

  grpc::Status CancelJob(grpc::ServerContext* ctx, const v1::CancelJobRequest* req,
                         v1::JobInfo* resp) override {
    v1::GetJobRequest get;
    get.set_job_id(req->job_id());
    grpc::Status s = GetJob(ctx, &get, resp);
    resp->set_state(v1::JOB_STATE_CANCELLED);
    return s;
  }
  // As the coordinator answers (JobStore::ListEvents), and remembers what was asked.
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* req,
                          v1::ListEventsResponse* resp) override {
    events_requests.push_back(*req);
    std::vector<v1::JobEvent> matching;
    for (const auto& e : events) {
      if (e.seq() > req->after_seq() && (req->job_id().empty() || e.job_id() == req->job_id()) &&
          (req->kind().empty() || e.kind() == req->kind())) {
        matching.push_back(e);
      }
    }
    const size_t limit = req->limit() == 0 ? 1000 : req->limit();
    const size_t n = std::min(limit, matching.size());
    const size_t first = req->newest() ? matching.size() - n : 0;
    for (size_t i = first; i < first + n; ++i) *resp->add_events() = matching[i];
    return grpc::Status::OK;
  }
  grpc::Status ListWorkers(grpc::ServerContext*, const v1::ListWorkersRequest*,
                           v1::ListWorkersResponse* resp) override {
    for (const auto& w : workers) *resp->add_workers() = w;
    resp->set_coordinator_version("9.9.9");
    return grpc::Status::OK;
  }
  // As a model server with `translation_heads` attention heads (1: an RNN) over two source
  // and two target pieces: head h weighs source piece h % 2; the average is their mean.
  grpc::Status Translate(grpc::ServerContext*, const v1::TranslateRequest* req,
                         v1::TranslateResponse* resp) override {
    translate_requests.push_back(*req);
    v1::Translation* t = resp->add_translations();
    t->set_text("hola");
    for (const char* p : {"hi", "</s>"}) t->add_source_pieces(p);
    for (const char* p : {"hola", "</s>"}) t->add_target_pieces(p);
    const int heads = translation_heads;
    for (int i = 0; i < 4; ++i) t->add_weights(heads == 1 ? (i % 2 == 0 ? 1.0f : 0.0f) : 0.5f);
    if (req->heads()) {
      t->set_head_count(heads);
      for (int h = 0; h < heads; ++h) {
        for (int i = 0; i < 4; ++i) t->add_head_weights(i % 2 == h % 2 ? 1.0f : 0.0f);
      }
    }
    resp->set_model("final");
    return grpc::Status::OK;
  }
  int translation_heads = 2;
  std::vector<v1::TranslateRequest> translate_requests;
};

class JsonCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::JobInfo running;  // zero step, shard 0, no name: all still written
    running.set_id("job-2");
    running.set_state(v1::JOB_STATE_RUNNING);
    running.set_created_unix_ms(1'700'000'000'000);
    running.add_shards()->set_num_lines(10);
    running.mutable_progress()->mutable_worker_checksum()->insert({"w1", ~uint64_t{0}});
    v1::JobInfo done;
    done.set_id("job-1");
    done.set_state(v1::JOB_STATE_SUCCEEDED);
    service_.jobs = {running, done};
    for (int i = 1; i <= 2; ++i) {
      v1::JobEvent e;
      e.set_seq(i);
      e.set_job_id("job-1");
      e.set_kind(i == 1 ? "submitted" : "state");
      service_.events.push_back(e);
    }
    v1::WorkerInfo w;
    w.set_id("w1");
    w.set_state(v1::WORKER_STATE_IDLE);
    service_.workers = {w};
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    client_ = std::make_unique<JobClient>(server_->InProcessChannel(grpc::ChannelArguments()),
                                          "fake", std::chrono::seconds(5));
  }
  void TearDown() override { server_->Shutdown(); }

  // Runs `tandem ARGS --json` against the fake; returns stdout.
  std::string Json(std::vector<std::string> args, int want = kExitOk) {
    args.push_back("--json");
    std::ostringstream out, err;
    EXPECT_EQ(RunCli(args, out, err, {}, client_.get()), want) << err.str();
    return out.str();
  }

  FakeJobService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<JobClient> client_;
};

TEST_F(JsonCommandsTest, ListIsOneArrayOfJobsWithEveryField) {
  const std::string out = Json({"list"});
  EXPECT_THAT(out, StartsWith(R"([{"id":"job-2","spec":{"name":"","corpus":{"train_source":"",)"));
  EXPECT_THAT(out, HasSubstr(R"("state":"running","message":"","created_unix_ms":1700000000000,)"));
  EXPECT_THAT(out, HasSubstr(R"("progress":{"step":0,"epoch":0,"loss":0,)"));
  EXPECT_THAT(out, HasSubstr(R"("shards":[{"index":0,"first_line":0,"num_lines":10,)"));
  // 64-bit values are numbers with every digit.
  EXPECT_THAT(out, HasSubstr(R"("worker_checksum":{"w1":18446744073709551615})"));
  EXPECT_THAT(out, HasSubstr(R"("assignments":[],"artifacts":{},)"));
  EXPECT_THAT(out, HasSubstr(R"(},{"id":"job-1",)"));
  EXPECT_THAT(out, ::testing::EndsWith("}]\n"));
  EXPECT_EQ(Json({"list", "--state", "cancelled"}), "[]\n");
}

TEST_F(JsonCommandsTest, StatusAndCancelAreOneJobObject) {
  const std::string status = Json({"status", "job-2"});
  EXPECT_THAT(status, StartsWith(R"({"id":"job-2",)"));
  EXPECT_THAT(status, HasSubstr(R"("state":"running")"));
  EXPECT_EQ(status.find('\n'), status.size() - 1);  // one line
  EXPECT_THAT(Json({"cancel", "job-2"}), HasSubstr(R"("state":"cancelled")"));
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"status", "job-7", "--json"}, out, err, {}, client_.get()), kExitNotFound);
  EXPECT_EQ(out.str(), "");
}

TEST_F(JsonCommandsTest, StatusShowsTheNewestEpochsDataAccount) {
  v1::JobInfo job;
  job.set_id("job-3");
  job.set_state(v1::JOB_STATE_RUNNING);
  job.mutable_progress()->set_step(140);
  service_.jobs.push_back(job);
  for (int i = 0; i < 2; ++i) {
    v1::JobEvent e;
    e.set_seq(10 + i);
    e.set_job_id("job-3");
    e.set_kind("epoch_end");
    e.set_message(absl::StrCat("epoch ", i, " (steps ...): every pair exactly once"));
    service_.events.push_back(e);
  }
  v1::JobEvent later;  // a newer event of another kind does not hide the account
  later.set_seq(12);
  later.set_job_id("job-3");
  later.set_kind("checkpoint");
  service_.events.push_back(later);
  service_.events_requests.clear();
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"status", "job-3"}, out, err, {}, client_.get()), kExitOk) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("Data:         epoch 1 (steps ...): every pair exactly once\n"));
  EXPECT_THAT(out.str(), Not(HasSubstr("epoch 0 (steps")));
  // One event asked for, not the whole log.
  ASSERT_EQ(service_.events_requests.size(), 1u);
  EXPECT_EQ(service_.events_requests[0].kind(), "epoch_end");
  EXPECT_TRUE(service_.events_requests[0].newest());
  EXPECT_EQ(service_.events_requests[0].limit(), 1u);
  std::ostringstream out2;
  ASSERT_EQ(RunCli({"status", "job-2"}, out2, err, {}, client_.get()), kExitOk) << err.str();
  EXPECT_THAT(out2.str(), Not(HasSubstr("Data:"))) << "no step yet, no account";
}

TEST_F(JsonCommandsTest, SubmitPrintsTheIdAsListNamesIt) {
  EXPECT_EQ(Json({"submit", "--tsv", "server:/data/pairs.tsv"}),
            "{\"id\":\"job-9\",\"existing\":false}\n");
}

TEST_F(JsonCommandsTest, EventsAreAnArrayAndFollowingThemLines) {
  EXPECT_EQ(Json({"events", "job-1"}),
            R"([{"seq":1,"job_id":"job-1","unix_ms":0,"kind":"submitted","message":""},)"
            R"({"seq":2,"job_id":"job-1","unix_ms":0,"kind":"state","message":""}])"
            "\n");
  // job-1 has ended: watching prints its events as JSON Lines, then nothing else.
  const std::string lines =
      R"({"seq":1,"job_id":"job-1","unix_ms":0,"kind":"submitted","message":""})"
      "\n"
      R"({"seq":2,"job_id":"job-1","unix_ms":0,"kind":"state","message":""})"
      "\n";
  EXPECT_EQ(Json({"watch", "job-1"}), lines);
  EXPECT_EQ(Json({"events", "job-1", "--follow"}), lines);
}

TEST_F(JsonCommandsTest, EventsPageThroughTheWholeLogAndFilterByKindAndLast) {
  service_.events.clear();
  for (int i = 1; i <= 2500; ++i) {  // two full pages and a part
    v1::JobEvent e;
    e.set_seq(i);
    e.set_job_id("job-1");
    e.set_kind(i % 1000 == 0 ? "epoch_end" : "note");
    e.set_message(absl::StrCat("m", i));
    service_.events.push_back(e);
  }
  service_.events_requests.clear();
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"events", "job-1"}, out, err, {}, client_.get()), kExitOk) << err.str();
  const std::string table = out.str();
  EXPECT_THAT(table, HasSubstr(" m1\n"));
  EXPECT_THAT(table, HasSubstr(" m2500\n"));
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 2501) << "header + 2,500";
  ASSERT_EQ(service_.events_requests.size(), 3u);
  EXPECT_EQ(service_.events_requests[1].after_seq(), 1000);
  EXPECT_EQ(service_.events_requests[2].after_seq(), 2000);

  EXPECT_EQ(Json({"events", "job-1", "--kind", "epoch_end"}),
            R"([{"seq":1000,"job_id":"job-1","unix_ms":0,"kind":"epoch_end","message":"m1000"},)"
            R"({"seq":2000,"job_id":"job-1","unix_ms":0,"kind":"epoch_end","message":"m2000"}])"
            "\n");
  EXPECT_EQ(Json({"events", "job-1", "--last", "2"}),
            R"([{"seq":2499,"job_id":"job-1","unix_ms":0,"kind":"note","message":"m2499"},)"
            R"({"seq":2500,"job_id":"job-1","unix_ms":0,"kind":"note","message":"m2500"}])"
            "\n");
  EXPECT_EQ(Json({"events", "job-1", "--kind", "epoch_end", "--last", "1"}),
            R"([{"seq":2000,"job_id":"job-1","unix_ms":0,"kind":"epoch_end","message":"m2000"}])"
            "\n");
  for (const char* bad : {"0", "100001", "x"}) {
    std::ostringstream o, e;
    EXPECT_EQ(RunCli({"events", "job-1", "--last", bad}, o, e, {}, client_.get()), kExitBadInput)
        << bad;
    EXPECT_THAT(e.str(), HasSubstr("--last")) << bad;
  }
  std::ostringstream o, e;
  EXPECT_EQ(RunCli({"events", "job-1", "--follow", "--kind", "note"}, o, e, {}, client_.get()),
            kExitBadInput);
  EXPECT_THAT(e.str(), HasSubstr("--follow shows every event"));
}

TEST_F(JsonCommandsTest, WorkersVersionAndHealth) {
  const std::string workers = Json({"workers"});
  EXPECT_THAT(workers, StartsWith(R"([{"id":"w1","address":"","state":"idle","job_id":"",)"
                                  R"("rank":0,)"));
  EXPECT_EQ(Json({"version"}),
            absl::StrCat(R"({"client":")", TandemVersion(), R"(","coordinator":"9.9.9"})", "\n"));
  EXPECT_EQ(Json({"health"}), "{\"serving\":true}\n");
}

TEST_F(JsonCommandsTest, TheLocalModeRefusesJson) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"translate", "--model", "/nowhere", "hi", "--json"}, out, err, {},
                   client_.get()),
            kExitBadInput);
  EXPECT_THAT(err.str(), HasSubstr("--json is not available in the local mode"));
}

// `tandem attention --job --head N`: each head's weights asked for only with --head, head N
// drawn, a head the model lacks and an RNN's single map refused naming the flag.
TEST_F(JsonCommandsTest, AttentionDrawsOneHeadWithHead) {
  testing::TempDir dir;
  const std::string svg = dir.Join("a.svg");
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"attention", "--job", "job-1", "-o", svg, "hi"}, out, err, {}, client_.get()),
            kExitOk)
      << err.str();
  ASSERT_EQ(service_.translate_requests.size(), 1u);
  EXPECT_TRUE(service_.translate_requests[0].attention());
  EXPECT_FALSE(service_.translate_requests[0].heads()) << "heads only when asked";
  ASSERT_OK_AND_ASSIGN(const std::string average, ReadFile(svg));
  EXPECT_THAT(out.str(), HasSubstr("(attention heatmap: " + svg + ")"));

  std::ostringstream out2, err2;
  ASSERT_EQ(RunCli({"attention", "--job", "job-1", "-o", svg, "--head", "2", "hi"}, out2, err2, {},
                   client_.get()),
            kExitOk)
      << err2.str();
  EXPECT_TRUE(service_.translate_requests.back().heads());
  EXPECT_THAT(out2.str(), HasSubstr("(attention heatmap, head 2 of 2: " + svg + ")"));
  ASSERT_OK_AND_ASSIGN(const std::string head2, ReadFile(svg));
  EXPECT_THAT(head2, HasSubstr("(head 2 of 2)"));
  EXPECT_NE(head2, average);
  // --json: the response with each head's weights.
  const std::string json = Json({"attention", "--job", "job-1", "-o", svg, "--head", "1", "hi"});
  EXPECT_THAT(json, AllOf(HasSubstr("\"head_weights\":[1,0,1,0,0,1,0,1]"),
                          HasSubstr("\"head_count\":2")));

  for (const auto& [head, says] : std::vector<std::pair<std::string, std::string>>{
           {"3", "--head 3 is out of range: the model has 2 attention heads (--head 1..2)"},
           {"0", "--head: expected an integer in 1..64, got '0'"},
           {"x", "--head: expected an integer in 1..64, got 'x'"}}) {
    std::ostringstream o, e;
    EXPECT_EQ(RunCli({"attention", "--job", "job-1", "-o", svg, "--head", head, "hi"}, o, e, {},
                     client_.get()),
              kExitBadInput)
        << head;
    EXPECT_THAT(e.str(), HasSubstr(says));
  }
  service_.translation_heads = 1;
  std::ostringstream o, e;
  EXPECT_EQ(RunCli({"attention", "--job", "job-1", "-o", svg, "--head", "1", "hi"}, o, e, {},
                   client_.get()),
            kExitBadInput);
  EXPECT_THAT(e.str(), HasSubstr("--head 1: this model has a single attention map (an RNN model"));
}

// --- `tandem list`: the newest jobs, --limit, --all, filters ---------------------------------

class ListCommandTest : public JsonCommandsTest {
 protected:
  // `n` jobs, job-<n> (the newest) first; odd numbers running with team=nlp, even ones
  // succeeded.
  void MakeJobs(int n) {
    service_.jobs.clear();
    for (int i = n; i >= 1; --i) {
      v1::JobInfo j;
      j.set_id(absl::StrCat("job-", i));
      j.set_state(i % 2 == 1 ? v1::JOB_STATE_RUNNING : v1::JOB_STATE_SUCCEEDED);
      if (i % 2 == 1) (*j.mutable_spec()->mutable_labels())["team"] = "nlp";
      service_.jobs.push_back(j);
    }
  }

  // Runs `tandem ARGS`; `ids` gets the ID column of the table (--json: the "id" of each job).
  int List(std::vector<std::string> args, std::vector<std::string>* ids, std::string* err) {
    args.insert(args.begin(), "list");
    std::ostringstream out, e;
    const int rc = RunCli(args, out, e, {}, client_.get());
    *err = e.str();
    ids->clear();
    const std::string text = out.str();
    const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    if (json) {
      EXPECT_THAT(text, StartsWith("["));
      for (size_t at = text.find("{\"id\":\""); at != std::string::npos;
           at = text.find("{\"id\":\"", at + 1)) {
        const size_t begin = at + 7;
        ids->push_back(text.substr(begin, text.find('"', begin) - begin));
      }
    } else {
      std::istringstream lines(text);
      std::string line;
      std::getline(lines, line);  // the header
      while (std::getline(lines, line)) ids->push_back(line.substr(0, line.find(' ')));
    }
    return rc;
  }

  std::vector<std::string> Numbered(int from, int to) {  // job-<from> down to job-<to>
    std::vector<std::string> ids;
    for (int i = from; i >= to; --i) ids.push_back(absl::StrCat("job-", i));
    return ids;
  }
};

TEST_F(ListCommandTest, TheNewestHundredByDefaultWithANoteOnStderr) {
  MakeJobs(150);
  std::vector<std::string> ids;
  std::string err;
  ASSERT_EQ(List({}, &ids, &err), kExitOk) << err;
  EXPECT_EQ(ids, Numbered(150, 51));
  EXPECT_EQ(err,
            "tandem: showing the newest 100 of 150 matching jobs; --limit N or --all for more\n");
  ASSERT_EQ(service_.list_requests.size(), 1u);
  EXPECT_EQ(service_.list_requests[0].limit(), 100u);
  EXPECT_TRUE(service_.list_requests[0].summary());
  EXPECT_EQ(service_.list_requests[0].page_token(), "");
  // All of them fit: no note.
  MakeJobs(100);
  ASSERT_EQ(List({}, &ids, &err), kExitOk) << err;
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(err, "");
}

TEST_F(ListCommandTest, LimitCutsTheTableAndTheJsonArray) {
  MakeJobs(150);
  std::vector<std::string> ids;
  std::string err;
  ASSERT_EQ(List({"--limit", "2"}, &ids, &err), kExitOk) << err;
  EXPECT_THAT(ids, ElementsAre("job-150", "job-149"));
  EXPECT_THAT(err, HasSubstr("showing the newest 2 of 150 matching jobs"));
  ASSERT_EQ(List({"--limit=2", "--json"}, &ids, &err), kExitOk) << err;
  EXPECT_THAT(ids, ElementsAre("job-150", "job-149"));
  EXPECT_THAT(err, HasSubstr("showing the newest 2 of 150 matching jobs"));
  ASSERT_EQ(service_.list_requests.size(), 2u);
  EXPECT_EQ(service_.list_requests[1].limit(), 2u);
  EXPECT_FALSE(service_.list_requests[1].summary()) << "--json prints whole jobs";
}

TEST_F(ListCommandTest, AllFollowsThePagesToTheEnd) {
  MakeJobs(150);
  service_.page_cap = 40;  // the coordinator sends fewer than asked for
  std::vector<std::string> ids;
  std::string err;
  ASSERT_EQ(List({"--all"}, &ids, &err), kExitOk) << err;
  EXPECT_EQ(ids, Numbered(150, 1));
  EXPECT_EQ(err, "");
  std::vector<std::string> tokens;
  for (const auto& r : service_.list_requests) {
    EXPECT_EQ(r.limit(), JobClient::kListPageSize);
    tokens.push_back(r.page_token());
  }
  EXPECT_THAT(tokens, ElementsAre("", "40", "80", "120"));
  // --limit asks for what is still missing, page after page.
  service_.list_requests.clear();
  ASSERT_EQ(List({"--limit", "100"}, &ids, &err), kExitOk) << err;
  EXPECT_EQ(ids, Numbered(150, 51));
  std::vector<uint32_t> limits;
  for (const auto& r : service_.list_requests) limits.push_back(r.limit());
  EXPECT_THAT(limits, ElementsAre(100u, 60u, 20u));
}

TEST_F(ListCommandTest, OwnersGetAColumnAndAFilter) {
  MakeJobs(4);
  std::vector<std::string> ids;
  std::string err;
  std::ostringstream out, e;
  ASSERT_EQ(RunCli({"list"}, out, e, {}, client_.get()), kExitOk) << e.str();
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("OWNER")));  // no job has an owner
  for (auto& j : service_.jobs) j.set_owner(j.id() == "job-1" || j.id() == "job-3" ? "alice" : "");
  std::ostringstream out2;
  ASSERT_EQ(RunCli({"list"}, out2, e, {}, client_.get()), kExitOk) << e.str();
  EXPECT_THAT(out2.str(), ::testing::ContainsRegex("ID +NAME +OWNER +STATE"));
  EXPECT_THAT(out2.str(), ::testing::ContainsRegex("job-3 +- +alice +running"));
  EXPECT_THAT(out2.str(), ::testing::ContainsRegex("job-4 +- +- +succeeded"));
  // --owner goes to the coordinator and is applied again here (the fake ignores it).
  service_.list_requests.clear();
  ASSERT_EQ(List({"--owner", "alice"}, &ids, &err), kExitOk) << err;
  EXPECT_THAT(ids, ElementsAre("job-3", "job-1"));
  ASSERT_EQ(service_.list_requests.size(), 1u);
  EXPECT_EQ(service_.list_requests[0].owner(), "alice");
}

TEST_F(ListCommandTest, BadLimitsAndFiltersAreRefusedBeforeAnyCall) {
  MakeJobs(3);
  std::vector<std::string> ids;
  std::string err;
  EXPECT_EQ(List({"--limit", "0"}, &ids, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--limit: expected an integer in 1..1000000, got '0'"));
  EXPECT_EQ(List({"--limit", "x"}, &ids, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--limit: expected an integer in 1..1000000, got 'x'"));
  EXPECT_EQ(List({"--limit", "2", "--all"}, &ids, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--all and --limit"));
  EXPECT_EQ(List({"--state", "Running"}, &ids, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--state: 'Running' is not one of"));
  EXPECT_EQ(List({"--label", "Team"}, &ids, &err), kExitBadInput);
  EXPECT_THAT(err, HasSubstr("--label Team: labels: 'Team' is not a label name"));
  EXPECT_THAT(service_.list_requests, IsEmpty());
}

// The filters go to the coordinator; a coordinator from before them sends every job, and the
// listing is the same.
TEST_F(ListCommandTest, FiltersApplyOnBothSidesOfTheCall) {
  MakeJobs(150);
  for (const bool before_paging : {false, true}) {
    service_.before_paging = before_paging;
    std::vector<std::string> ids;
    std::string err;
    ASSERT_EQ(List({"--state", "running", "--label", "team=nlp", "--limit", "3"}, &ids, &err),
              kExitOk)
        << err;
    EXPECT_THAT(ids, ElementsAre("job-149", "job-147", "job-145")) << before_paging;
    EXPECT_THAT(err, HasSubstr("showing the newest 3 of 75 matching jobs")) << before_paging;
    ASSERT_EQ(List({"--state", "ended"}, &ids, &err), kExitOk) << err;
    EXPECT_EQ(ids.size(), 75u) << before_paging;
    EXPECT_EQ(ids.front(), "job-150");
    EXPECT_EQ(err, "") << before_paging;
    ASSERT_EQ(List({}, &ids, &err), kExitOk) << err;
    EXPECT_EQ(ids, Numbered(150, 51)) << before_paging;
    EXPECT_THAT(err, HasSubstr("showing the newest 100 of 150 matching jobs")) << before_paging;
  }
  const v1::ListJobsRequest& sent = service_.list_requests[0];
  EXPECT_EQ(sent.state(), "running");
  EXPECT_THAT(sent.labels(), ElementsAre("team=nlp"));
  EXPECT_EQ(sent.limit(), 3u);
}

}  // namespace
}  // namespace tandem
