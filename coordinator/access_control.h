// AccessControl: who may call what on the coordinator's port (DESIGN.md section 8), free of
// gRPC (grpc_services.cc turns a call's metadata and certificate into a Caller).
//
//   GET /metrics               a metrics, read or client token, once any is configured
//   client calls that read     a read token (--read_token_file) or a client token
//   (status, events, metrics,  (TANDEM_TOKEN / --token_file); no token needed while none
//   download, translate)       is configured, which the coordinator allows only on loopback
//   client calls that change   a client token: submit, cancel, upload
//   (submit, cancel, upload)
//   Join                       a worker certificate when TLS is on, and the join token
//                              when one is configured
//   other worker calls         a worker certificate when TLS is on; the worker's session
//                              (Coordinator::AuthenticateWorker) is checked by the adapter
//
// Every refusal is logged with the caller's address, role and method (never a token) and
// counted by reason for /metrics. Thread-safe.
#ifndef TANDEM_COORDINATOR_ACCESS_CONTROL_H_
#define TANDEM_COORDINATOR_ACCESS_CONTROL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace tandem {

struct AccessOptions {
  std::vector<std::string> client_tokens;  // empty: client calls need no token
  std::vector<std::string> join_tokens;    // empty: joining needs no token
  bool tls = false;                        // worker calls need a worker certificate
  // Tokens that may read /metrics and nothing else (a Prometheus scraper's); client tokens
  // may read it too. With neither configured /metrics needs no token.
  std::vector<std::string> metrics_tokens;
  // Tokens for client calls that only read (status, events, downloads, translation, /metrics):
  // for dashboards and people who watch but do not submit or cancel.
  std::vector<std::string> read_tokens;
};

// What a client call does: read (kRead) or change (kChange) the coordinator's jobs.
enum class ClientAccess { kRead, kChange };

// What a call says about its caller.
struct Caller {
  std::string peer;     // the transport address, for the log
  std::string role;     // the role in the verified certificate (coordinator/worker/client)
  std::string bearer;   // "authorization: Bearer ..." metadata, empty if none
  std::string session;  // "tandem-session" metadata (workers), empty if none
};

// Metadata keys of the credentials above.
inline constexpr char kAuthorizationMetadata[] = "authorization";
inline constexpr char kSessionMetadata[] = "tandem-session";

class AccessControl {
 public:
  explicit AccessControl(AccessOptions options) : options_(std::move(options)) {}

  // OK, or after Refuse: Unauthenticated (no or a wrong token), PermissionDenied (a read
  // token for a call that changes something).
  absl::Status CheckClient(const Caller& caller, const char* method, ClientAccess access);
  absl::Status CheckJoin(const Caller& caller);
  // GET /metrics: a metrics, read or client token, once any kind is configured.
  absl::Status CheckMetrics(const Caller& caller);
  // Unauthenticated without a worker certificate when TLS is on.
  absl::Status CheckWorker(const Caller& caller, const char* method);

  // Logs and counts a refusal under `reason` (a metric label) and returns `status`.
  absl::Status Refuse(const Caller& caller, const char* method, const std::string& reason,
                      absl::Status status);

  // Refusals so far by reason.
  std::map<std::string, uint64_t> Refusals() const;

 private:
  bool TokenIn(const std::string& token, const std::vector<std::string>& tokens) const;

  const AccessOptions options_;
  mutable absl::Mutex mu_;
  std::map<std::string, uint64_t> refusals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_ACCESS_CONTROL_H_
