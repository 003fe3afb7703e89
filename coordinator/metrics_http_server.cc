#include "coordinator/metrics_http_server.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
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

// What every connection reads.
struct Shared {
  MetricsHttpOptions options;
  std::function<std::string()> render;
  std::atomic<size_t> open{0};
};

// The token of an "Authorization: Bearer <token>" header; empty for anything else.
std::string BearerToken(beast::string_view header) {
  constexpr absl::string_view kScheme = "bearer ";
  absl::string_view h(header.data(), header.size());
  if (h.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(h, kScheme)) return "";
  return std::string(absl::StripAsciiWhitespace(h.substr(kScheme.size())));
}

Response Answer(http::status status, std::string body, unsigned version) {
  Response res(status, version);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

Response Respond(const Shared& shared, const http::request<http::empty_body>& req,
                 const std::string& peer) {
  const unsigned v = req.version();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    Response res = Answer(http::status::method_not_allowed, "only GET /metrics\n", v);
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const beast::string_view target = req.target();
  const beast::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") return Answer(http::status::not_found, "not found: try /metrics\n", v);
  if (shared.options.authorize) {
    const absl::Status allowed =
        shared.options.authorize(peer, BearerToken(req[http::field::authorization]));
    if (!allowed.ok()) {
      Response res = Answer(http::status::unauthorized, std::string(allowed.message()) + "\n", v);
      res.set(http::field::www_authenticate, "Bearer realm=\"tandem\"");
      return res;
    }
  }
  Response res = Answer(http::status::ok, shared.render(), v);
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  return res;
}

// One connection: [TLS handshake,] one request, one response, close; all of it within the
// deadline, after which Beast cancels whatever is pending and the session ends.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(std::shared_ptr<Shared> shared, Stream stream, std::string peer)
      : shared_(std::move(shared)),
        stream_(std::move(stream)),
        peer_(std::move(peer)),
        buffer_(shared_->options.max_header_bytes + 1024) {
    ++shared_->open;
  }
  ~Session() { --shared_->open; }

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
    response_ = ec ? Answer(http::status::bad_request,
                            absl::StrCat("bad request: ", ec.message(), "\n"), 11)
                   : Respond(*shared_, parser_.get(), peer_);
    response_.keep_alive(false);
    response_.content_length(response_.body().size());
    if (!ec && parser_.get().method() == http::verb::head) {
      response_.body().clear();  // HEAD: the length of what GET would send, no body
    }
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code, size_t) {
                        self->Close();
                      });
  }

  void Close() {
    if constexpr (kTls) {
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
  std::thread thread;
  int port = 0;
};

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    MetricsHttpOptions options, std::function<std::string()> render) {
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
  impl->shared->render = std::move(render);
  impl->Accept();
  impl->thread = std::thread([p = impl.get()] { p->ioc.run(); });
  return std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer(std::move(impl)));
}

MetricsHttpServer::MetricsHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MetricsHttpServer::~MetricsHttpServer() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MetricsHttpServer::port() const { return impl_->port; }
bool MetricsHttpServer::tls() const { return impl_->ssl.has_value(); }

}  // namespace tandem
