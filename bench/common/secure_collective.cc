#include "bench/common/secure_collective.h"

#include "common/status.h"

namespace tandem::bench {

absl::StatusOr<SecureCollective> StartCollective(const std::string& tls_dir,
                                                 const std::string& host) {
  SecureCollective out;
  collective::CollectiveServerOptions options;
  if (!tls_dir.empty()) {
    TANDEM_ASSIGN_OR_RETURN(
        options.security,
        TransportSecurity::Load(
            {tls_dir + "/ca.pem", tls_dir + "/worker.pem", tls_dir + "/worker.key"},
            /*need_certificate=*/true, /*insecure=*/false));
    out.security.tls = options.security;
    // What the coordinator hands a generation's members (a 256-bit key in hex).
    out.security.group_key = std::string(64, 'b');
  } else {
    TANDEM_ASSIGN_OR_RETURN(options.security,
                            TransportSecurity::Load({}, false, /*insecure=*/host != "127.0.0.1"));
  }
  TANDEM_ASSIGN_OR_RETURN(out.server, collective::CollectiveServer::Start(host + ":0", options));
  return out;
}

}  // namespace tandem::bench
