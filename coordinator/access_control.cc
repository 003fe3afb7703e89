#include "coordinator/access_control.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/secrets.h"

namespace tandem {

absl::Status CheckUserName(const std::string& what, const std::string& user) {
  bool ok = !user.empty() && user.size() <= 64;
  for (char ch : user) {
    ok &= absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' ||
          ch == '@' || ch == '-';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, ": the user name '", user.substr(0, 64),
      "' is not 1 to 64 characters of letters, digits, '.', '_', '@' or '-'"));
}

absl::StatusOr<std::vector<ClientToken>> ClientTokensFromFlags(
    const std::vector<std::string>& client_values, const std::vector<std::string>& admin_values) {
  std::vector<ClientToken> out;
  for (const auto* values : {&client_values, &admin_values}) {
    const bool admin = values == &admin_values;
    const char* flag = admin ? "--admin_token_file" : "--client_token_file";
    for (const std::string& value : *values) {
      ClientToken t;
      t.admin = admin;
      std::string path = value;
      // USER=PATH, unless the '=' is part of a directory name (a path's first '/' comes first).
      const size_t eq = value.find('=');
      if (eq != std::string::npos && value.find('/') > eq) {
        t.user = value.substr(0, eq);
        path = value.substr(eq + 1);
      } else {
        std::string base = path.substr(path.find_last_of('/') + 1);
        if (const size_t dot = base.find('.'); dot != std::string::npos && dot > 0) {
          base.resize(dot);
        }
        t.user = base;
      }
      if (absl::Status s = CheckUserName(absl::StrCat(flag, " ", value), t.user); !s.ok()) {
        return s;
      }
      absl::StatusOr<std::string> token = ReadTokenFile(path);
      if (!token.ok()) return token.status();
      t.token = std::move(*token);
      out.push_back(std::move(t));
    }
  }
  // One token standing for two users would make every job's owner a guess.
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t j = i + 1; j < out.size(); ++j) {
      if (TokensEqual(out[i].token, out[j].token) &&
          (out[i].user != out[j].user || out[i].admin != out[j].admin)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the token of user '", out[j].user, "' is also given for user '", out[i].user,
            "'", out[i].admin != out[j].admin ? " (once as an admin token)" : "",
            ": every user needs a token of their own"));
      }
    }
  }
  return out;
}

bool AccessControl::TokenIn(const std::string& token,
                            const std::vector<std::string>& tokens) const {
  bool found = false;
  for (const std::string& t : tokens) found |= TokensEqual(token, t);  // no early exit
  return found;
}

const ClientToken* AccessControl::ClientTokenOf(const std::string& token) const {
  const ClientToken* found = nullptr;
  for (const ClientToken& t : options_.client_tokens) {
    if (TokensEqual(token, t.token)) found = &t;  // no early exit
  }
  return found;
}

absl::StatusOr<ClientIdentity> AccessControl::CheckClient(const Caller& caller,
                                                          const char* method,
                                                          ClientAccess access) {
  if (options_.client_tokens.empty() && options_.read_tokens.empty()) {
    return ClientIdentity{"", true};
  }
  if (caller.bearer.empty()) {
    return Refuse(caller, method, "no_token",
                  absl::UnauthenticatedError(
                      "this coordinator needs a client token: set TANDEM_TOKEN or --token_file"));
  }
  // Both lists are walked whatever the first finds: the time does not say which matched.
  const ClientToken* client = ClientTokenOf(caller.bearer);
  const bool read = TokenIn(caller.bearer, options_.read_tokens);
  if (client == nullptr && !read) {
    return Refuse(caller, method, "wrong_token",
                  absl::UnauthenticatedError("the client token was not accepted"));
  }
  if (client == nullptr && access == ClientAccess::kChange) {
    return Refuse(caller, method, "read_only_token",
                  absl::PermissionDeniedError(absl::StrCat(
                      method, " changes jobs and needs a client token; this token may only "
                      "read (status, events, downloads, translation)")));
  }
  if (client == nullptr) return ClientIdentity{"", true};  // a read token reads every job
  return ClientIdentity{client->user, client->admin};
}

absl::Status AccessControl::CheckOwner(const Caller& caller, const char* method,
                                       const ClientIdentity& who, const std::string& job_id,
                                       const std::string& owner) {
  if (who.all_jobs || owner.empty() || owner == who.user) return absl::OkStatus();
  return Refuse(caller, method, "other_users_job",
                absl::PermissionDeniedError(absl::StrCat(
                    "job ", job_id, " belongs to another user; user '", who.user,
                    "' may act only on the jobs it submitted (an admin token acts on all)")));
}

absl::StatusOr<ClientIdentity> AccessControl::CheckJobCall(const Caller& caller,
                                                           const char* method,
                                                           ClientAccess access,
                                                           const std::string& job_id,
                                                           const OwnerLookup& owner_of) {
  absl::StatusOr<ClientIdentity> who = CheckClient(caller, method, access);
  if (!who.ok() || who->all_jobs) return who;
  absl::StatusOr<std::string> owner = owner_of(job_id);
  if (!owner.ok()) return who;
  if (absl::Status s = CheckOwner(caller, method, *who, job_id, *owner); !s.ok()) return s;
  return who;
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
  const ClientToken* client = ClientTokenOf(caller.bearer);
  if (!metrics && !read && client == nullptr) {
    return Refuse(caller, kMethod, "wrong_token",
                  absl::UnauthenticatedError("the token was not accepted"));
  }
  // /metrics shows every job: a user's token reads it only while that user is the only one.
  if (!metrics && !read && !client->admin && !SingleUser()) {
    return Refuse(caller, kMethod, "other_users_job",
                  absl::PermissionDeniedError(
                      "/metrics shows every user's jobs: with several users it needs a metrics, "
                      "read or admin token"));
  }
  return absl::OkStatus();
}

bool AccessControl::SingleUser() const {
  for (const ClientToken& t : options_.client_tokens) {
    if (t.user != options_.client_tokens.front().user) return false;
  }
  return true;
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
