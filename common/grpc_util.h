// The one conversion between absl::Status and grpc::Status, and the channel/server settings
// every Tandem process uses (message size limits, keepalive).
#ifndef TANDEM_COMMON_GRPC_UTIL_H_
#define TANDEM_COMMON_GRPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/transport_security.h"

namespace tandem {

// Largest message any Tandem RPC accepts (artifact chunks are 1 MiB; the collective's
// segments are at most 16 MiB). Larger messages are refused by gRPC with RESOURCE_EXHAUSTED.
inline constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// A channel to `target` (host:port) with Tandem's limits, secured by `security` (plaintext
// when it has no TLS files). With TLS the server's certificate must name `server_name`, or
// the target's host when that is empty.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const TransportSecurity& security = {},
                                           const std::string& server_name = "");

// Applies Tandem's limits to a server builder.
void ConfigureServerBuilder(grpc::ServerBuilder& builder);

// A client context with a deadline `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithDeadline(std::chrono::milliseconds timeout);

}  // namespace tandem

#endif  // TANDEM_COMMON_GRPC_UTIL_H_
