#include "coordinator/dashboard.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/proto_json.h"
#include "common/transport_security.h"

namespace tandem {

namespace v1 = ::tandem::v1;

namespace {

// Whether a Host header ("name[:port]", "[v6]:port") names a loopback address literally.
bool LoopbackHost(const std::string& host) {
  const std::string name = absl::AsciiStrToLower(host);
  // IsLoopbackAddress also takes gRPC's "unix:" and "ipv4:" targets, never a browser's Host.
  if (absl::StartsWith(name, "unix") || absl::StartsWith(name, "ipv")) return false;
  return IsLoopbackAddress(name);
}

using Query = std::vector<std::pair<std::string, std::string>>;

constexpr uint32_t kMaxJobsLimit = 10000;
constexpr uint32_t kMaxEventsLimit = 10000;
constexpr uint32_t kStreamEventsPerMessage = 500;
constexpr size_t kStreamPointsPerMessage = 2000;

// %XX and '+' decoded; a malformed escape stays as it is.
int HexDigit(char c) {
  return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
}

std::string Decode(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && absl::ascii_isxdigit(s[i + 1]) &&
        absl::ascii_isxdigit(s[i + 2])) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

Query ParseQuery(absl::string_view query) {
  Query out;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    out.emplace_back(Decode(part.substr(0, eq)),
                     eq == absl::string_view::npos ? "" : Decode(part.substr(eq + 1)));
  }
  return out;
}

std::string Get(const Query& q, absl::string_view key, std::string fallback = "") {
  for (const auto& [k, v] : q) {
    if (k == key) return v;
  }
  return fallback;
}

// A flag of the query: "1"/"true" or "0"/"false"; absent: false.
absl::StatusOr<bool> GetBool(const Query& q, absl::string_view key) {
  const std::string v = Get(q, key, "0");
  if (v != "0" && v != "1" && v != "true" && v != "false") {
    return absl::InvalidArgumentError(absl::StrCat(key, ": expected 1 or 0"));
  }
  return v == "1" || v == "true";
}

// The parameter as a whole number in [min, max]; `fallback` when absent.
absl::StatusOr<int64_t> GetInt(const Query& q, absl::string_view key, int64_t min, int64_t max,
                               int64_t fallback) {
  const std::string v = Get(q, key, "\x01");
  if (v == "\x01") return fallback;
  int64_t n = 0;
  if (!absl::SimpleAtoi(v, &n) || n < min || n > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": expected a whole number from ", min, " to ", max, ", got '", v, "'"));
  }
  return n;
}

int HttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kUnimplemented: return 501;
    default: return 500;
  }
}

HttpResponse Json(int status, std::string body) {
  HttpResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = std::move(body);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

HttpResponse Error(const absl::Status& status) {
  std::string code = absl::StatusCodeToString(status.code());
  absl::AsciiStrToLower(&code);
  HttpResponse res = Json(HttpStatus(status.code()),
                          absl::StrCat("{\"code\":", JsonString(code),
                                       ",\"error\":", JsonString(status.message()), "}"));
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tandem\"");
  }
  return res;
}

HttpResponse MethodNotAllowed(const char* allow) {
  HttpResponse res = Error(absl::InvalidArgumentError(absl::StrCat("method not allowed: ", allow)));
  res.status = 405;
  res.headers.emplace_back("Allow", allow);
  return res;
}

// Every `stride`-th point, every validation point and the last: at most about max_points.
std::vector<v1::MetricPoint> Thin(std::vector<v1::MetricPoint> points, size_t max_points) {
  if (max_points == 0 || points.size() <= max_points) return points;
  const size_t stride = (points.size() + max_points - 1) / max_points;
  std::vector<v1::MetricPoint> out;
  for (size_t i = 0; i < points.size(); ++i) {
    if (i % stride == 0 || points[i].has_validation() || i + 1 == points.size()) {
      out.push_back(std::move(points[i]));
    }
  }
  return out;
}

std::string SseEvent(absl::string_view name, absl::string_view data) {
  return absl::StrCat("event: ", name, "\ndata: ", data, "\n\n");
}

// /api/stream: what changed since the last message, one message per poll at most.
class DashboardStream : public HttpEventStream {
 public:
  DashboardStream(Dashboard* dashboard, std::string owner, std::string job_id,
                  int64_t after_seq, uint64_t after_step)
      : d_(dashboard),
        owner_(std::move(owner)),
        job_id_(std::move(job_id)),
        after_seq_(after_seq),
        after_step_(after_step) {}

  std::string Next() override {
    std::string out;
    if (first_) out = "retry: 2000\n\n";  // the browser reconnects 2 s after a close
    first_ = false;
    std::string snapshot = d_->Snapshot(owner_);
    if (snapshot != last_snapshot_) {
      out += SseEvent("snapshot", absl::StrCat("{\"now_unix_ms\":", d_->coordinator().NowMs(),
                                               ",", snapshot, "}"));
      last_snapshot_ = std::move(snapshot);
    }
    if (!job_id_.empty()) AppendJob(&out);
    const auto now = std::chrono::steady_clock::now();
    if (out.empty() && now - last_sent_ >= d_->options().keepalive) out = ": keepalive\n\n";
    if (!out.empty()) last_sent_ = now;
    return out;
  }

 private:
  void AppendJob(std::string* out) {
    Coordinator& c = d_->coordinator();
    absl::StatusOr<v1::JobInfo> job = c.GetJob(job_id_);
    if (!job.ok()) {
      *out += SseEvent("failure", Error(job.status()).body);
      job_id_.clear();  // nothing more of it
      return;
    }
    std::string json = JsonObject(*job);
    if (json != last_job_) {
      *out += SseEvent("job", json);
      last_job_ = std::move(json);
    }
    auto events = c.ListEvents(job_id_, after_seq_, kStreamEventsPerMessage);
    if (events.ok() && !events->empty()) {
      after_seq_ = events->back().seq();
      *out += SseEvent("events", JsonArray(*events));
    }
    if (job->progress().step() > after_step_) {
      auto points = c.GetMetrics(job_id_, after_step_);
      if (points.ok()) {
        std::vector<v1::MetricPoint> fresh = std::move(*points);
        if (fresh.size() > kStreamPointsPerMessage) fresh.resize(kStreamPointsPerMessage);
        if (!fresh.empty()) {
          after_step_ = fresh.back().step();
          *out += SseEvent("metrics", JsonArray(fresh));
        }
      }
    }
  }

  Dashboard* const d_;
  const std::string owner_;  // "": every job's snapshot; else that user's jobs only
  std::string job_id_;  // "" without a job (or once it is gone)
  int64_t after_seq_;
  uint64_t after_step_;
  bool first_ = true;
  std::string last_snapshot_;
  std::string last_job_;
  std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
};

// The step in a checkpoint file's name (step-NNNNNNN.ckpt); 0 for another name.
uint64_t CheckpointStep(const std::string& path) {
  const std::optional<int64_t> step =
      ParseCheckpointFileName(std::filesystem::path(path).filename().string());
  return step.has_value() && *step > 0 ? static_cast<uint64_t>(*step) : 0;
}

bool IsPage(const std::string& path) {
  if (path == "/" || path == "/index.html") return true;
  constexpr absl::string_view kJobs = "/jobs/";
  return absl::StartsWith(path, kJobs) && path.size() > kJobs.size() &&
         path.find('/', kJobs.size()) == std::string::npos;
}

}  // namespace

v1::JobInfo DashboardJob(const v1::JobInfo& job) {
  v1::JobInfo s = JobSummary(job);
  const v1::JobProgress& p = job.progress();
  v1::JobProgress& o = *s.mutable_progress();
  o.set_loss(p.loss());
  o.set_tokens_per_second(p.tokens_per_second());
  o.set_valid_loss(p.valid_loss());
  o.set_valid_bleu(p.valid_bleu());
  o.set_best_valid_bleu(p.best_valid_bleu());
  o.set_valid_step(p.valid_step());
  o.set_epoch(p.epoch());
  o.set_started_unix_ms(p.started_unix_ms());
  o.set_checkpoint_step(p.checkpoint_step());
  o.set_model_ready(p.model_ready());
  s.mutable_spec()->mutable_training()->set_max_steps(job.spec().training().max_steps());
  s.mutable_spec()->mutable_training()->set_epochs(job.spec().training().epochs());
  s.set_deadline_unix_ms(job.deadline_unix_ms());
  return s;
}

Dashboard::Dashboard(Coordinator* coordinator, AccessControl* access, DashboardOptions options)
    : c_(coordinator), access_(access), options_(std::move(options)) {}

std::string Dashboard::Snapshot(const std::string& owner) {
  absl::MutexLock lock(&mu_);
  const auto now = std::chrono::steady_clock::now();
  CachedSnapshot& cached = snapshots_[owner];
  if (!cached.json.empty() && now - cached.time < options_.snapshot_cache) return cached.json;
  v1::ListJobsRequest request;
  request.set_limit(options_.snapshot_jobs);

  auto listed = c_->ListJobs(request, owner);
  v1::ListJobsResponse jobs;
  if (listed.ok()) {
    jobs.set_total(listed->total());
    jobs.set_next_page_token(listed->next_page_token());
    for (const v1::JobInfo& j : listed->jobs()) *jobs.add_jobs() = DashboardJob(j);
  }
  cached.json = absl::StrCat("\"jobs\":", JsonObject(jobs),
                             ",\"workers\":", JsonArray(c_->ListWorkers(owner)));
  cached.time = now;
  return cached.json;
}

HttpResponse Dashboard::Handle(const HttpRequest& request) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (request.path == "/metrics") {
    return MetricsResponse(
        request,
        [this](const std::string& peer, const std::string& bearer) {
          return access_->CheckMetrics(Caller{peer, "", bearer, ""});
        },
        options_.prometheus);
  }
  if (absl::StartsWith(request.path, "/api/")) return Api(request);
  if (IsPage(request.path)) {
    if (!read) return MethodNotAllowed("GET, HEAD");
    HttpResponse res;
    res.content_type = "text/html; charset=utf-8";
    res.body = DashboardPage();
    res.headers = {{"Cache-Control", "no-store"},
                   {"X-Content-Type-Options", "nosniff"},
                   {"X-Frame-Options", "DENY"},
                   {"Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"}};
    return res;
  }
  HttpResponse res;
  res.status = 404;
  res.body = "not found: the dashboard is at /, its API under /api/, metrics at /metrics\n";
  return res;
}

HttpResponse Dashboard::Api(const HttpRequest& request) {
  // /api/<a>[/<id>[/<b>]]
  std::vector<std::string> parts = absl::StrSplit(request.path.substr(5), '/');
  const std::string& a = parts[0];
  const bool cancel = parts.size() == 3 && a == "jobs" && parts[2] == "cancel";
  const bool read = request.method == "GET" || request.method == "HEAD";
  const bool known =
      (parts.size() == 1 && (a == "jobs" || a == "workers" || a == "stream")) ||
      (a == "jobs" && parts.size() == 2) ||
      (a == "jobs" && parts.size() == 3 &&
       (parts[2] == "events" || parts[2] == "metrics" || parts[2] == "translate" ||
        parts[2] == "model" || cancel)) ||
      (a == "jobs" && parts.size() == 4 && (parts[2] == "model" || parts[2] == "checkpoints"));
  if (!known) {
    return Error(absl::NotFoundError(absl::StrCat(
        "no such API path: ", request.path,
        " (try /api/jobs, /api/jobs/<id>, /api/jobs/<id>/events, /api/jobs/<id>/metrics, "
        "/api/jobs/<id>/translate, /api/jobs/<id>/model, /api/workers, /api/stream)")));
  }
  if (cancel && request.method != "POST") return MethodNotAllowed("POST");
  if (!cancel && !read) return MethodNotAllowed("GET, HEAD");
  if (options_.loopback_hosts_only && !LoopbackHost(request.host)) {
    return Error(absl::PermissionDeniedError(absl::StrCat(
        "Host '", request.host.substr(0, 100),
        "' is not a loopback address: without tokens the API answers only to 127.0.0.1, "
        "[::1] or localhost (set --client_token_file or --read_token_file to use a name)")));
  }
  if (!options_.api_allowed) {
    return Error(absl::PermissionDeniedError(
        "the dashboard's API on a port off loopback needs --client_token_file or "
        "--read_token_file on the coordinator"));
  }
  const Caller caller{request.peer, "", request.bearer, ""};
  if (cancel) {
    // A form on another site can POST without a token where none is configured; a browser
    // says where the request comes from.
    if (!request.origin.empty() && request.origin != "http://" + request.host &&
        request.origin != "https://" + request.host) {
      return Error(access_->Refuse(caller, "POST /api/jobs/<id>/cancel", "cross_origin",
                                   absl::PermissionDeniedError(absl::StrCat(
                                       "a cancel from another origin (", request.origin,
                                       ") is refused"))));
    }
  }
  const Query q = ParseQuery(request.query);
  // The job the request is about: /api/jobs/<id>/..., or a stream's ?job=.
  const std::string job_id = parts.size() >= 2 ? parts[1] : a == "stream" ? Get(q, "job") : "";
  const char* method = cancel ? "CancelJob" : "dashboard API";
  const ClientAccess access = cancel ? ClientAccess::kChange : ClientAccess::kRead;
  absl::StatusOr<ClientIdentity> who =
      job_id.empty() ? access_->CheckClient(caller, method, access)
                     : access_->CheckJobCall(caller, method, access, job_id,
                                             [this](const std::string& id) {
                                               return c_->JobOwner(id);
                                             });
  if (!who.ok()) return Error(who.status());
  const std::string owner = who->all_jobs ? "" : who->user;  // a user sees its own jobs only
  if (!job_id.empty()) {
    if (absl::Status s = CheckPathComponent(parts.size() >= 2 ? "job id" : "job", job_id);
        !s.ok()) {
      return Error(s);
    }
  }

  if (a == "workers") return Json(200, JsonArray(c_->ListWorkers(owner)));
  if (a == "stream") {
    auto after_seq = GetInt(q, "after_seq", 0, INT64_MAX, 0);
    if (!after_seq.ok()) return Error(after_seq.status());
    auto after_step = GetInt(q, "after_step", 0, INT64_MAX, 0);
    if (!after_step.ok()) return Error(after_step.status());
    HttpResponse res;
    res.content_type = "text/event-stream";
    res.stream = std::make_unique<DashboardStream>(this, owner, job_id, *after_seq,
                                                   static_cast<uint64_t>(*after_step));
    return res;
  }
  if (parts.size() == 1) {  // /api/jobs
    v1::ListJobsRequest list;
    auto limit = GetInt(q, "limit", 1, kMaxJobsLimit, 100);
    if (!limit.ok()) return Error(limit.status());
    list.set_limit(static_cast<uint32_t>(*limit));
    list.set_page_token(Get(q, "page_token"));
    list.set_state(Get(q, "state"));
    list.set_name(Get(q, "name"));
    for (const auto& [k, v] : q) {
      if (k == "label") list.add_labels(v);
    }
    const std::string summary = Get(q, "summary", "false");
    if (summary != "true" && summary != "false" && summary != "1" && summary != "0") {
      return Error(absl::InvalidArgumentError("summary: expected true or false"));
    }
    list.set_summary(summary == "true" || summary == "1");
    auto jobs = c_->ListJobs(list, owner);
    if (!jobs.ok()) return Error(jobs.status());
    return Json(200, JsonObject(*jobs));
  }
  const std::string& id = parts[1];
  if (parts.size() == 2) {
    auto job = c_->GetJob(id);
    return job.ok() ? Json(200, JsonObject(*job)) : Error(job.status());
  }
  if (cancel) {
    auto job = c_->CancelJob(id);
    return job.ok() ? Json(200, JsonObject(*job)) : Error(job.status());
  }
  if (parts[2] == "translate") return Translate(id, q);
  if (parts.size() == 4) return Download(id, parts[2], Decode(parts[3]));
  if (parts[2] == "model") return ModelFiles(id);
  if (parts[2] == "events") {
    auto after_seq = GetInt(q, "after_seq", 0, INT64_MAX, 0);
    if (!after_seq.ok()) return Error(after_seq.status());
    auto limit = GetInt(q, "limit", 1, kMaxEventsLimit, 1000);
    if (!limit.ok()) return Error(limit.status());
    auto newest = GetBool(q, "newest");
    if (!newest.ok()) return Error(newest.status());
    auto events = c_->ListEvents(id, *after_seq, static_cast<uint32_t>(*limit), "",
                                 {Get(q, "kind"), *newest});
    return events.ok() ? Json(200, JsonArray(*events)) : Error(events.status());
  }
  // metrics
  auto after_step = GetInt(q, "after_step", 0, INT64_MAX, 0);
  if (!after_step.ok()) return Error(after_step.status());
  auto max_points = GetInt(q, "max_points", 0, 1000000, 0);
  if (!max_points.ok()) return Error(max_points.status());
  auto points = c_->GetMetrics(id, static_cast<uint64_t>(*after_step));
  if (!points.ok()) return Error(points.status());
  return Json(200, JsonArray(Thin(std::move(*points), static_cast<size_t>(*max_points))));
}

HttpResponse Dashboard::Translate(const std::string& id, const Query& q) {
  if (!options_.translate) {
    return Error(absl::UnimplementedError("this coordinator was started without translation"));
  }
  v1::TranslateRequest request;
  request.set_job_id(id);
  for (const auto& [k, v] : q) {
    if (k == "text") request.add_sentences(v);
  }
  if (request.sentences_size() == 0) {
    return Error(absl::InvalidArgumentError("text: give a sentence (?text=...; one per text)"));
  }
  if (request.sentences_size() > kMaxDashboardSentences) {
    return Error(absl::InvalidArgumentError(
        absl::StrCat("text: at most ", kMaxDashboardSentences, " sentences per request, got ",
                     request.sentences_size(), " (tandem translate takes files)")));
  }
  auto beam = GetInt(q, "beam", 1, 64, 5);
  if (!beam.ok()) return Error(beam.status());
  auto n_best = GetInt(q, "n_best", 1, 64, 1);
  if (!n_best.ok()) return Error(n_best.status());
  auto attention = GetBool(q, "attention");
  if (!attention.ok()) return Error(attention.status());
  auto heads = GetBool(q, "heads");
  if (!heads.ok()) return Error(heads.status());
  if (*heads && !*attention) {
    return Error(absl::InvalidArgumentError(
        "heads: each head's attention comes with attention=1 (greedy decoding)"));
  }
  auto replace_unk = GetBool(q, "replace_unk");
  if (!replace_unk.ok()) return Error(replace_unk.status());
  auto bf16 = GetBool(q, "bf16");
  if (!bf16.ok()) return Error(bf16.status());
  auto int8 = GetBool(q, "int8");
  if (!int8.ok()) return Error(int8.status());
  if (const std::string lp = Get(q, "length_penalty", ""); !lp.empty()) {
    double alpha = 0;
    if (!absl::SimpleAtod(lp, &alpha)) {
      return Error(absl::InvalidArgumentError("length_penalty: expected a number"));
    }
    request.set_length_penalty(alpha);  // its range is the model server's check
  }
  request.set_beam_size(static_cast<uint32_t>(*beam));
  request.set_n_best(static_cast<uint32_t>(*n_best));
  request.set_attention(*attention);
  request.set_heads(*heads);
  request.set_replace_unk(*replace_unk);
  request.set_bf16(*bf16);
  request.set_int8(*int8);
  HttpResponse res;
  res.deferred = [translate = options_.translate, request = std::move(request)] {
    absl::StatusOr<v1::TranslateResponse> r = translate(request);
    return r.ok() ? Json(200, JsonObject(*r)) : Error(r.status());
  };
  return res;
}

HttpResponse Dashboard::ModelFiles(const std::string& id) {
  auto job = c_->GetJob(id);
  if (!job.ok()) return Error(job.status());
  v1::ModelFilesResponse out;
  auto files = c_->ModelFiles(id);  // FailedPrecondition: nothing to download yet
  if (files.ok()) {
    for (const auto& [name, path] : *files) {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;
      v1::ModelFileInfo* f = out.add_files();
      f->set_file(name);
      f->set_bytes(static_cast<uint64_t>(st.st_size));
      if (name == "model.ckpt") {
        const bool final = absl::EndsWith(path, "/model/model.ckpt");
        out.set_model(final ? "final" : "checkpoint");
        out.set_model_step(final ? job->progress().step() : CheckpointStep(path));
      }
    }
  }
  for (const CheckpointFile& f : ListCheckpoints(c_->JobDir(id) + "/checkpoints")) {
    struct stat st;
    if (::stat(f.path.c_str(), &st) != 0) continue;  // rotated away meanwhile
    v1::CheckpointInfo* c = out.add_checkpoints();
    c->set_step(static_cast<uint64_t>(f.step));
    c->set_bytes(static_cast<uint64_t>(st.st_size));
    c->set_unix_ms(int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000);
  }
  return Json(200, JsonObject(out));
}

HttpResponse Dashboard::Download(const std::string& id, const std::string& kind,
                                 const std::string& name) {
  std::string path;
  std::string file_name;
  if (kind == "model") {
    auto files = c_->ModelFiles(id);
    if (!files.ok()) return Error(files.status());
    for (const auto& [n, p] : *files) {
      if (n == name) path = p;
    }
    if (path.empty()) {
      return Error(absl::NotFoundError(absl::StrCat(
          "no model file '", name.substr(0, 64),
          "' (job.json, source.model, target.model, model.ckpt; GET /api/jobs/", id,
          "/model lists them)")));
    }
    file_name = absl::StrCat(id, "-", name);
  } else {
    int64_t step = 0;
    if (!absl::SimpleAtoi(name, &step) || step < 0) {
      return Error(absl::InvalidArgumentError(
          absl::StrCat("checkpoint: expected a step number, got '", name.substr(0, 64), "'")));
    }
    if (auto job = c_->GetJob(id); !job.ok()) return Error(job.status());
    for (const CheckpointFile& f : ListCheckpoints(c_->JobDir(id) + "/checkpoints")) {
      if (f.step == step) path = f.path;
    }
    if (path.empty()) {
      return Error(absl::NotFoundError(absl::StrCat("job ", id, " keeps no checkpoint of step ",
                                                    step, " (GET /api/jobs/", id,
                                                    "/model lists the kept ones)")));
    }
    file_name = absl::StrCat(id, "-step-", step, ".ckpt");
  }
  HttpResponse res;
  res.content_type = "application/octet-stream";
  res.file = path;
  res.headers = {{"Cache-Control", "no-store"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Content-Disposition", absl::StrCat("attachment; filename=\"", file_name, "\"")}};
  return res;
}

}  // namespace tandem
