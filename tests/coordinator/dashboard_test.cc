// The dashboard's HTTP side over real sockets on 127.0.0.1: event streams of the HTTP server
// (bounded behind a client that does not read, capped in number and lifetime), and the
// CoordinatorServer's /api/ (the shapes of `tandem --json`, tokens, errors, cancel, the
// stream), and the page itself.
#include "coordinator/dashboard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/proto_json.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/metrics_http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// What the server sends for `request` within `limit` (or until it closes).
std::string ReadFor(int port, const std::string& request, std::chrono::milliseconds limit) {
  const int fd = testing::Connect(port);
  if (fd < 0) return "";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  timeval tv{0, 50'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char buf[4096];
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// A stream that sends `bytes` on every call and counts its calls and its life.
class CountingStream : public HttpEventStream {
 public:
  CountingStream(std::atomic<int>* calls, std::atomic<int>* alive, size_t bytes)
      : calls_(calls), alive_(alive), bytes_(bytes) {
    ++*alive_;
  }
  ~CountingStream() override { --*alive_; }
  std::string Next() override {
    ++*calls_;
    return "data: " + std::string(bytes_, 'x') + "\n\n";
  }

 private:
  std::atomic<int>* calls_;
  std::atomic<int>* alive_;
  size_t bytes_;
};

struct StreamServer {
  std::atomic<int> calls{0};
  std::atomic<int> alive{0};
  std::unique_ptr<MetricsHttpServer> server;

  StreamServer(MetricsHttpOptions options, size_t bytes) {
    auto started = MetricsHttpServer::Start(std::move(options), [this, bytes](const HttpRequest&) {
      HttpResponse res;
      res.content_type = "text/event-stream";
      res.stream = std::make_unique<CountingStream>(&calls, &alive, bytes);
      return res;
    });
    EXPECT_OK(started);
    if (started.ok()) server = std::move(*started);
  }
};

constexpr char kStream[] = "GET /s HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(HttpEventStreamTest, AClientThatDoesNotReadStallsTheStreamAndIsCutAtTheWriteDeadline) {
  MetricsHttpOptions options;
  options.stream_poll = std::chrono::milliseconds(5);
  options.stream_write_deadline = std::chrono::milliseconds(1500);
  StreamServer s(options, 64 * 1024);
  ASSERT_NE(s.server, nullptr);
  const int fd = testing::Connect(s.server->port(), 4096);
  ASSERT_GE(fd, 0);
  ::send(fd, kStream, sizeof(kStream) - 1, MSG_NOSIGNAL);
  // Never read: once the socket buffers are full the server asks for nothing more.
  ASSERT_TRUE(testing::WaitFor([&] { return s.calls > 0; }, std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const int stalled = s.calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(s.calls, stalled) << "the server kept producing for a client that does not read";
  // Only what fits the kernel's buffers was made (5 ms polls for 1.2 s would be ~240 calls).
  EXPECT_LT(stalled, 150);
  // The write that cannot finish ends the connection and frees the stream.
  EXPECT_TRUE(testing::WaitFor([&] { return s.alive == 0; }, std::chrono::seconds(5)));
  ::close(fd);
}

TEST(HttpEventStreamTest, StreamsAreCappedInNumberAndLifetime) {
  MetricsHttpOptions options;
  options.max_streams = 1;
  options.stream_poll = std::chrono::milliseconds(50);
  options.stream_lifetime = std::chrono::milliseconds(1500);
  StreamServer s(options, 10);
  ASSERT_NE(s.server, nullptr);
  const int port = s.server->port();
  std::string first;
  std::thread reader([&] { first = ReadFor(port, kStream, std::chrono::seconds(10)); });
  ASSERT_TRUE(testing::WaitFor([&] { return s.alive == 1; }, std::chrono::seconds(5)));
  EXPECT_THAT(testing::HttpRequest(port, kStream),
              AllOf(StartsWith("HTTP/1.1 503"), HasSubstr("too many event streams")));
  reader.join();  // the server closed it at the end of its lifetime (well before 10 s)
  EXPECT_THAT(first, StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(first, HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(first, Not(HasSubstr("Content-Length")));
  EXPECT_THAT(first, HasSubstr("\r\n\r\ndata: xxxxxxxxxx\n\ndata: xxxxxxxxxx\n\n"));
  EXPECT_TRUE(testing::WaitFor([&] { return s.alive == 0; }, std::chrono::seconds(5)));
  // The slot is free again; HEAD gets the head and no stream.
  EXPECT_THAT(testing::HttpRequest(port, "HEAD /s HTTP/1.1\r\n\r\n"),
              AllOf(StartsWith("HTTP/1.1 200 OK"), HasSubstr("Content-Length: 0")));
}

class EndlessStream : public HttpEventStream {
 public:
  std::string Next() override { return "data: more\n\n"; }
};

// Slow answers (HttpResponse::deferred) run on the server's pool: the event loop answers
// others meanwhile, their number is capped, and a server destroyed while one runs waits for
// it.
TEST(HttpDeferredTest, SlowAnswersRunBesideTheEventLoopAndAreCapped) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  MetricsHttpOptions options;
  options.deferred_threads = 1;
  options.max_deferred = 2;
  options.deadline = std::chrono::milliseconds(20000);
  auto server = MetricsHttpServer::Start(options, [&](const HttpRequest& r) {
    HttpResponse res;
    if (r.path == "/slow") {
      res.deferred = [&, released] {
        ++started;
        released.wait();
        HttpResponse done;
        done.body = "slow done";
        done.stream = std::make_unique<EndlessStream>();  // ignored: one answer
        return done;
      };
    } else {
      res.body = "fast";
    }
    return res;
  });
  ASSERT_OK(server);
  const int port = (*server)->port();
  constexpr char kSlow[] = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string first, second;
  std::thread a([&] { first = testing::HttpRequest(port, kSlow); });
  ASSERT_TRUE(testing::WaitFor([&] { return started == 1; }, std::chrono::seconds(10)));
  std::thread b([&] { second = testing::HttpRequest(port, kSlow); });  // queued behind it
  // The loop is free while the slow answer runs; a third slow one is over the cap.
  EXPECT_THAT(testing::HttpRequest(port, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"),
              AllOf(StartsWith("HTTP/1.1 200"), HasSubstr("\r\n\r\nfast")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // b is queued by now
  EXPECT_THAT(testing::HttpRequest(port, kSlow),
              AllOf(StartsWith("HTTP/1.1 503"), HasSubstr("too many slow requests"),
                    HasSubstr("Retry-After: 2")));
  EXPECT_EQ(started, 1);
  release.set_value();
  a.join();
  b.join();
  for (const std::string& r : {first, second}) {
    EXPECT_THAT(r, AllOf(StartsWith("HTTP/1.1 200"), HasSubstr("Content-Length: 9"),
                         HasSubstr("\r\n\r\nslow done")));
  }
  EXPECT_EQ(started, 2);
}

TEST(HttpDeferredTest, AServerDestroyedWhileASlowAnswerRunsWaitsForIt) {
  std::atomic<bool> finished{false};
  MetricsHttpOptions options;
  auto server = MetricsHttpServer::Start(options, [&](const HttpRequest&) {
    HttpResponse res;
    res.deferred = [&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      finished = true;
      return HttpResponse{};
    };
    return res;
  });
  ASSERT_OK(server);
  const int fd = testing::Connect((*server)->port());
  ASSERT_GE(fd, 0);
  const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server->reset();
  EXPECT_TRUE(finished);
  ::close(fd);
}

TEST(HttpFileTest, FilesAreSentFromDiskHeadGetsTheirLengthAndAMissingOneIs404) {
  testing::TempDir dir;
  std::string big(3 * 1024 * 1024 + 7, 'a');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_OK(WriteFileAtomic(dir.Join("model.ckpt"), big));
  auto server = MetricsHttpServer::Start(MetricsHttpOptions{}, [&](const HttpRequest& r) {
    HttpResponse res;
    res.content_type = "application/octet-stream";
    res.file = dir.path() + r.path;
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"m.ckpt\"");
    return res;
  });
  ASSERT_OK(server);
  const int port = (*server)->port();
  const std::string got = testing::HttpRequest(port, "GET /model.ckpt HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(got, AllOf(StartsWith("HTTP/1.1 200"),
                         HasSubstr("Content-Length: " + std::to_string(big.size())),
                         HasSubstr("Content-Disposition: attachment; filename=\"m.ckpt\"")));
  const size_t body = got.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_TRUE(got.compare(body + 4, std::string::npos, big) == 0) << "the body differs";
  const std::string head =
      testing::HttpRequest(port, "HEAD /model.ckpt HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(head, AllOf(StartsWith("HTTP/1.1 200"),
                          HasSubstr("Content-Length: " + std::to_string(big.size()))));
  EXPECT_EQ(head.size(), head.find("\r\n\r\n") + 4) << "HEAD sent a body";
  EXPECT_THAT(testing::HttpRequest(port, "GET /gone.ckpt HTTP/1.1\r\nHost: x\r\n\r\n"),
              AllOf(StartsWith("HTTP/1.1 404"), HasSubstr("no longer there")));
}

class DashboardApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteToyCorpus(dir_.path(), 400);
    CoordinatorServerOptions o;
    o.coordinator.data_dir = dir_.Join("coord");
    o.coordinator.corpus_roots = {dir_.path()};
    o.coordinator.worker_timeout = std::chrono::seconds(120);
    o.listen = "127.0.0.1:0";
    o.metrics_listen = "127.0.0.1:0";
    o.access.client_tokens = {{"tester", "client-token"}, {"bob", "bob-token"}};
    o.access.read_tokens = {"read-token"};
    o.dashboard_poll = std::chrono::milliseconds(100);
    ASSERT_OK_AND_ASSIGN(server_, CoordinatorServer::Start(o));
    port_ = server_->metrics_port();
  }

  std::string Submit(const std::string& name, const std::string& owner = "") {
    v1::JobSpec s;
    s.set_name(name);
    s.mutable_corpus()->set_train_source(dir_.Join("train.en"));
    s.mutable_corpus()->set_train_target(dir_.Join("train.es"));
    s.mutable_tokenizer()->set_vocab_size(40);
    s.mutable_workers()->set_min(1);
    auto id = server_->coordinator().SubmitJob(s, nullptr, {}, owner);
    EXPECT_OK(id);
    return id.ok() ? *id : "";
  }

  bool WaitForState(const std::string& id, v1::JobState state) {
    return testing::WaitFor([&] { return server_->coordinator().GetJob(id)->state() == state; },
                            std::chrono::seconds(60));
  }

  std::string Get(const std::string& target, const std::string& token = "read-token") {
    return testing::HttpRequest(
        port_, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                   (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
  }
  std::string Post(const std::string& target, const std::string& token,
                   const std::string& more = "") {
    return testing::HttpRequest(port_, "POST " + target +
                                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                                           "Authorization: Bearer " +
                                           token + "\r\n" + more + "\r\n");
  }
  static std::string Body(const std::string& response) {
    const size_t at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
  }

  testing::TempDir dir_;
  std::unique_ptr<CoordinatorServer> server_;
  int port_ = 0;
};

TEST_F(DashboardApiTest, AnswersWithTheShapesOfTandemJsonToReadTokens) {
  const std::string older = Submit("older");
  const std::string newer = Submit("newer");
  ASSERT_TRUE(WaitForState(older, v1::JOB_STATE_WAITING_FOR_WORKERS));
  ASSERT_TRUE(WaitForState(newer, v1::JOB_STATE_WAITING_FOR_WORKERS));
  Coordinator& c = server_->coordinator();
  // Jobs and events first, while no worker is there to be given one of them (a job it was
  // given would gain events between ListEvents and the request); then a worker joins.

  const std::string jobs = Get("/api/jobs");
  EXPECT_THAT(jobs, AllOf(StartsWith("HTTP/1.1 200 OK"), HasSubstr("application/json")));
  v1::ListJobsRequest all;
  all.set_limit(100);
  ASSERT_OK_AND_ASSIGN(auto listed, c.ListJobs(all));
  EXPECT_EQ(Body(jobs), JsonObject(listed));
  EXPECT_LT(Body(jobs).find(newer), Body(jobs).find(older));  // newest first
  ASSERT_OK_AND_ASSIGN(auto job, c.GetJob(older));
  EXPECT_EQ(Body(Get("/api/jobs/" + older)), JsonObject(job));
  ASSERT_OK_AND_ASSIGN(auto events, c.ListEvents(older, 0, 1000));
  EXPECT_EQ(Body(Get("/api/jobs/" + older + "/events")), JsonArray(events));
  EXPECT_THAT(Body(Get("/api/jobs/" + older + "/events?after_seq=" +
                       std::to_string(events.back().seq()))),
              "[]");
  EXPECT_EQ(Body(Get("/api/jobs/" + older + "/metrics")), "[]");
  v1::JoinRequest join;
  join.set_address("127.0.0.1:1001");
  join.set_hostname("box");
  ASSERT_OK(c.Join(join));
  EXPECT_EQ(Body(Get("/api/workers")), JsonArray(c.ListWorkers()));
  EXPECT_THAT(Body(Get("/api/workers")), HasSubstr("\"hostname\":\"box\""));

  // Paging and filters as ListJobs has them.
  const std::string page1 = Body(Get("/api/jobs?limit=1&summary=true"));
  EXPECT_THAT(page1, AllOf(HasSubstr(newer), Not(HasSubstr(older)), HasSubstr("\"total\":2")));
  const size_t t = page1.find("\"next_page_token\":\"") + 19;
  const std::string token = page1.substr(t, page1.find('"', t) - t);
  ASSERT_FALSE(token.empty());
  EXPECT_THAT(Body(Get("/api/jobs?limit=1&page_token=" + token)),
              AllOf(HasSubstr(older), Not(HasSubstr(newer))));
  // (Not "running": the joined worker may already have been given one of them.)
  EXPECT_THAT(Body(Get("/api/jobs?state=succeeded")), HasSubstr("\"jobs\":[]"));
  EXPECT_THAT(Body(Get("/api/jobs?name=older")), AllOf(HasSubstr(older), Not(HasSubstr(newer))));

  // Errors: JSON, with the status that says what went wrong.
  EXPECT_THAT(Get("/api/jobs/..bad"), AllOf(StartsWith("HTTP/1.1 400"), HasSubstr("job id")));
  EXPECT_THAT(Get("/api/jobs/job-nope"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(Get("/api/jobs/job-nope/events"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(Get("/api/jobs?limit=0"),
              AllOf(StartsWith("HTTP/1.1 400"), HasSubstr("limit: expected a whole number")));
  EXPECT_THAT(Get("/api/jobs?page_token=garbage"), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(Get("/api/nothing"), AllOf(StartsWith("HTTP/1.1 404"), HasSubstr("\"code\"")));
  EXPECT_THAT(Get("/api/jobs/" + older + "/cancel"),
              AllOf(StartsWith("HTTP/1.1 405"), HasSubstr("Allow: POST")));
  EXPECT_THAT(Post("/api/jobs", "client-token"), StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(Get("/nowhere"), StartsWith("HTTP/1.1 404"));

  // /metrics is still there, with its own rules.
  EXPECT_THAT(Get("/metrics"), AllOf(StartsWith("HTTP/1.1 200"), HasSubstr("tandem_jobs")));
}

TEST_F(DashboardApiTest, TokensAreCheckedAndOnlyClientTokensCancel) {
  const std::string id = Submit("cancel-me");
  // The page needs no token (it holds no data); the API does.
  const std::string page = Get("/", "");
  EXPECT_THAT(page, AllOf(StartsWith("HTTP/1.1 200 OK"), HasSubstr("text/html"),
                          HasSubstr("<title>Tandem</title>"), HasSubstr("X-Frame-Options: DENY")));
  EXPECT_THAT(Get("/jobs/" + id, ""), AllOf(StartsWith("HTTP/1.1 200 OK"), HasSubstr("<html")));
  EXPECT_THAT(Get("/api/jobs", ""),
              AllOf(StartsWith("HTTP/1.1 401"), HasSubstr("WWW-Authenticate: Bearer"),
                    HasSubstr("\"code\":\"unauthenticated\"")));
  EXPECT_THAT(Get("/api/jobs", "wrong"), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(Get("/api/stream", "wrong"), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(Get("/api/jobs", "client-token"), StartsWith("HTTP/1.1 200"));

  EXPECT_THAT(Post("/api/jobs/" + id + "/cancel", "read-token"),
              AllOf(StartsWith("HTTP/1.1 403"), HasSubstr("needs a client token")));
  EXPECT_THAT(Post("/api/jobs/" + id + "/cancel", "wrong"), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(Post("/api/jobs/" + id + "/cancel", "client-token", "Origin: http://evil.test\r\n"),
              AllOf(StartsWith("HTTP/1.1 403"), HasSubstr("another origin")));
  const std::string cancelled =
      Post("/api/jobs/" + id + "/cancel", "client-token", "Origin: http://127.0.0.1\r\n");
  EXPECT_THAT(cancelled, StartsWith("HTTP/1.1 200"));
  ASSERT_OK_AND_ASSIGN(auto job, server_->coordinator().GetJob(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(Body(cancelled), JsonObject(job));
  EXPECT_THAT(Post("/api/jobs/" + id + "/cancel", "client-token"),
              AllOf(StartsWith("HTTP/1.1 409"), HasSubstr("already ended")));
  EXPECT_THAT(Post("/api/jobs/job-nope/cancel", "client-token"), StartsWith("HTTP/1.1 404"));
}

// A user's client token shows that user's jobs only: the listing, the stream's snapshot and
// every path of one job; a read token shows all.
TEST_F(DashboardApiTest, AUserSeesAndCancelsOnlyItsOwnJobs) {
  const std::string testers = Submit("testers", "tester");
  const std::string bobs = Submit("bobs", "bob");
  const std::string bobs_list = Body(Get("/api/jobs", "bob-token"));
  EXPECT_THAT(bobs_list, AllOf(HasSubstr(bobs), Not(HasSubstr(testers)),
                               HasSubstr("\"owner\":\"bob\"")));
  EXPECT_THAT(Body(Get("/api/jobs", "read-token")), AllOf(HasSubstr(bobs), HasSubstr(testers)));
  for (const std::string path : {"", "/events", "/metrics", "/model", "/translate?q=hola",
                                  "/translate?text=hola&attention=1&heads=1"}) {
    EXPECT_THAT(Get("/api/jobs/" + testers + path, "bob-token"),
                AllOf(StartsWith("HTTP/1.1 403"), HasSubstr("belongs to another user")))
        << path;
  }
  EXPECT_THAT(Get("/api/jobs/" + bobs, "bob-token"), StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(Get("/api/stream?job=" + testers, "bob-token"), StartsWith("HTTP/1.1 403"));
  EXPECT_THAT(Post("/api/jobs/" + testers + "/cancel", "bob-token"),
              AllOf(StartsWith("HTTP/1.1 403"), HasSubstr("belongs to another user")));
  ASSERT_OK_AND_ASSIGN(auto job, server_->coordinator().GetJob(testers));
  EXPECT_NE(job.state(), v1::JOB_STATE_CANCELLED);
  const std::string stream =
      ReadFor(port_, "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                     "bob-token\r\n\r\n",
              std::chrono::milliseconds(1200));
  EXPECT_THAT(stream, AllOf(HasSubstr("event: snapshot"), HasSubstr(bobs), Not(HasSubstr(testers))));
  EXPECT_THAT(Post("/api/jobs/" + bobs + "/cancel", "bob-token"), StartsWith("HTTP/1.1 200"));
}

TEST_F(DashboardApiTest, TheStreamPushesSnapshotsAndAJobsNews) {
  const std::string id = Submit("streamed");
  const std::string auth = "Host: 127.0.0.1\r\nAuthorization: Bearer read-token\r\n\r\n";
  const std::string all =
      ReadFor(port_, "GET /api/stream HTTP/1.1\r\n" + auth, std::chrono::milliseconds(1500));
  EXPECT_THAT(all, AllOf(StartsWith("HTTP/1.1 200 OK"), HasSubstr("text/event-stream"),
                         HasSubstr("retry: 2000\n\n"), HasSubstr("event: snapshot\ndata: {"),
                         HasSubstr("\"now_unix_ms\":"), HasSubstr(id)));
  const std::string one = ReadFor(port_, "GET /api/stream?job=" + id + " HTTP/1.1\r\n" + auth,
                                  std::chrono::milliseconds(1500));
  EXPECT_THAT(one, AllOf(HasSubstr("event: job\ndata: {\"id\":\"" + id),
                         HasSubstr("event: events\ndata: [{"), HasSubstr("\"kind\":\"submitted\"")));
  EXPECT_THAT(ReadFor(port_, "GET /api/stream?job=job-nope HTTP/1.1\r\n" + auth,
                      std::chrono::milliseconds(800)),
              HasSubstr("event: failure\ndata: {\"code\":\"not_found\""));
  EXPECT_THAT(Get("/api/stream?after_seq=x"), StartsWith("HTTP/1.1 400"));
}

// The model's files and the kept checkpoints: listed, then sent as they are on disk, to a
// read token; names outside the listed ones are 404 (no path from the URL reaches the disk).
TEST_F(DashboardApiTest, ModelFilesAndKeptCheckpointsAreListedAndDownloaded) {
  const std::string id = Submit("files");
  ASSERT_TRUE(WaitForState(id, v1::JOB_STATE_WAITING_FOR_WORKERS));
  const std::string base = "/api/jobs/" + id;
  const std::string none = Get(base + "/model");
  EXPECT_THAT(none, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(Body(none), Not(HasSubstr("model.ckpt")));
  EXPECT_THAT(Get(base + "/model/model.ckpt"),
              AllOf(StartsWith("HTTP/1.1 409"), HasSubstr("no checkpoint yet")));
  // The real model server behind translate says the same.
  EXPECT_THAT(Get(base + "/translate?text=hola"),
              AllOf(StartsWith("HTTP/1.1 409"), HasSubstr("no checkpoint yet")));

  const std::string dir = server_->coordinator().JobDir(id) + "/checkpoints";
  ASSERT_OK(MakeDirs(dir));
  ASSERT_OK(WriteFileAtomic(dir + "/" + CheckpointFileName(10), "ten"));
  ASSERT_OK(WriteFileAtomic(dir + "/" + CheckpointFileName(20), "twenty"));
  const std::string listed = Body(Get(base + "/model"));
  EXPECT_THAT(listed, AllOf(HasSubstr("{\"file\":\"model.ckpt\",\"bytes\":6}"),
                            HasSubstr("\"file\":\"source.model\""),
                            HasSubstr("\"file\":\"job.json\""),
                            HasSubstr("\"model\":\"checkpoint\""), HasSubstr("\"model_step\":20")));
  EXPECT_LT(listed.find("\"step\":10"), listed.find("\"step\":20")) << listed;

  const std::string model = Get(base + "/model/model.ckpt");
  EXPECT_THAT(model, AllOf(StartsWith("HTTP/1.1 200"), HasSubstr("application/octet-stream"),
                           HasSubstr("filename=\"" + id + "-model.ckpt\"")));
  EXPECT_EQ(Body(model), "twenty");
  EXPECT_EQ(Body(Get(base + "/checkpoints/10")), "ten");
  EXPECT_THAT(Get(base + "/checkpoints/10"), HasSubstr("filename=\"" + id + "-step-10.ckpt\""));
  EXPECT_THAT(Get(base + "/checkpoints/15"),
              AllOf(StartsWith("HTTP/1.1 404"), HasSubstr("keeps no checkpoint of step 15")));
  EXPECT_THAT(Get(base + "/checkpoints/ten"),
              AllOf(StartsWith("HTTP/1.1 400"), HasSubstr("expected a step number")));
  for (const char* name : {"secret.key", "..%2F..%2Fstate.db", "%2Fetc%2Fpasswd", "model"}) {
    EXPECT_THAT(Get(base + "/model/" + name), StartsWith("HTTP/1.1 404")) << name;
  }
  EXPECT_THAT(Get(base + "/model/model.ckpt/more"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(Get(base + "/model/model.ckpt", "wrong"), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(Get(base + "/model", ""), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(Get("/api/jobs/job-nope/model"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(Get("/api/jobs/job-nope/checkpoints/10"), StartsWith("HTTP/1.1 404"));
}

// A Dashboard over a coordinator of its own, without an HTTP server: requests go straight to
// Handle().
class DashboardTest : public ::testing::Test {
 protected:
  void Start(DashboardOptions options) {
    CoordinatorOptions o;
    o.data_dir = dir_.Join("coord");
    ASSERT_OK_AND_ASSIGN(coordinator_, Coordinator::Create(o));
    dashboard_ = std::make_unique<Dashboard>(coordinator_.get(), &access_, options);
  }
  HttpResponse Get(const std::string& target, const std::string& host = "127.0.0.1") {
    HttpRequest r;
    r.method = "GET";
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.host = host;
    return dashboard_->Handle(r);
  }

  testing::TempDir dir_;
  std::unique_ptr<Coordinator> coordinator_;
  AccessControl access_{AccessOptions{}};
  std::unique_ptr<Dashboard> dashboard_;
};

TEST_F(DashboardTest, TheApiIsClosedWhereItWouldNeedATokenButNoneIsConfigured) {
  DashboardOptions options;
  options.api_allowed = false;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const HttpResponse res = Get("/api/jobs");
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("--client_token_file"));
  EXPECT_EQ(Get("/").status, 200);
}

// Open on loopback without tokens, the API answers only to loopback Host names: a page of
// another site whose name resolves to 127.0.0.1 (DNS rebinding) reads nothing.
TEST_F(DashboardTest, WithoutTokensTheApiAnswersOnlyLoopbackHostNames) {
  DashboardOptions options;
  options.loopback_hosts_only = true;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  for (const char* host : {"127.0.0.1:7401", "127.0.0.1", "localhost:7401", "LOCALHOST",
                           "[::1]:7401", "127.5.6.7:80"}) {
    EXPECT_EQ(Get("/api/jobs", host).status, 200) << host;
  }
  for (const char* host : {"evil.example:7401", "", "127.evil.example", "[::1", "10.0.0.1:7401",
                           "localhost.evil.example", "unix:80", "127.0.0.1.evil.example:80"}) {
    const HttpResponse res = Get("/api/jobs", host);
    EXPECT_EQ(res.status, 403) << host;
    EXPECT_THAT(res.body, HasSubstr("not a loopback address")) << host;
  }
}

// The translate box's request: sentences, beam and attention from the query, checked before
// the model server is asked, which runs as a slow answer (off the event loop).
TEST_F(DashboardTest, TranslateTakesItsSentencesFromTheQueryAndRunsAsASlowAnswer) {
  std::vector<v1::TranslateRequest> asked;
  DashboardOptions options;
  options.translate = [&](const v1::TranslateRequest& r) -> absl::StatusOr<v1::TranslateResponse> {
    asked.push_back(r);
    if (r.sentences(0) == "fail") {
      return absl::FailedPreconditionError("job x has no checkpoint yet");
    }
    v1::TranslateResponse out;
    out.set_model("final");
    out.set_model_step(7);
    for (const std::string& sentence : r.sentences()) {
      v1::Translation* t = out.add_translations();
      t->set_text("<" + sentence + ">");
      t->add_source_pieces("s");
      t->add_target_pieces("t");
      t->add_weights(1.0f);
    }
    return out;
  };
  ASSERT_NO_FATAL_FAILURE(Start(options));
  HttpResponse res = Get("/api/jobs/job-1/translate?text=a+b&text=%C3%A9%26c&beam=3&attention=1");
  ASSERT_TRUE(res.deferred) << res.status << " " << res.body;
  EXPECT_TRUE(asked.empty()) << "translated on the event loop";
  const HttpResponse done = res.deferred();
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.content_type, "application/json");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].job_id(), "job-1");
  EXPECT_THAT(asked[0].sentences(), ::testing::ElementsAre("a b", "\xC3\xA9&c"));
  EXPECT_EQ(asked[0].beam_size(), 3u);
  EXPECT_TRUE(asked[0].attention());
  EXPECT_THAT(done.body, AllOf(HasSubstr("\"text\":\"<a b>\""), HasSubstr("\"model\":\"final\""),
                               HasSubstr("\"weights\":[1")));
  // Defaults: beam 5, no attention.
  Get("/api/jobs/job-1/translate?text=x").deferred();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[1].beam_size(), 5u);
  EXPECT_FALSE(asked[1].attention());
  EXPECT_FALSE(asked[1].has_length_penalty());
  EXPECT_EQ(asked[1].n_best(), 1u);
  EXPECT_FALSE(asked[1].replace_unk());
  EXPECT_FALSE(asked[1].bf16());
  EXPECT_FALSE(asked[1].int8());
  // The decoding options of `tandem translate`.
  Get("/api/jobs/job-1/translate?text=x&n_best=3&length_penalty=0.6&replace_unk=1&bf16=1&int8=1")
      .deferred();
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[2].n_best(), 3u);
  EXPECT_DOUBLE_EQ(asked[2].length_penalty(), 0.6);
  EXPECT_TRUE(asked[2].replace_unk());
  EXPECT_TRUE(asked[2].bf16());
  EXPECT_TRUE(asked[2].int8());
  // The model server's refusal, with its status.
  const HttpResponse refused = Get("/api/jobs/job-1/translate?text=fail").deferred();
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr("no checkpoint yet"));

  // Bad requests never reach the model server.
  std::string seventeen = "/api/jobs/job-1/translate?";
  for (int i = 0; i < kMaxDashboardSentences + 1; ++i) seventeen += "text=a&";
  for (const auto& [target, says] : std::vector<std::pair<std::string, std::string>>{
           {"/api/jobs/job-1/translate", "text: give a sentence"},
           {"/api/jobs/job-1/translate?beam=2", "text: give a sentence"},
           {seventeen, "at most 16 sentences"},
           {"/api/jobs/job-1/translate?text=a&beam=0",
            "beam: expected a whole number from 1 to 64"},
           {"/api/jobs/job-1/translate?text=a&beam=65", "beam"},
           {"/api/jobs/job-1/translate?text=a&attention=maybe", "attention: expected 1 or 0"},
           {"/api/jobs/job-1/translate?text=a&replace_unk=yes", "replace_unk: expected 1 or 0"},
           {"/api/jobs/job-1/translate?text=a&int8=2", "int8: expected 1 or 0"},
           {"/api/jobs/job-1/translate?text=a&n_best=0", "n_best: expected a whole number"},
           {"/api/jobs/job-1/translate?text=a&length_penalty=long",
            "length_penalty: expected a number"},
           {"/api/jobs/..bad/translate?text=a", "job id"}}) {
    const HttpResponse bad = Get(target);
    EXPECT_FALSE(bad.deferred) << target;
    EXPECT_EQ(bad.status, 400) << target;
    EXPECT_THAT(bad.body, HasSubstr(says)) << target;
  }
  EXPECT_EQ(asked.size(), 4u);
}

// heads=1 (with attention=1) asks the model server for each head's attention
// (TranslateRequest.heads), which the translate box's head selector draws; a bad value or
// heads without attention never reaches it.
TEST_F(DashboardTest, TranslateAsksForEachHeadsAttentionWithHeads) {
  std::vector<v1::TranslateRequest> asked;
  DashboardOptions options;
  options.translate = [&](const v1::TranslateRequest& r) -> absl::StatusOr<v1::TranslateResponse> {
    asked.push_back(r);
    v1::TranslateResponse out;
    v1::Translation* t = out.add_translations();
    t->set_text("t");
    t->add_source_pieces("s");
    t->add_target_pieces("t");
    t->add_weights(1.0f);
    if (r.heads()) {
      t->set_head_count(2);
      t->add_head_weights(1.0f);
      t->add_head_weights(1.0f);
    }
    return out;
  };
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const HttpResponse done =
      Get("/api/jobs/job-1/translate?text=a&attention=1&heads=1").deferred();
  EXPECT_EQ(done.status, 200);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_TRUE(asked[0].attention());
  EXPECT_TRUE(asked[0].heads());
  EXPECT_THAT(done.body, AllOf(HasSubstr("\"head_weights\":[1,1]"), HasSubstr("\"head_count\":2")));
  Get("/api/jobs/job-1/translate?text=a&attention=1").deferred();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_FALSE(asked[1].heads()) << "each head only when asked";
  for (const auto& [target, says] : std::vector<std::pair<std::string, std::string>>{
           {"/api/jobs/job-1/translate?text=a&heads=1", "heads: each head's attention comes "
                                                        "with attention=1"},
           {"/api/jobs/job-1/translate?text=a&attention=1&heads=2", "heads: expected 1 or 0"},
           {"/api/jobs/job-1/translate?text=a&attention=1&heads=all", "heads: expected 1 or 0"}}) {
    const HttpResponse bad = Get(target);
    EXPECT_FALSE(bad.deferred) << target;
    EXPECT_EQ(bad.status, 400) << target;
    EXPECT_THAT(bad.body, HasSubstr(says)) << target;
  }
  EXPECT_EQ(asked.size(), 2u);
  // The page asks for them and draws a head selector when a translation has several.
  EXPECT_THAT(DashboardPage(), AllOf(HasSubstr("&attention=1&heads=1"), HasSubstr("head-select"),
                                     HasSubstr("t.head_weights.slice(")));
}

TEST_F(DashboardTest, TranslateWithoutAModelServerIs501) {
  ASSERT_NO_FATAL_FAILURE(Start(DashboardOptions{}));
  const HttpResponse res = Get("/api/jobs/job-1/translate?text=a");
  EXPECT_EQ(res.status, 501);
  EXPECT_THAT(res.body, HasSubstr("without translation"));
}

}  // namespace
}  // namespace tandem
