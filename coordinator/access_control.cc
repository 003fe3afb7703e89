#include "coordinator/access_control.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/secrets.h"

namespace tandem {

bool AccessControl::TokenIn(const std::string& token,
                            const std::vector<std::string>& tokens) const {
  bool found = false;
  for (const std::string& t : tokens) found |= TokensEqual(token, t);  // no early exit
  return found;
}

absl::Status AccessControl::CheckClient(const Caller& caller, const char* method,
                                        ClientAccess access) {
  if (options_.client_tokens.empty() && options_.read_tokens.empty()) return absl::OkStatus();
  if (caller.bearer.empty()) {
    return Refuse(caller, method, "no_token",
                  absl::UnauthenticatedError(
                      "this coordinator needs a client token: set TANDEM_TOKEN or --token_file"));
  }
  // Both lists are walked whatever the first finds: the time does not say which matched.
  const bool client = TokenIn(caller.bearer, options_.client_tokens);
  const bool read = TokenIn(caller.bearer, options_.read_tokens);
  if (!client && !read) {
    return Refuse(caller, method, "wrong_token",
                  absl::UnauthenticatedError("the client token was not accepted"));
  }
  if (!client && access == ClientAccess::kChange) {
    return Refuse(caller, method, "read_only_token",
                  absl::PermissionDeniedError(absl::StrCat(
                      method, " changes jobs and needs a client token; this token may only "
                      "read (status, events, downloads, translation)")));
  }
  return absl::OkStatus();
}

absl::Status AccessControl::CheckMetrics(const Caller& caller) {
  if (options_.client_tokens.empty() && options_.metrics_tokens.empty() &&
      options_.read_tokens.empty()) {
    return absl::OkStatus();
  }
  constexpr char kMethod[] = "GET /metrics";
  if (caller.bearer.empty()) {
    return Refuse(caller, kMethod, "no_token",
                  absl::UnauthenticatedError("/metrics needs a metrics, read or client token "
                                             "(Authorization: Bearer <token>)"));
  }
  const bool metrics = TokenIn(caller.bearer, options_.metrics_tokens);
  const bool read = TokenIn(caller.bearer, options_.read_tokens);
  const bool client = TokenIn(caller.bearer, options_.client_tokens);
  if (!metrics && !read && !client) {
    return Refuse(caller, kMethod, "wrong_token",
                  absl::UnauthenticatedError("the token was not accepted"));
  }
  return absl::OkStatus();
}

absl::Status AccessControl::CheckJoin(const Caller& caller) {
  if (absl::Status s = CheckWorker(caller, "Join"); !s.ok()) return s;
  if (options_.join_tokens.empty()) return absl::OkStatus();
  if (caller.bearer.empty() || !TokenIn(caller.bearer, options_.join_tokens)) {
    return Refuse(caller, "Join", caller.bearer.empty() ? "no_token" : "wrong_token",
                  absl::UnauthenticatedError(
                      "this coordinator needs the join token (tandem-worker --join_token_file)"));
  }
  return absl::OkStatus();
}

absl::Status AccessControl::CheckWorker(const Caller& caller, const char* method) {
  if (!options_.tls || caller.role == "worker") return absl::OkStatus();
  return Refuse(caller, method, "not_a_worker",
                absl::UnauthenticatedError(absl::StrCat(
                    "worker calls need a worker certificate signed by this deployment's CA",
                    caller.role.empty() ? "" : absl::StrCat(" (presented: ", caller.role, ")"))));
}

absl::Status AccessControl::Refuse(const Caller& caller, const char* method,
                                   const std::string& reason, absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    ++refusals_[reason];
  }
  TANDEM_LOG(WARNING) << "refused " << method << " from " << caller.peer
                      << (caller.role.empty() ? "" : " (" + caller.role + " certificate)")
                      << ": " << reason << ": " << status.message();
  return status;
}

std::map<std::string, uint64_t> AccessControl::Refusals() const {
  absl::MutexLock lock(&mu_);
  return refusals_;
}

}  // namespace tandem
