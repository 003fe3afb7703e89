// AccessControl: who may call what on the coordinator's port (DESIGN.md section 8), free of
// gRPC (grpc_services.cc turns a call's metadata and certificate into a Caller).
//
//   GET /metrics               a metrics, read or admin token, once any is configured, or a
//                              client token while there is one user
//   client calls that read     a read token (--read_token_file) or a client token
//   (status, events, metrics,  (TANDEM_TOKEN / --token_file); no token needed while none
//   download, translate)       is configured, which the coordinator allows only on loopback
//   client calls that change   a client token: submit, cancel, upload
//   (submit, cancel, upload)
//   a given job's calls        its owner's client token (the user that submitted it), an
//                              admin token, or (reads only) a read token; a job submitted
//                              while no client tokens were configured has no owner and is
//                              open to every client token
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
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace tandem {

// A client token and the user it stands for (ClientTokensFromFlags): jobs belong to the user
// whose token submitted them. An admin's token acts on every user's jobs.
struct ClientToken {
  std::string user;
  std::string token;
  bool admin = false;
};

// User names: 1 to 64 characters of [A-Za-z0-9._@-] (they appear in logs, events and
// listings).
absl::Status CheckUserName(const std::string& what, const std::string& user);

// Client tokens from --client_token_file / --admin_token_file values "[USER=]PATH": the user is
// USER, else the file's base name without its extension (a Kubernetes Secret mounted as a
// directory has one file per user: /run/secrets/tandem-users/alice -> alice). Errors name the
// flag value and, for the file, its path; never the token.
absl::StatusOr<std::vector<ClientToken>> ClientTokensFromFlags(
    const std::vector<std::string>& client_values, const std::vector<std::string>& admin_values);

struct AccessOptions {
  std::vector<ClientToken> client_tokens;  // empty: client calls need no token
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

// Who a client call comes from, once its token is accepted.
struct ClientIdentity {
  std::string user;       // the client token's user; empty for a read token or no tokens
  bool all_jobs = false;  // an admin, a read token, or no client tokens configured
};

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

  // The caller's identity, or after Refuse: Unauthenticated (no or a wrong token),
  // PermissionDenied (a read token for a call that changes something).
  absl::StatusOr<ClientIdentity> CheckClient(const Caller& caller, const char* method,
                                             ClientAccess access);
  // OK when `who` may act on job `job_id` owned by `owner` (see the table above); else, after
  // Refuse (reason "other_users_job"), PermissionDenied naming the job, not its owner.
  absl::Status CheckOwner(const Caller& caller, const char* method, const ClientIdentity& who,
                          const std::string& job_id, const std::string& owner);
  // A call on one job: CheckClient, then CheckOwner with the owner `owner_of(job_id)` gives.
  // An owner that cannot be looked up (an unknown job, a bad id) passes: the call itself
  // then answers for the job id.
  using OwnerLookup = std::function<absl::StatusOr<std::string>(const std::string& job_id)>;
  absl::StatusOr<ClientIdentity> CheckJobCall(const Caller& caller, const char* method,
                                              ClientAccess access, const std::string& job_id,
                                              const OwnerLookup& owner_of);
  absl::Status CheckJoin(const Caller& caller);
  // GET /metrics: a metrics, read or admin token once any kind is configured, or a client
  // token while all client tokens are one user's (/metrics shows every job).
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
  // The client token equal to `token` (every entry compared: no early exit), or null.
  const ClientToken* ClientTokenOf(const std::string& token) const;
  // Whether every client token is the same user's.
  bool SingleUser() const;

  const AccessOptions options_;
  mutable absl::Mutex mu_;
  std::map<std::string, uint64_t> refusals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_ACCESS_CONTROL_H_
