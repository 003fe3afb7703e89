// The Prometheus endpoint over a real socket on 127.0.0.1.
#include "coordinator/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;

std::string Get(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(MetricsHttpServerTest, ServesMetricsAndRefusesOtherPaths) {
  int calls = 0;
  auto server = MetricsHttpServer::Start("127.0.0.1", 0, [&calls] {
    ++calls;
    return std::string("tandem_up 1\n");
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  const std::string ok = Get(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(ok, HasSubstr("HTTP/1.0 200 OK"));
  EXPECT_THAT(ok, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("\r\n\r\ntandem_up 1\n"));
  const std::string missing = Get(port, "GET /other HTTP/1.1\r\n\r\n");
  EXPECT_THAT(missing, HasSubstr("404"));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(MetricsHttpServer::Start("not-an-ip", 0, [] { return std::string(); }).ok());
}

}  // namespace
}  // namespace tandem
