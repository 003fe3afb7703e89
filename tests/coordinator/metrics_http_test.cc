// The Prometheus endpoint over real sockets on 127.0.0.1: the HTTP server alone (paths,
// methods, tokens, and hostile clients: slow, trickling, oversized, malformed, too many), and
// as the CoordinatorServer serves it: HTTPS with the coordinator's certificate, scrape-only
// tokens, refusals counted, and the rules for listening off loopback.
#include "coordinator/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "client/job_client.h"
#include "common/secrets.h"
#include "coordinator/coordinator_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::StatusIs;

constexpr char kGet[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

// Whether the server closed `fd` within `limit` (recv sees the end of the stream).
bool ClosedWithin(int fd, std::chrono::milliseconds limit) {
  timeval tv{0, 50'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  const auto end = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  while (std::chrono::steady_clock::now() < end) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
  }
  return false;
}

std::unique_ptr<MetricsHttpServer> StartServer(MetricsHttpOptions options,
                                               std::atomic<int>* renders) {
  auto server = MetricsHttpServer::Start(std::move(options), [renders] {
    ++*renders;
    return std::string("tandem_up 1\n");
  });
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(MetricsHttpServerTest, ServesMetricsAndRefusesOtherPathsAndMethods) {
  std::atomic<int> renders{0};
  auto server = StartServer({}, &renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  ASSERT_GT(port, 0);
  EXPECT_FALSE(server->tls());
  const std::string ok = testing::HttpRequest(port, kGet);
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(ok, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("Connection: close"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\ntandem_up 1\n"));
  EXPECT_THAT(testing::HttpRequest(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
              StartsWith("HTTP/1.0 200 OK"));
  // HEAD: the length GET would send, and no body.
  const std::string head = testing::HttpRequest(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_THAT(head, HasSubstr("Content-Length: 12\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("tandem_up")));
  EXPECT_THAT(testing::HttpRequest(port, "GET /other HTTP/1.1\r\n\r\n"),
              ::testing::AllOf(StartsWith("HTTP/1.1 404"), HasSubstr("try /metrics")));
  EXPECT_THAT(testing::HttpRequest(port, "DELETE /metrics HTTP/1.1\r\n\r\n"),
              ::testing::AllOf(StartsWith("HTTP/1.1 405"), HasSubstr("Allow: GET, HEAD")));
  EXPECT_EQ(renders, 3);

  EXPECT_THAT(MetricsHttpServer::Start({"not-an-ip", 0}, [] { return std::string(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'not-an-ip'")));
  MetricsHttpOptions taken;
  taken.port = port;
  EXPECT_THAT(MetricsHttpServer::Start(taken, [] { return std::string(); }),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("for metrics")));
  MetricsHttpOptions bad_tls;
  bad_tls.cert_pem = "not a certificate";
  bad_tls.key_pem = "not a key";
  EXPECT_THAT(MetricsHttpServer::Start(bad_tls, [] { return std::string(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not usable")));
}

TEST(MetricsHttpServerTest, MalformedOversizedAndBodiedRequestsGet400AndTheServerGoesOn) {
  std::atomic<int> renders{0};
  auto server = StartServer({}, &renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  EXPECT_THAT(testing::HttpRequest(port, "BLAH\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  const std::string huge =
      "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_THAT(testing::HttpRequest(port, huge),
              ::testing::AllOf(StartsWith("HTTP/1.1 400"), HasSubstr("header limit")));
  const std::string many_headers = "GET /metrics HTTP/1.1\r\n" + [] {
    std::string h;
    for (int i = 0; i < 2000; ++i) h += "X-" + std::to_string(i) + ": y\r\n";
    return h;
  }() + "\r\n";
  EXPECT_THAT(testing::HttpRequest(port, many_headers), StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(testing::HttpRequest(port, "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(testing::HttpRequest(port, "GET /metrics HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"),
              StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(renders, 0);
  EXPECT_THAT(testing::HttpRequest(port, kGet), StartsWith("HTTP/1.1 200 OK"));
}

TEST(MetricsHttpServerTest, ASlowClientHoldsNoThreadAndIsCutAtTheDeadline) {
  std::atomic<int> renders{0};
  MetricsHttpOptions options;
  options.deadline = std::chrono::milliseconds(600);
  auto server = StartServer(options, &renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();

  // A client that trickles a byte every 50 ms never finishes its head: a per-read timeout
  // would keep it forever; the deadline for the whole connection cuts it.
  const int slow = testing::Connect(port);
  ASSERT_GE(slow, 0);
  const std::string request = std::string("GET /metrics HTTP/1.1\r\n") + std::string(400, 'x');
  std::atomic<bool> cut{false};
  std::thread trickle([&] {
    for (char ch : request) {
      if (::send(slow, &ch, 1, MSG_NOSIGNAL) != 1) {
        cut = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // 20 s for all of it
    }
  });
  // Meanwhile other scrapes are answered (a blocked server would time HttpRequest out).
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(testing::HttpRequest(port, kGet), StartsWith("HTTP/1.1 200 OK"));
  }
  EXPECT_TRUE(ClosedWithin(slow, std::chrono::seconds(10)));
  ::shutdown(slow, SHUT_RDWR);  // ends the trickle if it had not noticed yet
  trickle.join();
  ::close(slow);

  // A client that connects and says nothing is cut too.
  const int idle = testing::Connect(port);
  ASSERT_GE(idle, 0);
  EXPECT_TRUE(ClosedWithin(idle, std::chrono::seconds(10)));
  ::close(idle);
  EXPECT_EQ(renders, 3);
}

TEST(MetricsHttpServerTest, ConnectionsBeyondTheLimitAreClosedAtAccept) {
  std::atomic<int> renders{0};
  MetricsHttpOptions options;
  options.max_connections = 2;
  options.deadline = std::chrono::seconds(60);
  auto server = StartServer(options, &renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  const int a = testing::Connect(port), b = testing::Connect(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  // Both are accepted and held (open, silent); a third is closed at once.
  ASSERT_TRUE(testing::WaitFor(
      [&] { return testing::HttpRequest(port, kGet).empty(); }, std::chrono::seconds(10)));
  ::close(a);
  ::close(b);
  // Freed slots serve again.
  EXPECT_TRUE(testing::WaitFor(
      [&] { return testing::HttpRequest(port, kGet).rfind("HTTP/1.1 200", 0) == 0; },
      std::chrono::seconds(10)));
}

TEST(MetricsHttpServerTest, AuthorizeSeesTheBearerTokenAndRefusalsRenderNothing) {
  std::atomic<int> renders{0};
  std::vector<std::string> seen;
  MetricsHttpOptions options;
  options.authorize = [&seen](const std::string& peer, const std::string& bearer) {
    EXPECT_THAT(peer, StartsWith("127.0.0.1:"));
    seen.push_back(bearer);
    return bearer == "s3cret" ? absl::OkStatus() : absl::UnauthenticatedError("no entry");
  };
  auto server = StartServer(options, &renders);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  const std::string none = testing::HttpRequest(port, kGet);
  EXPECT_THAT(none, StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(none, HasSubstr("WWW-Authenticate: Bearer"));
  EXPECT_THAT(none, HasSubstr("no entry"));
  EXPECT_THAT(testing::HttpRequest(
                  port, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n"),
              StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(testing::HttpRequest(
                  port, "GET /metrics HTTP/1.1\r\nAuthorization: Basic czNjcmV0\r\n\r\n"),
              StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(renders, 0);
  EXPECT_THAT(testing::HttpRequest(
                  port, "GET /metrics HTTP/1.1\r\nauthorization: bearer  s3cret \r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK"));
  EXPECT_EQ(renders, 1);
  EXPECT_THAT(seen, ::testing::ElementsAre("", "wrong", "", "s3cret"));
}

class CoordinatorMetricsTest : public ::testing::Test {
 protected:
  CoordinatorServerOptions Options() {
    CoordinatorServerOptions o;
    o.coordinator.data_dir = dir_.Join("coord");
    o.listen = "127.0.0.1:0";
    o.metrics_listen = "127.0.0.1:0";
    return o;
  }
  testing::TempDir dir_;
};

TEST_F(CoordinatorMetricsTest, ServesItsCoordinatorsStateInPlaintextOnLoopback) {
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(Options()));
  ASSERT_GT(server->metrics_port(), 0);
  EXPECT_NE(server->metrics_port(), server->port());
  v1::JoinRequest join;
  join.set_address("127.0.0.1:1001");
  ASSERT_OK(server->coordinator().Join(join));
  const std::string text = testing::HttpRequest(server->metrics_port(), kGet);
  EXPECT_THAT(text, HasSubstr("tandem_workers{state=\"idle\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tandem_jobs"));

  // After Shutdown nothing answers on the metrics port.
  const int port = server->metrics_port();
  server->Shutdown();
  EXPECT_EQ(testing::HttpRequest(port, kGet), "");

  // A malformed address is refused before anything starts.
  CoordinatorServerOptions bad = Options();
  bad.metrics_listen = "127.0.0.1";
  EXPECT_THAT(CoordinatorServer::Start(bad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("metrics_listen: expected host:port, got '127.0.0.1'")));
  // IPv6 loopback in brackets and "localhost" are addresses too.
  CoordinatorServerOptions v6 = Options();
  v6.coordinator.data_dir = dir_.Join("coord2");  // the first still holds its data directory
  v6.metrics_listen = "localhost:0";
  ASSERT_OK_AND_ASSIGN(auto local, CoordinatorServer::Start(v6));
  EXPECT_THAT(testing::HttpRequest(local->metrics_port(), kGet), StartsWith("HTTP/1.1 200"));
}

TEST_F(CoordinatorMetricsTest, WithTlsMetricsAreHttpsAndNeedAMetricsOrClientToken) {
  const std::string certs = dir_.Join("certs");
  ASSERT_TRUE(testing::MakeCertificates(certs));
  CoordinatorServerOptions o = Options();
  ASSERT_OK_AND_ASSIGN(o.security, TransportSecurity::Load({certs + "/ca.pem",
                                                            certs + "/coordinator.pem",
                                                            certs + "/coordinator.key"},
                                                           true, false));
  ASSERT_OK_AND_ASSIGN(const std::string client_token, ReadTokenFile(certs + "/client.token"));
  const std::string scrape_token = RandomHex(32);
  o.access.client_tokens = {{"tester", client_token}};
  o.access.metrics_tokens = {scrape_token};
  ASSERT_OK_AND_ASSIGN(const std::string read_token, ReadTokenFile(certs + "/read.token"));
  o.access.read_tokens = {read_token};
  o.access.tls = true;
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(o));
  const int port = server->metrics_port();
  const std::string ca = certs + "/ca.pem";
  auto get = [](const std::string& token) {
    return "GET /metrics HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  };

  // Plaintext gets no HTTP answer; a client trusting another CA does not connect.
  EXPECT_THAT(testing::HttpRequest(port, get(scrape_token)), Not(HasSubstr("200 OK")));
  ASSERT_TRUE(testing::MakeCertificates(dir_.Join("other")));
  EXPECT_EQ(testing::HttpsRequest(port, dir_.Join("other") + "/ca.pem", get(scrape_token)), "");

  EXPECT_THAT(testing::HttpsRequest(port, ca, kGet), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(testing::HttpsRequest(port, ca, get("0123")), StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(testing::HttpsRequest(port, ca, get(client_token)), StartsWith("HTTP/1.1 200 OK"));
  const std::string text = testing::HttpsRequest(port, ca, get(scrape_token));
  EXPECT_THAT(text, StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(text, HasSubstr("tandem_refused_calls_total{reason=\"no_token\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tandem_refused_calls_total{reason=\"wrong_token\"} 1\n"));

  // A scrape token is for /metrics only: the JobService refuses it.
  auto security = TransportSecurity::Load({ca, "", ""}, false, false);
  ASSERT_OK(security);
  JobClient scraper("127.0.0.1:" + std::to_string(server->port()), std::chrono::seconds(10),
                    *security, scrape_token);
  EXPECT_THAT(scraper.List(), StatusIs(absl::StatusCode::kUnauthenticated));
  JobClient client("127.0.0.1:" + std::to_string(server->port()), std::chrono::seconds(10),
                   *security, client_token);
  EXPECT_OK(client.List());
  // A read token reads (jobs, /metrics) and changes nothing.
  JobClient reader("127.0.0.1:" + std::to_string(server->port()), std::chrono::seconds(10),
                   *security, read_token);
  EXPECT_OK(reader.List());
  EXPECT_THAT(testing::HttpsRequest(port, ca, get(read_token)), StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(reader.Cancel("job-000001"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("CancelJob changes jobs")));
  v1::JobSpec spec;
  spec.mutable_corpus()->set_train_tsv("server:/etc/hostname");
  EXPECT_THAT(reader.Submit(spec), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(testing::HttpsRequest(port, ca, get(scrape_token)),
              HasSubstr("tandem_refused_calls_total{reason=\"read_only_token\"} 2\n"));
}

TEST_F(CoordinatorMetricsTest, OffLoopbackMetricsNeedTlsAndATokenUnlessInsecure) {
  CoordinatorServerOptions plain = Options();
  plain.metrics_listen = "0.0.0.0:0";
  EXPECT_THAT(CoordinatorServer::Start(plain),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::AllOf(HasSubstr("--metrics_listen 0.0.0.0:0"),
                                        HasSubstr("--insecure"))));
  const std::string certs = dir_.Join("certs");
  ASSERT_TRUE(testing::MakeCertificates(certs));
  CoordinatorServerOptions tls = Options();
  tls.metrics_listen = "0.0.0.0:0";
  ASSERT_OK_AND_ASSIGN(tls.security, TransportSecurity::Load({certs + "/ca.pem",
                                                              certs + "/coordinator.pem",
                                                              certs + "/coordinator.key"},
                                                             true, false));
  EXPECT_THAT(CoordinatorServer::Start(tls),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--metrics_token_file")));
  tls.access.metrics_tokens = {RandomHex(32)};
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(tls));
  EXPECT_GT(server->metrics_port(), 0);
}

}  // namespace
}  // namespace tandem
