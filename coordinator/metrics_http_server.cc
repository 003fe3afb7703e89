#include "coordinator/metrics_http_server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <thread>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace tandem {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;

// Threads for slow answers (HttpResponse::deferred). Submit refuses work beyond `limit`
// queued or running. Stop joins the threads; work not started by then is dropped.
class DeferredPool {
 public:
  DeferredPool(int threads, size_t limit) : limit_(limit) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~DeferredPool() { Stop(); }

  bool Submit(std::function<void()> work) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || busy_ >= limit_) return false;
    ++busy_;
    queue_.push_back(std::move(work));
    cv_.notify_one();
    return true;
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::deque<std::function<void()>> dropped;  // destroyed after the lock: sessions end
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(queue_);
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> work;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      work();
      work = nullptr;
      std::lock_guard<std::mutex> lock(mu_);
      --busy_;
    }
  }

  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t busy_ = 0;  // queued or running
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// What every connection reads.
struct Shared {
  MetricsHttpOptions options;
  HttpHandler handler;
  DeferredPool* deferred = nullptr;  // outlives every session's use (the server's destructor)
  std::atomic<size_t> open{0};
  std::atomic<size_t> streams{0};  // only changed on the server's thread
};

// The token of an "Authorization: Bearer <token>" header; empty for anything else.
std::string BearerToken(beast::string_view header) {
  constexpr absl::string_view kScheme = "bearer ";
  absl::string_view h(header.data(), header.size());
  if (h.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(h, kScheme)) return "";
  return std::string(absl::StripAsciiWhitespace(h.substr(kScheme.size())));
}

HttpResponse Text(int status, std::string body) {
  HttpResponse res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

HttpRequest ToRequest(const http::request<http::empty_body>& req, const std::string& peer) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  const beast::string_view target = req.target();
  const size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != beast::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.peer = peer;
  r.bearer = BearerToken(req[http::field::authorization]);
  r.host = std::string(req[http::field::host]);
  r.origin = std::string(req[http::field::origin]);
  return r;
}

Response ToBeast(HttpResponse& from, unsigned version) {
  Response res(static_cast<http::status>(from.status), version);
  res.set(http::field::content_type, from.content_type);
  for (const auto& [name, value] : from.headers) res.set(name, value);
  res.body() = std::move(from.body);
  res.keep_alive(false);
  return res;
}

// One connection: [TLS handshake,] one request, one response, close; all of it within the
// deadline, after which Beast cancels whatever is pending and the session ends. An event
// stream instead lives on after its head, one write at a time (the header's contract).
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(std::shared_ptr<Shared> shared, Stream stream, std::string peer)
      : shared_(std::move(shared)),
        stream_(std::move(stream)),
        peer_(std::move(peer)),
        buffer_(shared_->options.max_header_bytes + 1024),
        timer_(stream_.get_executor()) {
    ++shared_->open;
  }
  ~Session() {
    --shared_->open;
    if (events_) --shared_->streams;
  }

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(shared_->options.deadline);
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->Read();
                              });
    } else {
      Read();
    }
  }

 private:
  void Read() {
    parser_.header_limit(static_cast<uint32_t>(shared_->options.max_header_bytes));
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::operation_aborted) {
      return;  // the deadline passed or the client left: nothing to answer
    }
    HttpResponse answer =
        ec ? Text(400, absl::StrCat("bad request: ", ec.message(), "\n"))
           : shared_->handler(ToRequest(parser_.get(), peer_));
    if (answer.deferred) {
      auto work = [self = this->shared_from_this(), make = std::move(answer.deferred)] {
        HttpResponse ready = make();
        ready.stream = nullptr;
        asio::post(self->stream_.get_executor(),
                   [self, ready = std::make_shared<HttpResponse>(std::move(ready))]() mutable {
                     beast::get_lowest_layer(self->stream_)
                         .expires_after(self->shared_->options.deadline);
                     self->Respond(std::move(*ready), false);
                   });
      };
      if (shared_->deferred->Submit(std::move(work))) return;
      answer = Text(503, absl::StrCat("too many slow requests at once (",
                                      shared_->options.max_deferred, "); try again later\n"));
      answer.headers.emplace_back("Retry-After", "2");
    }
    Respond(std::move(answer), ec.failed());
  }

  // Sends `answer` (`failed`: to a request that could not be read).
  void Respond(HttpResponse answer, bool failed) {
    const unsigned version = failed ? 11 : parser_.get().version();
    const bool head = !failed && parser_.get().method() == http::verb::head;
    if (answer.stream != nullptr && !head) {
      if (shared_->streams >= shared_->options.max_streams) {
        answer = Text(503, absl::StrCat("too many event streams open (",
                                        shared_->options.max_streams, "); try again later\n"));
        answer.headers.emplace_back("Retry-After", "5");
      } else {
        ++shared_->streams;
        events_ = std::move(answer.stream);
      }
    }
    if (!answer.file.empty()) {
      SendFile(answer, version, head);
      return;
    }
    response_ = ToBeast(answer, version);
    if (events_ != nullptr) {
      // No Content-Length: the body is what follows until the connection closes.
      stream_end_ = std::chrono::steady_clock::now() + shared_->options.stream_lifetime;
      response_.set(http::field::cache_control, "no-store");
      beast::get_lowest_layer(stream_).expires_after(shared_->options.stream_write_deadline);
      http::async_write(stream_, response_,
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (!ec) self->SendEvents();  // the first at once
                        });
      return;
    }
    response_.content_length(response_.body().size());
    if (head) response_.body().clear();  // HEAD: the length of what GET would send, no body
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code, size_t) {
                        self->Close();
                      });
  }

  void SendFile(HttpResponse& answer, unsigned version, bool head) {
    beast::error_code ec;
    http::file_body::value_type body;
    body.open(answer.file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      HttpResponse gone = Text(404, "the file is no longer there\n");
      Respond(std::move(gone), false);
      return;
    }
    const uint64_t bytes = body.size();
    if (head) {  // the length of what GET would send, no body
      answer.body.clear();
      response_ = ToBeast(answer, version);
      response_.content_length(bytes);
      http::async_write(stream_, response_,
                        [self = this->shared_from_this()](beast::error_code, size_t) {
                          self->Close();
                        });
      return;
    }
    file_response_.emplace(static_cast<http::status>(answer.status), version);
    file_response_->set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) file_response_->set(name, value);
    file_response_->keep_alive(false);
    file_response_->body() = std::move(body);
    file_response_->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(shared_->options.deadline +
                                                   std::chrono::seconds(bytes >> 20));
    http::async_write(stream_, *file_response_,
                      [self = this->shared_from_this()](beast::error_code, size_t) {
                        self->Close();
                      });
  }

  void WaitForEvents() {
    timer_.expires_after(shared_->options.stream_poll);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->SendEvents();
    });
  }

  // Asks the stream for its next bytes and writes them; the next poll starts only once they
  // are written, so nothing accumulates behind a client that does not read.
  void SendEvents() {
    if (std::chrono::steady_clock::now() >= stream_end_) {
      Close();
      return;
    }
    pending_ = events_->Next();
    if (pending_.empty()) {
      WaitForEvents();
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(shared_->options.stream_write_deadline);
    asio::async_write(stream_, asio::buffer(pending_),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return;  // too slow, or gone: the session ends
                        self->pending_.clear();
                        self->WaitForEvents();
                      });
  }

  void Close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(shared_->options.deadline);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  std::shared_ptr<Shared> shared_;
  Stream stream_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  Response response_;
  std::optional<http::response<http::file_body>> file_response_;  // set for a file
  asio::steady_timer timer_;
  std::unique_ptr<HttpEventStream> events_;  // set for an event stream
  std::chrono::steady_clock::time_point stream_end_;
  std::string pending_;  // the stream's bytes being written
};

}  // namespace

class MetricsHttpServer::Impl {
 public:
  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;  // stopping
      if (!ec) Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    beast::error_code peer_ec;
    const tcp::endpoint remote = socket.remote_endpoint(peer_ec);
    const std::string peer =
        peer_ec ? "unknown" : absl::StrCat(remote.address().to_string(), ":", remote.port());
    if (shared->open >= shared->options.max_connections) {
      TANDEM_LOG(WARNING) << "metrics: refused a connection from " << peer << ": "
                          << shared->options.max_connections << " already open";
      return;  // the socket closes here
    }
    if (ssl) {
      using Tls = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Session<Tls>>(shared, Tls(std::move(socket), *ssl), peer)->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(shared, beast::tcp_stream(std::move(socket)),
                                                   peer)
          ->Start();
    }
  }

  // Declared before the io_context: sessions, destroyed with its pending handlers, use it.
  std::optional<asio::ssl::context> ssl;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<DeferredPool> deferred;  // stopped after the event loop (the destructor)
  std::thread thread;
  int port = 0;
};

HttpResponse MetricsResponse(
    const HttpRequest& request,
    const std::function<absl::Status(const std::string& peer, const std::string& bearer)>&
        authorize,
    const std::function<std::string()>& render) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse res = Text(405, "only GET /metrics\n");
    res.headers.emplace_back("Allow", "GET, HEAD");
    return res;
  }
  if (authorize) {
    const absl::Status allowed = authorize(request.peer, request.bearer);
    if (!allowed.ok()) {
      // A token that was accepted but may not read this is 403; none or a wrong one is 401.
      if (absl::IsPermissionDenied(allowed)) {
        return Text(403, std::string(allowed.message()) + "\n");
      }
      HttpResponse res = Text(401, std::string(allowed.message()) + "\n");
      res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tandem\"");
      return res;
    }
  }
  HttpResponse res = Text(200, render());
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return res;
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    MetricsHttpOptions options, std::function<std::string()> render) {
  auto authorize = options.authorize;
  return Start(std::move(options),
               [authorize = std::move(authorize), render = std::move(render)](
                   const HttpRequest& request) {
                 if (request.method != "GET" && request.method != "HEAD") {
                   return MetricsResponse(request, authorize, render);  // 405
                 }
                 if (request.path != "/metrics") return Text(404, "not found: try /metrics\n");
                 return MetricsResponse(request, authorize, render);
               });
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    MetricsHttpOptions options, HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address: not an IP address: '", options.host, "'"));
  }
  if (!options.cert_pem.empty() || !options.key_pem.empty()) {
    impl->ssl.emplace(asio::ssl::context::tls_server);
    impl->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
    impl->ssl->use_certificate_chain(asio::buffer(options.cert_pem), ec);
    if (!ec) impl->ssl->use_private_key(asio::buffer(options.key_pem), asio::ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics endpoint: the TLS certificate or key is not usable: ", ec.message()));
    }
  }
  const tcp::endpoint endpoint(address, static_cast<uint16_t>(options.port));
  tcp::acceptor& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.host, ":",
                                               options.port, " for metrics: ", ec.message()));
  }
  impl->port = acceptor.local_endpoint().port();
  impl->shared->options = std::move(options);
  impl->shared->handler = std::move(handler);
  impl->deferred = std::make_unique<DeferredPool>(impl->shared->options.deferred_threads,
                                                  impl->shared->options.max_deferred);
  impl->shared->deferred = impl->deferred.get();
  impl->Accept();
  impl->thread = std::thread([p = impl.get()] { p->ioc.run(); });
  return std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer(std::move(impl)));
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsHttpServer::~MetricsHttpServer() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  // A slow answer still running finishes first; what it posts to the stopped loop is
  // destroyed with it.
  impl_->deferred->Stop();
}

int MetricsHttpServer::port() const { return impl_->port; }
bool MetricsHttpServer::tls() const { return impl_->ssl.has_value(); }

}  // namespace tandem
