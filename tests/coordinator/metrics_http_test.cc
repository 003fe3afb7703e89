// The Prometheus endpoint over a real socket on 127.0.0.1: the HTTP server alone, and as the
// CoordinatorServer (what tandem-coordinator runs) serves its coordinator's state.
#include "coordinator/metrics_http_server.h"

#include "coordinator/coordinator_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;


TEST(MetricsHttpServerTest, ServesMetricsAndRefusesOtherPaths) {
  int calls = 0;
  auto server = MetricsHttpServer::Start("127.0.0.1", 0, [&calls] {
    ++calls;
    return std::string("tandem_up 1\n");
  });
  ASSERT_OK(server);
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  const std::string ok = testing::HttpRequest(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, HasSubstr("HTTP/1.0 200 OK"));
  EXPECT_THAT(ok, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\ntandem_up 1\n"));
  const std::string missing = testing::HttpRequest(port, "GET /other HTTP/1.1\r\n\r\n");
  EXPECT_THAT(missing, HasSubstr("404"));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(MetricsHttpServer::Start("not-an-ip", 0, [] { return std::string(); }).ok());
}

TEST(MetricsHttpServerTest, CoordinatorServerServesItsCoordinatorsState) {
  testing::TempDir dir;
  CoordinatorServerOptions options;
  options.coordinator.data_dir = dir.Join("coord");
  options.listen = "127.0.0.1:0";
  options.metrics_listen = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(options));
  ASSERT_GT(server->metrics_port(), 0);
  EXPECT_NE(server->metrics_port(), server->port());
  v1::JoinRequest join;
  join.set_address("127.0.0.1:1001");
  ASSERT_OK(server->coordinator().Join(join));
  const std::string text = testing::HttpRequest(server->metrics_port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_THAT(text, HasSubstr("tandem_workers{state=\"idle\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tandem_jobs"));

  // After Shutdown nothing answers on the metrics port.
  const int port = server->metrics_port();
  server->Shutdown();
  EXPECT_EQ(testing::HttpRequest(port, "GET /metrics HTTP/1.1\r\n\r\n"), "");

  // A malformed address is refused before anything starts.
  options.metrics_listen = "127.0.0.1";
  EXPECT_THAT(CoordinatorServer::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("metrics_listen: expected host:port, got '127.0.0.1'")));
}

}  // namespace
}  // namespace tandem
