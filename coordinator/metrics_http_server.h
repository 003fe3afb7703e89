// A minimal HTTP/1.0 server for Prometheus: GET /metrics answers text from `render`;
// anything else is 404. One request per connection, requests bounded to 8 KiB, one thread.
#ifndef TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
#define TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace tandem {

class MetricsHttpServer {
 public:
  // Listens on `host:port` (port 0 picks one).
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& host, int port, std::function<std::string()> render);
  ~MetricsHttpServer();
  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;
  void Serve();

  int fd_ = -1;
  int port_ = 0;
  std::function<std::string()> render_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
