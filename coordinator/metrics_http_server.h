// The Prometheus endpoint: GET /metrics answers text from `render`, over HTTP or HTTPS, with
// Boost.Beast (a maintained HTTP library) on one event-loop thread.
//
// Hostile clients (DESIGN.md section 8): every connection has one deadline for all of it
// (TLS handshake, request, response); the request head is bounded (8 KiB) and a body is
// refused; at most `max_connections` are open at once (more are closed at accept); one
// request per connection. A slow client therefore holds a connection slot for at most the
// deadline and never a thread: other scrapes are served meanwhile.
//
// Authorization: when `authorize` is set, every request's "Authorization: Bearer" token is
// passed to it; a refusal answers 401 and nothing is rendered.
#ifndef TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
#define TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tandem {

struct MetricsHttpOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address
  int port = 0;                    // 0 picks one (see port())
  // PEM certificate chain and key: HTTPS. Both empty: plaintext HTTP.
  std::string cert_pem;
  std::string key_pem;
  // Called with the peer's address and the bearer token (empty if none) of every request;
  // not set: no token needed.
  std::function<absl::Status(const std::string& peer, const std::string& bearer)> authorize;
  std::chrono::milliseconds deadline{5000};  // per connection, from accept to the last byte
  size_t max_connections = 64;
  size_t max_header_bytes = 8192;
};

class MetricsHttpServer {
 public:
  // Listens and serves on a thread of its own. InvalidArgument for a malformed address or
  // TLS key pair, Unavailable when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      MetricsHttpOptions options, std::function<std::string()> render);
  // Stops serving; open connections are dropped.
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const;
  bool tls() const;

  class Impl;

 private:
  explicit MetricsHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
