#include "common/net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace tandem {
namespace {

// Splits host:port or [v6]:port; the host loses its brackets.
void SplitHostPort(const std::string& address, std::string& host, std::string& port) {
  const size_t colon = address.rfind(':');
  host = colon == std::string::npos ? address : address.substr(0, colon);
  port = colon == std::string::npos ? "" : address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
}

}  // namespace

absl::StatusOr<std::string> DefaultAdvertiseHost(const std::string& listen,
                                                 const std::string& coordinator) {
  std::string host, port;
  SplitHostPort(listen, host, port);
  if (!host.empty() && host != "0.0.0.0" && host != "::") {
    return host.find(':') == std::string::npos ? host : absl::StrCat("[", host, "]");
  }
  SplitHostPort(coordinator, host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), port.empty() ? "7400" : port.c_str(), &hints, &found);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve the coordinator's host '", host,
                                               "' to find this worker's address: ",
                                               ::gai_strerror(rc),
                                               " (or set --advertise_host)"));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof(local);
    char text[INET6_ADDRSTRLEN] = {0};
    bool ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
              ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0;
    if (!ok) error = std::strerror(errno);
    ::close(fd);
    if (!ok) continue;
    ::freeaddrinfo(found);
    if (local.ss_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr, text,
                  sizeof(text));
      return absl::StrCat("[", text, "]");
    }
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, text, sizeof(text));
    return std::string(text);
  }
  ::freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat("no route to the coordinator at ", coordinator,
                                             " to find this worker's address: ", error,
                                             " (or set --advertise_host)"));
}

}  // namespace tandem
