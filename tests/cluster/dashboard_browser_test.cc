// The dashboard in a real browser: a tandem-coordinator with a client and a read token and
// its HTTP port on 127.0.0.1, a tandem-worker training a small job, and headless Chromium
// (Debian's `chromium`, which scripts/install-deps.sh installs) opening the pages as a person
// would (tests/cluster/dashboard_browser.py drives it over the DevTools protocol, standard
// library Python only): the job is listed and its step advances while the page stays open
// (no reload); the job's page draws its curves and its generations; a worker killed mid-job
// shows in the generations timeline; a sentence typed into the translate box comes back with
// its attention heatmap; the checkpoints are listed for download; a wrong token sees nothing.
// The screenshots are kept under build/test-output/dashboard/ (TANDEM_TEST_OUTPUT overrides).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <csignal>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/cluster/cluster_fixture.h"

namespace tandem::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kClientToken[] = "dashboard-client-token-0123456789";
constexpr char kReadToken[] = "dashboard-read-token-0123456789";

std::string Chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

std::string OutputDir() {
  const char* env = std::getenv("TANDEM_TEST_OUTPUT");
  const std::string dir = env != nullptr && *env != '\0'
                              ? std::string(env)
                              : std::string(TANDEM_BIN_DIR) + "/../test-output/dashboard";
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty()) ::mkdir(partial.c_str(), 0755);
    }
    if (i < dir.size()) partial += dir[i];
  }
  return dir;
}

class DashboardBrowserTest : public ClusterFixture {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed: scripts/install-deps.sh installs it "
                      "(apt-get install --no-install-recommends chromium); this test needs a "
                      "real browser";
    }
    WriteToyCorpus(dir_.path(), 1500);
    WriteText(dir_.Join("client.token"), kClientToken);
    WriteText(dir_.Join("read.token"), kReadToken);
    coordinator_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            BinDir() + "/tandem-coordinator", "--data_dir=" + dir_.Join("coord"),
            "--listen=127.0.0.1:0", "--port_file=" + dir_.Join("port"), "--heartbeat_ms=200",
            "--worker_timeout_ms=" + std::to_string(kWorkerTimeoutMs),
            "--metrics_listen=127.0.0.1:0", "--client_token_file=" + dir_.Join("client.token"),
            "--read_token_file=" + dir_.Join("read.token")},
        dir_.Join("coordinator.log"));
    ASSERT_TRUE(WaitFor([&] { return !ReadText(dir_.Join("port")).empty(); },
                        std::chrono::seconds(20)))
        << ReadText(dir_.Join("coordinator.log"));
    port_ = std::stoi(ReadText(dir_.Join("port")));
    address_ = "127.0.0.1:" + std::to_string(port_);
    client_ = std::make_unique<JobClient>(address_, std::chrono::seconds(5), TransportSecurity{},
                                          kClientToken);
    std::smatch m;
    const std::string log = ReadText(dir_.Join("coordinator.log"));
    ASSERT_TRUE(std::regex_search(log, m, std::regex("the dashboard on (http://[0-9.:]+)/")))
        << log;
    url_ = m[1];
    out_ = OutputDir();
  }

  static void WriteText(const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }

  // Opens `path` (with `token` in the fragment, which the page keeps for the tab) and keeps
  // it open for `seconds` (dashboard_browser.py drives Chromium over the DevTools pipe);
  // returns the DOM then, and keeps it and a screenshot as `name`.{html,png}.
  // `steps`: what a person does then (dashboard_browser.py's STEPS, JSON).
  std::string Open(const std::string& path, const std::string& token, const std::string& name,
                   int seconds = 5, const std::string& steps = "[]") {
    ChildProcess browser({"/usr/bin/python3",
                          std::string(TANDEM_SOURCE_DIR) + "/tests/cluster/dashboard_browser.py",
                          chromium_, url_ + path + "#token=" + token, std::to_string(seconds),
                          out_ + "/" + name, dir_.Join("chromium-" + name), steps},
                         dir_.Join("browser-" + name + ".log"));
    EXPECT_EQ(browser.Wait(std::chrono::seconds(120)), 0)
        << ReadText(dir_.Join("browser-" + name + ".log"));
    return ReadText(out_ + "/" + name + ".html");
  }

  static uint64_t Attribute(const std::string& dom, const std::string& id,
                            const std::string& attr) {
    std::smatch m;
    if (!std::regex_search(dom, m,
                           std::regex("<tr class=\"job\" data-id=\"" + id + "\"[^>]* " + attr +
                                      "=\"([0-9]+)\""))) {
      return 0;
    }
    return std::stoull(m[1]);
  }

  std::string chromium_;
  std::string url_;
  std::string out_;
};

TEST_F(DashboardBrowserTest, WhatAPersonChecksWorksInARealBrowser) {
  auto w1 = StartWorker("w1");
  auto w2 = StartWorker("w2");
  v1::JobSpec spec = TinySpec(100000, 20);
  spec.set_name("browser-demo");
  spec.mutable_workers()->set_min(1);
  spec.mutable_workers()->set_max(2);
  spec.mutable_corpus()->set_valid_source(dir_.Join("train.en"));
  spec.mutable_corpus()->set_valid_target(dir_.Join("train.es"));
  spec.mutable_training()->set_validation_interval_steps(40);
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(spec));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto job = client_->Get(id);
        return job.ok() && job->progress().step() >= 5 && job->assignments_size() == 2;
      },
      std::chrono::seconds(120)))
      << ReadText(dir_.Join("coordinator.log"));

  // The cluster page: the worker and the job, and the job's step moving while it is open.
  const std::string cluster = Open("/", kReadToken, "cluster");
  EXPECT_THAT(cluster, HasSubstr("<span id=\"conn\" class=\"live\">live</span>"));
  EXPECT_THAT(cluster, HasSubstr("<tr class=\"worker\">"));
  EXPECT_THAT(cluster, HasSubstr("browser-demo"));
  EXPECT_THAT(cluster, HasSubstr("<span class=\"state running\">running</span>"));
  const uint64_t first = Attribute(cluster, id, "data-first-step");
  const uint64_t last = Attribute(cluster, id, "data-step");
  EXPECT_GT(first, 0u) << cluster;
  EXPECT_GT(last, first) << "the step did not advance while the page was open";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(cluster, m, std::regex("data-snapshots=\"([0-9]+)\"")));
  EXPECT_GE(std::stoi(m[1]), 2) << "one snapshot only: the page did not update";

  // The job's page: its summary, curves, ranks and generations.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto job = client_->Get(id);
        return job.ok() && job->progress().valid_step() > 0;
      },
      std::chrono::seconds(120)));
  const std::string job = Open("/jobs/" + id, kReadToken, "job");
  EXPECT_THAT(job, HasSubstr("<span id=\"conn\" class=\"live\">live</span>"));
  EXPECT_THAT(job, HasSubstr("<td class=\"num\" id=\"step\">"));
  EXPECT_THAT(job, HasSubstr("<svg width=\"420\" height=\"220\" class=\"chart\">"));
  EXPECT_THAT(job, HasSubstr("<path d=\"M"));
  EXPECT_THAT(job, HasSubstr("<td>assigned</td>"));
  EXPECT_THAT(job, HasSubstr("<button id=\"cancel\">Cancel job</button>"));

  // A worker killed mid-job: the job goes on with the other, and the generations timeline
  // says who left. Then a sentence typed into the translate box comes back with a heatmap
  // (from the newest checkpoint), and the checkpoints are listed for download.
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo before, client_->Get(id));
  std::string victim;
  for (const auto& a : before.assignments()) {
    if (a.rank() == 1) victim = a.worker_id();
  }
  ASSERT_FALSE(victim.empty());
  // The worker process that holds rank 1: the one whose log names its id.
  (ReadText(dir_.Join("w2.log")).find(victim) != std::string::npos ? w2 : w1)->Kill(SIGKILL);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto job = client_->Get(id);
        return job.ok() && job->generation() > before.generation() &&
               job->assignments_size() == 1 && job->progress().step() > before.progress().step() &&
               job->progress().checkpoint_step() > 0 && HasEvent(id, "resumed");
      },
      std::chrono::seconds(120)))
      << Job(id).DebugString();
  const std::string corpus = ReadText(dir_.Join("train.en"));
  const std::string sentence = corpus.substr(0, corpus.find('\n'));
  const std::string steps =
      "[{\"type\": [\"#translate-input\", \"" + sentence +
      "\"]}, {\"click\": \"#translate-go\"}, {\"wait\": 6}]";
  const std::string after = Open("/jobs/" + id, kReadToken, "job-after-kill", 4, steps);
  std::smatch g;
  ASSERT_TRUE(std::regex_search(
      after, g, std::regex("<tr class=\"generation\" data-generation=\"([0-9]+)\">")))
      << after;
  EXPECT_EQ(std::stoull(g[1]), Job(id).generation()) << "the newest generation comes first";
  EXPECT_THAT(after, HasSubstr("<td class=\"left-workers error\">" + victim + "</td>"));
  // Whichever noticed first: the survivor's broken all-reduce or the missed heartbeats.
  EXPECT_THAT(after, ::testing::AnyOf(HasSubstr("<td>collective_failure</td>"),
                                      HasSubstr("<td>member_lost</td>")));
  EXPECT_THAT(after, HasSubstr("<b class=\"translated\">"));
  EXPECT_THAT(after, HasSubstr("class=\"heatmap\""));
  EXPECT_THAT(after, HasSubstr("<rect x="));
  EXPECT_THAT(after, Not(HasSubstr("<select class=\"head-select\"")))
      << "an RNN has one attention map";
  EXPECT_THAT(after, HasSubstr("<tr class=\"checkpoint\">"));
  EXPECT_THAT(after, HasSubstr("Newest checkpoint at step"));
  EXPECT_THAT(after, Not(HasSubstr("class=\"error\"")));

  // A wrong token: the page asks for another and shows no data.
  const std::string refused = Open("/", "not-the-token-at-all", "wrong-token", 3);
  EXPECT_THAT(refused, HasSubstr("The token was not accepted"));
  EXPECT_THAT(refused, Not(HasSubstr("browser-demo")));
  EXPECT_THAT(refused, Not(HasSubstr("<tr class=\"job\"")));

  ASSERT_OK(client_->Cancel(id));
  std::cerr << "screenshots: " << out_ << "/{cluster,job,job-after-kill,wrong-token}.png\n";
}

// A transformer's translation in the translate box comes with a head selector (the average,
// then each head); picking a head redraws the heatmap with that head's map.
TEST_F(DashboardBrowserTest, ATransformersHeatmapHasAHeadSelector) {
  auto w1 = StartWorker("w1");
  v1::JobSpec spec = TinySpec(100000, 10);
  spec.set_name("browser-heads");
  auto& m = *spec.mutable_model();
  m.set_architecture("transformer");
  m.clear_attention();
  m.clear_cell();
  m.set_heads(4);
  spec.mutable_workers()->set_min(1);
  spec.mutable_workers()->set_max(1);
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(spec));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto job = client_->Get(id);
        return job.ok() && job->progress().checkpoint_step() > 0;
      },
      std::chrono::seconds(120)))
      << ReadText(dir_.Join("coordinator.log"));
  const std::string corpus = ReadText(dir_.Join("train.en"));
  const std::string sentence = corpus.substr(0, corpus.find('\n'));
  const std::string steps = "[{\"type\": [\"#translate-input\", \"" + sentence +
                            "\"]}, {\"click\": \"#translate-go\"}, {\"wait\": 6}, "
                            "{\"select\": [\"#translate-head-0\", \"2\"]}, {\"wait\": 1}]";
  const std::string page = Open("/jobs/" + id, kReadToken, "job-heads", 4, steps);
  EXPECT_THAT(page, HasSubstr("<b class=\"translated\">"));
  EXPECT_THAT(page, HasSubstr("<select class=\"head-select\" id=\"translate-head-0\">"));
  EXPECT_THAT(page, HasSubstr(">average of 4 heads</option>"));
  EXPECT_THAT(page, HasSubstr("<option value=\"4\">head 4</option>"));
  EXPECT_THAT(page, HasSubstr("class=\"heatmap\" data-head=\"2\""));
  EXPECT_THAT(page, Not(HasSubstr("class=\"error\"")));

  // The CLI through the same coordinator: `tandem attention --head N`, and a head it lacks.
  auto attention = [&](const std::string& head, const std::string& log) {
    ChildProcess cli({BinDir() + "/tandem", "attention", "--job", id, "-o", dir_.Join("head.svg"),
                      "--head", head, "--coordinator", address_, "--token_file",
                      dir_.Join("client.token"), sentence},
                     dir_.Join(log));
    return cli.Wait(std::chrono::seconds(60));
  };
  EXPECT_EQ(attention("3", "head3.out"), 0) << ReadText(dir_.Join("head3.out"));
  EXPECT_THAT(ReadText(dir_.Join("head3.out")), HasSubstr("(attention heatmap, head 3 of 4: "));
  EXPECT_THAT(ReadText(dir_.Join("head.svg")), HasSubstr("(head 3 of 4)"));
  EXPECT_EQ(attention("5", "head5.out"), 2);  // bad input
  EXPECT_THAT(ReadText(dir_.Join("head5.out")),
              HasSubstr("--head 5 is out of range: the model has 4 attention heads (--head 1..4)"));
  ASSERT_OK(client_->Cancel(id));
  std::cerr << "screenshot: " << out_ << "/job-heads.png\n";
}

}  // namespace
}  // namespace tandem::testing
