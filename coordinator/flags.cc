#include "coordinator/flags.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/secrets.h"
#include "common/status.h"
#include "common/transport_security.h"

namespace tandem {

namespace {

const std::vector<FlagSpec> kOwnFlags = {
    {"listen", true, "host:port for the JobService and ControlService (port 0 picks one)", "ADDR",
     "127.0.0.1:7400"},
    {"data_dir", true, "directory for the state database and job artifacts", "DIR",
     ".tandem/coordinator"},
    {"heartbeat_ms", true, "how often workers send heartbeats", "MS", "500"},
    {"worker_timeout_ms", true, "a worker silent this long is declared lost", "MS", "3000"},
    {"stall_timeout_ms", true, "a generation whose members all wait on each other this long "
     "(a partition) is re-formed without the member they wait for (0: never)", "MS", "10000"},
    {"stall_sit_out_ms", true, "how long that member first sits the job out (doubling at each "
     "repeat, up to 10 minutes)", "MS", "30000"},
    {"metrics_listen", true, "host:port for Prometheus text at /metrics (empty disables)", "ADDR",
     "127.0.0.1:0"},
    {"translate_threads", true, "LibTorch threads for translating with a job's model", "N", "1"},
    {"translate_batch_ms", true, "while translations fill the cores, how long a new request "
     "waits for others to decode with it in one batch (0: each request decodes alone)", "MS",
     "5"},
    {"dashboard_streams", true, "at most this many dashboard pages open at once (live updates)",
     "N", "32"},
    {"port_file", true, "if set, write the bound port to this file once serving", "PATH", ""},
    {"client_token_file", true, "a file holding a user's client token: [USER=]FILE, the user "
     "being the file's base name without extension unless given; a user acts only on the jobs "
     "it submitted (repeatable; required off loopback)", "[USER=]FILE"},
    {"admin_token_file", true, "like --client_token_file, for a user who acts on every user's "
     "jobs (repeatable)", "[USER=]FILE"},
    {"join_token_file", true, "a file holding the workers' join token (repeatable; required off "
     "loopback)", "FILE"},
    {"read_token_file", true, "a file holding a token for client calls that only read: status, "
     "events, downloads, translation, /metrics (repeatable)", "FILE"},
    {"metrics_token_file", true, "a file holding a token that may read /metrics and nothing "
     "else (repeatable)", "FILE"},
    {"corpus_root", true, "a directory whose files jobs may name by path (repeatable; default: "
     "none, jobs use uploaded files)", "DIR"},
    {"max_upload_bytes", true, "the largest file a client may upload", "BYTES", "4294967296"},
    {"upload_quota_bytes", true, "all uploads together", "BYTES", "68719476736"},
    {"upload_ttl_hours", true, "an upload no job in progress names is removed once unused this "
     "long", "H", "24"},
    {"max_jobs", true, "jobs kept; submitting more is refused", "N", "10000"},
    {"max_events_per_job", true, "events kept per job (the oldest go)", "N", "100000"},
    {"job_retention", true, "delete ended jobs (state, files, logs) this long after they ended, "
     "e.g. 720h (empty: keep them until tandem delete)", "DURATION", ""},
    {"max_log_bytes_per_job", true, "worker log lines kept per job (tandem logs)", "BYTES",
     "67108864"},
    {"version", false, "print the version and exit", "", ""},
    {"help", false, "show this help", "", ""}};

}  // namespace

std::vector<FlagSpec> CoordinatorFlags() {
  std::vector<FlagSpec> flags = kOwnFlags;
  for (auto& f : TransportSecurityFlags(/*with_insecure=*/true)) flags.push_back(f);
  return flags;
}

absl::StatusOr<CoordinatorServerOptions> CoordinatorOptionsFromFlags(
    const absl::StatusOr<ParsedArgs>& args) {
  TANDEM_RETURN_IF_ERROR(args.status());
  CoordinatorServerOptions o;
  if (!args->positional.empty()) {
    return absl::InvalidArgumentError("unexpected argument '" + args->positional[0] + "'");
  }
  o.coordinator.data_dir = args->Get("data_dir");
  TANDEM_ASSIGN_OR_RETURN(int64_t heartbeat_ms, args->GetInt("heartbeat_ms", 1, 3'600'000));
  TANDEM_ASSIGN_OR_RETURN(int64_t timeout_ms, args->GetInt("worker_timeout_ms", 1, 86'400'000));
  TANDEM_ASSIGN_OR_RETURN(o.translate_threads, args->GetInt("translate_threads", 1, 1024));
  TANDEM_ASSIGN_OR_RETURN(int64_t batch_ms, args->GetInt("translate_batch_ms", 0, 1000));
  o.translate_batch_wait = std::chrono::milliseconds(batch_ms);
  TANDEM_ASSIGN_OR_RETURN(int64_t streams, args->GetInt("dashboard_streams", 1, 1000));
  o.dashboard_streams = static_cast<size_t>(streams);
  o.coordinator.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
  o.coordinator.worker_timeout = std::chrono::milliseconds(timeout_ms);
  TANDEM_ASSIGN_OR_RETURN(int64_t stall_ms, args->GetInt("stall_timeout_ms", 0, 86'400'000));
  // Waits are reported once they last a second, at heartbeat intervals: a shorter timeout
  // would call ordinary slow steps stalls.
  if (stall_ms != 0 && stall_ms < 2000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--stall_timeout_ms: ", stall_ms, " is below 2000 (0 turns the check off)"));
  }
  o.coordinator.stall_timeout = std::chrono::milliseconds(stall_ms);
  TANDEM_ASSIGN_OR_RETURN(int64_t sit_out_ms, args->GetInt("stall_sit_out_ms", 1, 600'000));
  o.coordinator.stall_sit_out = std::chrono::milliseconds(sit_out_ms);
  o.coordinator.corpus_roots = args->All("corpus_root");
  constexpr int64_t kMaxBytes = int64_t{1} << 50;
  TANDEM_ASSIGN_OR_RETURN(int64_t max_upload, args->GetInt("max_upload_bytes", 0, kMaxBytes));
  TANDEM_ASSIGN_OR_RETURN(int64_t quota, args->GetInt("upload_quota_bytes", 0, kMaxBytes));
  o.coordinator.max_upload_bytes = static_cast<uint64_t>(max_upload);
  o.coordinator.upload_quota_bytes = static_cast<uint64_t>(quota);
  TANDEM_ASSIGN_OR_RETURN(int64_t ttl_hours, args->GetInt("upload_ttl_hours", 1, 100'000));
  o.coordinator.upload_ttl = std::chrono::hours(ttl_hours);
  TANDEM_ASSIGN_OR_RETURN(int64_t max_jobs, args->GetInt("max_jobs", 1, kMaxBytes));
  TANDEM_ASSIGN_OR_RETURN(int64_t max_events, args->GetInt("max_events_per_job", 10, kMaxBytes));
  o.coordinator.limits = {static_cast<uint64_t>(max_jobs), static_cast<uint64_t>(max_events)};
  if (const std::string retention = args->Get("job_retention"); !retention.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(retention, &d) || d < absl::Minutes(1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--job_retention: '", retention, "' is not a duration of at least 1m (e.g. 720h)"));
    }
    o.coordinator.job_retention = absl::ToChronoMilliseconds(d);
  }
  TANDEM_ASSIGN_OR_RETURN(int64_t log_bytes,
                          args->GetInt("max_log_bytes_per_job", 4096, kMaxBytes));
  o.coordinator.max_log_bytes_per_job = static_cast<uint64_t>(log_bytes);
  o.listen = args->Get("listen");
  o.metrics_listen = args->Get("metrics_listen");
  o.port_file = args->Get("port_file");
  TANDEM_ASSIGN_OR_RETURN(o.security, TransportSecurityFromFlags(*args, true));
  TANDEM_ASSIGN_OR_RETURN(
      o.access.client_tokens,
      ClientTokensFromFlags(args->All("client_token_file"), args->All("admin_token_file")));
  TANDEM_ASSIGN_OR_RETURN(o.access.join_tokens, ReadTokenFiles(args->All("join_token_file")));
  TANDEM_ASSIGN_OR_RETURN(o.access.read_tokens, ReadTokenFiles(args->All("read_token_file")));
  TANDEM_ASSIGN_OR_RETURN(o.access.metrics_tokens,
                          ReadTokenFiles(args->All("metrics_token_file")));
  return o;
}

}  // namespace tandem
