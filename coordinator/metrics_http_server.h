// The coordinator's HTTP port: GET /metrics (Prometheus text) and, through a handler, the
// dashboard and its JSON API (dashboard.h), over HTTP or HTTPS, with Boost.Beast (a
// maintained HTTP library) on one event-loop thread.
//
// Hostile clients (DESIGN.md section 8): every connection has one deadline for all of it
// (TLS handshake, request, response); the request head is bounded (8 KiB) and a body is
// refused; at most `max_connections` are open at once (more are closed at accept); one
// request per connection. A slow client therefore holds a connection slot for at most the
// deadline and never a thread: other requests are served meanwhile.
//
// Event streams (Server-Sent Events, HttpResponse::stream): after the head the connection
// stays open for at most `stream_lifetime`; every `stream_poll` the server asks the stream
// for its next bytes, but never while earlier bytes are still being written, so a client that
// does not read makes the server hold one message at most (and the kernel's socket buffer);
// a write that does not finish within `stream_write_deadline` ends the connection. At most
// `max_streams` are open at once; more are answered 503.
//
// Slow answers (HttpResponse::deferred: a translation, a file read) run on a small pool of
// threads of their own, never on the event loop, so /metrics and the event streams keep
// flowing meanwhile; at most `max_deferred` wait or run at once (more are answered 503), and
// the connection's deadline starts again when the answer is ready.
#ifndef TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
#define TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tandem {

struct MetricsHttpOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 address
  int port = 0;                    // 0 picks one (see port())
  // PEM certificate chain and key: HTTPS. Both empty: plaintext HTTP.
  std::string cert_pem;
  std::string key_pem;
  // Only for Start with `render`: called with the peer's address and the bearer token (empty
  // if none) of every request; not set: no token needed. A handler authorizes on its own.
  std::function<absl::Status(const std::string& peer, const std::string& bearer)> authorize;
  std::chrono::milliseconds deadline{5000};  // per connection, from accept to the last byte
  size_t max_connections = 64;
  size_t max_header_bytes = 8192;
  // Event streams (see above).
  size_t max_streams = 8;
  std::chrono::milliseconds stream_poll{500};
  std::chrono::milliseconds stream_write_deadline{10000};
  std::chrono::milliseconds stream_lifetime{10 * 60 * 1000};
  // Slow answers (see above).
  int deferred_threads = 2;
  size_t max_deferred = 8;
};

// A request as a handler sees it (its head only: bodies are refused).
struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // the target up to '?', as sent (not percent-decoded)
  std::string query;   // after '?'; "" without one
  std::string peer;    // "address:port"
  std::string bearer;  // the token of "Authorization: Bearer <token>"; "" without one
  std::string host;    // the Host header
  std::string origin;  // the Origin header ("" without one)
};

// The bytes of a long-lived response, asked for on the server's thread, one call at a time.
class HttpEventStream {
 public:
  virtual ~HttpEventStream() = default;
  // What to send now; "" for nothing. Not called again before the previous bytes were
  // written.
  virtual std::string Next() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more header fields
  // Set: an event stream. The head (without Content-Length) and `body` are sent, then what
  // the stream gives until its lifetime ends or a write fails.
  std::unique_ptr<HttpEventStream> stream;
  // Set: the answer is slow to make; it runs on the server's pool (see above) and what it
  // returns is sent instead of this response (its own `deferred` is ignored; a `stream` in it
  // too: slow work is one answer, not a stream).
  std::function<HttpResponse()> deferred;
  // Set: the body is this file's bytes, read from disk as they are sent (`body` is ignored);
  // the connection's deadline grows by a second per MiB. A file that cannot be opened: 404.
  std::string file;
};

// Answers every request that was read whole; runs on the server's thread.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class MetricsHttpServer {
 public:
  // Listens and serves on a thread of its own. InvalidArgument for a malformed address or
  // TLS key pair, Unavailable when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(MetricsHttpOptions options,
                                                                  HttpHandler handler);
  // Only GET (or HEAD) /metrics, answered with `render`'s text; `options.authorize` checks
  // every request (401 when it refuses).
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

// GET or HEAD /metrics answered with `render` after `authorize` (when set) allows the request:
// what Start with `render` serves, and the /metrics route of a larger handler.
HttpResponse MetricsResponse(
    const HttpRequest& request,
    const std::function<absl::Status(const std::string& peer, const std::string& bearer)>&
        authorize,
    const std::function<std::string()>& render);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_METRICS_HTTP_SERVER_H_
