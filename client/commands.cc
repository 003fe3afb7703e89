#include "client/commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/flags.h"
#include "client/job_client.h"
#include "client/plot_svg.h"
#include "client/render.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/job_states.h"
#include "common/status.h"
#include "model/attention_svg.h"
#include "model/score_report.h"
#include "google/protobuf/util/json_util.h"

namespace tandem {
namespace {

using tandem::v1::JobInfo;

constexpr char kDefaultCoordinator[] = "127.0.0.1:7400";

struct Context {
  std::string coordinator;
  bool json = false;
  std::ostream* out;
  std::ostream* err;
  JobClient* client;
};

struct Command {
  std::string name;
  std::string usage;    // "JOB_ID"
  std::string summary;  // one line
  std::vector<FlagSpec> flags;
  std::function<int(const ParsedArgs&, Context&)> run;
};

int ExitFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
      return kExitBadInput;
    case absl::StatusCode::kUnavailable:
      return kExitUnavailable;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    default:
      return kExitError;
  }
}

int Fail(Context& ctx, const absl::Status& s) {
  *ctx.err << "tandem: " << s.message() << "\n";
  return ExitFor(s);
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

template <typename T>
std::string ToJsonArray(const std::vector<T>& items) {
  std::vector<std::string> parts;
  for (const auto& i : items) parts.push_back(ToJson(i));
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}


int ExitForState(v1::JobState s) {
  switch (s) {
    case v1::JOB_STATE_SUCCEEDED:
      return kExitOk;
    case v1::JOB_STATE_CANCELLED:
      return kExitCancelled;
    default:
      return kExitJobFailed;
  }
}


// --- watch ---------------------------------------------------------------------------------

// "step 120/2000  epoch 0  loss 4.321  2450 tok/s (2 workers)  valid BLEU 12.30  ETA 5m10s"
std::string ProgressLine(const JobInfo& j) {
  const auto& p = j.progress();
  std::string line = absl::StrCat("step ", p.step());
  const uint64_t max_steps = j.spec().training().max_steps();
  if (max_steps > 0) absl::StrAppend(&line, "/", max_steps);
  absl::StrAppend(&line, absl::StrFormat("  epoch %d  loss %.3f  %.0f tok/s", p.epoch(), p.loss(),
                                         p.tokens_per_second()));
  if (p.worker_tokens_per_second_size() > 1) {
    std::vector<std::string> per;
    for (const auto& m : j.assignments()) {
      auto it = p.worker_tokens_per_second().find(m.worker_id());
      if (it != p.worker_tokens_per_second().end()) {
        per.push_back(absl::StrFormat("r%d %.0f", m.rank(), it->second));
      }
    }
    // Ranks are known only while the job has its members.
    if (!per.empty()) absl::StrAppend(&line, " (", absl::StrJoin(per, ", "), ")");
  }
  // The time the other ranks wait each step for the slowest one.
  if (!p.straggler_worker().empty()) {
    for (const auto& m : j.assignments()) {
      if (m.worker_id() == p.straggler_worker()) {
        absl::StrAppend(&line, absl::StrFormat("  straggler r%d +%.0fms", m.rank(),
                                               p.straggler_ms()));
      }
    }
  }
  if (p.valid_step() > 0) absl::StrAppend(&line, absl::StrFormat("  valid BLEU %.2f", p.valid_bleu()));
  if (max_steps > 0 && p.step() > 0 && p.started_unix_ms() > 0) {
    const double per_step = static_cast<double>(NowMs() - p.started_unix_ms()) / p.step();
    absl::StrAppend(&line, "  ETA ",
                    HumanDuration(static_cast<int64_t>(per_step * (max_steps - p.step()))));
  }
  return line;
}

// Prints the job's events as they happen until it ends (or reaches `until`: "ready" = all
// workers have their shards, "running"). Returns the exit code for the outcome.
int Watch(Context& ctx, const std::string& id, const std::string& until, int64_t timeout_s) {
  int64_t after = 0;
  uint64_t shown_step = 0;
  int64_t shown_ms = 0;
  bool progress_open = false;  // a progress line without its newline is on the terminal
  const int64_t deadline = timeout_s > 0 ? NowMs() + timeout_s * 1000 : 0;
  while (true) {
    auto events = ctx.client->Events(id, after, 1000);
    if (!events.ok()) return Fail(ctx, events.status());
    bool ready = false;
    for (const auto& e : *events) {
      after = e.seq();
      if (progress_open) {
        *ctx.out << "\n";
        progress_open = false;
      }
      if (ctx.json) {
        *ctx.out << ToJson(e) << "\n";
      } else {
        *ctx.out << HumanTime(e.unix_ms()) << "  " << e.kind() << "  " << e.message() << "\n";
      }
      if (e.kind() == "all_ready") ready = true;
    }
    ctx.out->flush();
    auto job = ctx.client->Get(id);
    if (!job.ok()) return Fail(ctx, job.status());
    // A progress line when the step moved: on a terminal rewritten in place every 2 s,
    // otherwise (logs, pipes) a new line every 15 s.
    const bool tty = ctx.out == &std::cout && ::isatty(1);
    if (!ctx.json && job->progress().step() != shown_step &&
        NowMs() - shown_ms >= (tty ? 2000 : 15000)) {
      shown_step = job->progress().step();
      shown_ms = NowMs();
      if (tty) {
        *ctx.out << "\r\033[K" << ProgressLine(*job);
        progress_open = true;
      } else {
        *ctx.out << HumanTime(shown_ms) << "  progress  " << ProgressLine(*job) << "\n";
      }
      ctx.out->flush();
    }
    if (IsTerminal(job->state())) {
      if (progress_open) *ctx.out << "\n";
      if (!ctx.json) {
        *ctx.out << "job " << id << " " << StateName(job->state())
                 << (job->message().empty() ? "" : ": " + job->message()) << "\n";
      }
      return ExitForState(job->state());
    }
    if (until == "ready" && ready) return kExitOk;
    if (until == "running" && job->state() == v1::JOB_STATE_RUNNING) return kExitOk;
    if (deadline != 0 && NowMs() > deadline) {
      *ctx.err << "tandem: gave up watching " << id << " after " << timeout_s << " s (state "
               << StateName(job->state()) << ": " << job->message() << ")\n";
      return kExitError;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

// --- subcommands ---------------------------------------------------------------------------

int RunSubmit(const ParsedArgs& a, Context& ctx) {
  v1::JobSpec spec;
  if (a.positional.size() > 1) {
    return Fail(ctx, absl::InvalidArgumentError("submit takes at most one job file"));
  }
  if (!a.positional.empty()) {
    auto parsed = ParseJobFile(a.positional[0]);
    if (!parsed.ok()) return Fail(ctx, parsed.status());
    spec = *parsed;
  }
  // Convenience flags are shorthands for --set.
  const std::vector<std::pair<std::string, std::string>> shorthands = {
      {"name", "name"},
      {"source", "corpus.train_source"},
      {"target", "corpus.train_target"},
      {"tsv", "corpus.train_tsv"},
      {"valid_source", "corpus.valid_source"},
      {"valid_target", "corpus.valid_target"},
      {"workers", "workers.min"},
      {"max_workers", "workers.max"},
      {"attention", "model.attention"},
      {"vocab_size", "tokenizer.vocab_size"},
      {"max_steps", "training.max_steps"},
      {"epochs", "training.epochs"},
  };
  for (const auto& [flag, path] : shorthands) {
    if (!a.Has(flag)) continue;
    std::string value = a.Get(flag);
    if (path.rfind("corpus.", 0) == 0) value = AbsolutePath(value);
    absl::Status s = ApplyOverride(absl::StrCat(path, "=", value), spec);
    if (!s.ok()) return Fail(ctx, s);
  }
  for (const std::string& set : a.All("set")) {
    absl::Status s = ApplyOverride(set, spec);
    if (!s.ok()) return Fail(ctx, s);
  }
  if (a.Has("workers") && !a.Has("max_workers") && spec.workers().max() < spec.workers().min()) {
    spec.mutable_workers()->set_max(spec.workers().min());
  }
  // Refuse a bad spec here with the same message the coordinator would give.
  v1::JobSpec checked = spec;
  ApplyDefaults(checked);
  absl::Status valid = ValidateSpec(checked);
  if (!valid.ok()) return Fail(ctx, valid);
  auto id = ctx.client->Submit(spec);
  if (!id.ok()) return Fail(ctx, id.status());
  if (ctx.json) {
    *ctx.out << "{\"job_id\":\"" << *id << "\"}\n";
  } else {
    *ctx.out << *id << "\n";
  }
  if (a.Has("watch")) {
    int64_t timeout = 0;
    (void)absl::SimpleAtoi(a.Get("timeout", "0"), &timeout);
    return Watch(ctx, *id, a.Get("until"), timeout);
  }
  return kExitOk;
}

int RunList(const ParsedArgs&, Context& ctx) {
  auto jobs = ctx.client->List();
  if (!jobs.ok()) return Fail(ctx, jobs.status());
  if (ctx.json) {
    *ctx.out << ToJsonArray(*jobs) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  const int64_t now = NowMs();
  for (const JobInfo& j : *jobs) {
    const auto& w = j.spec().workers();
    rows.push_back({j.id(), j.spec().name().empty() ? "-" : j.spec().name(), StateName(j.state()),
                    absl::StrCat(j.assignments_size(), "/", w.min(),
                                 w.max() != w.min() ? absl::StrCat("-", w.max()) : ""),
                    j.preparation().kept_pairs() ? absl::StrCat(j.preparation().kept_pairs()) : "-",
                    HumanDuration(now - j.created_unix_ms()), j.message()});
  }
  *ctx.out << RenderTable({"ID", "NAME", "STATE", "WORKERS", "PAIRS", "AGE", "MESSAGE"}, rows);
  return kExitOk;
}

int RunStatus(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem status JOB_ID"));
  }
  auto job = ctx.client->Get(a.positional[0]);
  if (!job.ok()) return Fail(ctx, job.status());
  if (ctx.json) {
    *ctx.out << ToJson(*job) << "\n";
    return kExitOk;
  }
  const JobInfo& j = *job;
  const auto& c = j.spec().corpus();
  const auto& p = j.preparation();
  auto& o = *ctx.out;
  o << "Job:          " << j.id() << (j.spec().name().empty() ? "" : "  (" + j.spec().name() + ")")
    << "\n";
  o << "State:        " << StateName(j.state()) << "\n";
  if (!j.message().empty()) o << "Message:      " << j.message() << "\n";
  o << "Created:      " << HumanTime(j.created_unix_ms()) << " UTC ("
    << HumanDuration(NowMs() - j.created_unix_ms()) << " ago)\n";
  o << "Corpus:       "
    << (c.train_tsv().empty() ? c.train_source() + " + " + c.train_target() : c.train_tsv())
    << "\n";
  o << "Model:        " << j.spec().model().attention() << " attention, "
    << j.spec().model().cell() << ", embedding " << j.spec().model().embedding_dim()
    << ", hidden " << j.spec().model().hidden_dim() << "\n";
  o << "Workers:      " << j.assignments_size() << " assigned (wants " << j.spec().workers().min()
    << "-" << j.spec().workers().max() << ")";
  if (j.generation() > 0) o << ", generation " << j.generation();
  o << "\n";
  if (p.input_pairs() > 0) {
    o << "Preparation:  " << p.kept_pairs() << " of " << p.input_pairs() << " pairs kept ("
      << p.dropped_empty() << " empty, " << p.dropped_too_long() << " too long dropped; "
      << p.crlf_stripped() << " CRLF fixed), " << p.valid_pairs() << " validation pairs\n";
    o << "Tokenizer:    vocabulary " << p.source_vocab() << " / " << p.target_vocab()
      << (j.spec().tokenizer().joint() ? " (joint)" : "") << "\n";
    o << "Shards:       " << p.num_shards() << "\n";
  }
  if (j.progress().step() > 0) {
    const auto& pr = j.progress();
    o << "Progress:     " << ProgressLine(j) << "\n";
    if (pr.valid_step() > 0) {
      o << absl::StrFormat("Validation:   step %d: loss %.3f, BLEU %.2f (best %.2f)\n",
                           pr.valid_step(), pr.valid_loss(), pr.valid_bleu(),
                           pr.best_valid_bleu());
    }
    if (pr.checkpoint_step() > 0) o << "Checkpoint:   step " << pr.checkpoint_step() << "\n";
    if (pr.model_ready()) o << "Model:        ready (tandem download " << j.id() << " DIR)\n";
  }
  if (j.assignments_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    const auto& pr = j.progress();
    for (const auto& m : j.assignments()) {
      auto tps = pr.worker_tokens_per_second().find(m.worker_id());
      auto step = pr.worker_step().find(m.worker_id());
      auto sum = pr.worker_checksum().find(m.worker_id());
      auto compute = pr.worker_compute_ms().find(m.worker_id());
      auto wait = pr.worker_wait_ms().find(m.worker_id());
      const bool timed = compute != pr.worker_compute_ms().end() &&
                         wait != pr.worker_wait_ms().end();
      rows.push_back({absl::StrCat(m.rank()), m.worker_id(), m.address(),
                      absl::StrJoin(m.streams(), ","), absl::StrJoin(m.shards(), ","),
                      m.ready() ? "yes" : "no",
                      step == pr.worker_step().end() ? "-" : absl::StrCat(step->second),
                      tps == pr.worker_tokens_per_second().end()
                          ? "-"
                          : absl::StrFormat("%.0f", tps->second),
                      timed ? absl::StrFormat("%.0f/%.0f", compute->second, wait->second) : "-",
                      sum == pr.worker_checksum().end()
                          ? "-"
                          : absl::StrFormat("%016x", sum->second)});
    }
    o << "\n"
      << RenderTable({"RANK", "WORKER", "ADDRESS", "STREAMS", "SHARDS", "READY", "STEP", "TOK/S",
                      "COMPUTE/WAIT MS", "CHECKSUM"},
                     rows);
  }
  return kExitOk;
}

int RunEvents(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() > 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem events [JOB_ID]"));
  }
  const std::string id = a.positional.empty() ? "" : a.positional[0];
  if (a.Has("follow")) {
    if (id.empty()) return Fail(ctx, absl::InvalidArgumentError("--follow needs a JOB_ID"));
    return Watch(ctx, id, "", 0);
  }
  auto events = ctx.client->Events(id, 0, 100000);
  if (!events.ok()) return Fail(ctx, events.status());
  if (ctx.json) {
    *ctx.out << ToJsonArray(*events) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : *events) {
    std::vector<std::string> row = {HumanTime(e.unix_ms())};
    if (id.empty()) row.push_back(e.job_id());
    row.push_back(e.kind());
    row.push_back(e.message());
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header = {"TIME (UTC)"};
  if (id.empty()) header.push_back("JOB");
  header.push_back("EVENT");
  header.push_back("MESSAGE");
  *ctx.out << RenderTable(header, rows);
  return kExitOk;
}

int RunCancel(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem cancel JOB_ID"));
  }
  auto job = ctx.client->Cancel(a.positional[0]);
  if (!job.ok()) return Fail(ctx, job.status());
  if (ctx.json) {
    *ctx.out << ToJson(*job) << "\n";
  } else {
    *ctx.out << job->id() << " cancelled\n";
  }
  return kExitOk;
}

int RunWatch(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem watch JOB_ID"));
  }
  int64_t timeout = 0;
  if (!absl::SimpleAtoi(a.Get("timeout", "0"), &timeout) || timeout < 0) {
    return Fail(ctx, absl::InvalidArgumentError("--timeout: expected whole seconds >= 0"));
  }
  const std::string until = a.Get("until");
  if (!until.empty() && until != "ready" && until != "running") {
    return Fail(ctx, absl::InvalidArgumentError("--until: expected ready or running"));
  }
  return Watch(ctx, a.positional[0], until, timeout);
}

int RunWorkers(const ParsedArgs&, Context& ctx) {
  auto workers = ctx.client->Workers();
  if (!workers.ok()) return Fail(ctx, workers.status());
  if (ctx.json) {
    *ctx.out << ToJsonArray(*workers) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  const int64_t now = NowMs();
  for (const auto& w : *workers) {
    rows.push_back({w.id(), w.address(), WorkerStateName(w.state()),
                    w.job_id().empty() ? "-" : w.job_id(),
                    w.job_id().empty() ? "-" : absl::StrCat(w.rank()),
                    HumanDuration(now - w.last_heartbeat_unix_ms()) + " ago", w.hostname(),
                    absl::StrCat(w.cpus())});
  }
  *ctx.out << RenderTable(
      {"ID", "ADDRESS", "STATE", "JOB", "RANK", "HEARTBEAT", "HOST", "CPUS"}, rows);
  return kExitOk;
}

// Training curves of a job as SVG: loss, validation BLEU, throughput over steps.
int RunPlot(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1 || !a.Has("o")) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem plot JOB_ID -o FILE.svg"));
  }
  const std::string id = a.positional[0];
  auto points = ctx.client->Metrics(id);
  if (!points.ok()) return Fail(ctx, points.status());
  PlotSeries loss{"train loss", "#1f77b4", {}, false};
  PlotSeries valid_loss{"valid loss", "#d62728", {}, true};
  PlotSeries bleu{"valid BLEU", "#2ca02c", {}, true};
  PlotSeries tps{"tokens/s", "#9467bd", {}, false};
  for (const auto& p : *points) {
    const double x = static_cast<double>(p.step());
    loss.points.push_back({x, p.loss()});
    tps.points.push_back({x, p.tokens_per_second()});
    if (p.has_validation()) {
      valid_loss.points.push_back({x, p.valid_loss()});
      bleu.points.push_back({x, p.valid_bleu()});
    }
  }
  const std::string svg =
      LineChartSvg(absl::StrCat("Tandem job ", id), "step",
                   {{"Loss (label-smoothed cross-entropy per target token)", {loss, valid_loss}},
                    {"Validation BLEU", {bleu}},
                    {"Throughput (target tokens/s, all workers)", {tps}}});
  if (absl::Status s = WriteFileAtomic(a.Get("o"), svg); !s.ok()) return Fail(ctx, s);
  if (ctx.json) {
    *ctx.out << "{\"file\":\"" << a.Get("o") << "\",\"points\":" << points->size() << "}\n";
  } else {
    *ctx.out << "wrote " << a.Get("o") << " (" << points->size() << " steps)\n";
  }
  return kExitOk;
}

int RunDownload(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 2) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem download JOB_ID DIR"));
  }
  auto bytes = ctx.client->DownloadModel(a.positional[0], a.positional[1]);
  if (!bytes.ok()) return Fail(ctx, bytes.status());
  if (ctx.json) {
    *ctx.out << "{\"dir\":\"" << a.positional[1] << "\",\"bytes\":" << *bytes << "}\n";
  } else {
    *ctx.out << "model of " << a.positional[0] << " written to " << a.positional[1] << " ("
             << *bytes << " bytes); try: tandem translate --model " << a.positional[1]
             << " \"a sentence\"\n";
  }
  return kExitOk;
}

// The local (single-process) modes live in tandem-local, which holds LibTorch; `tandem`
// stays a small gRPC client and hands these commands over to it.
std::string LocalBinary() { return ExecutableDir() + "/tandem-local"; }

int ExecLocal(Context& ctx, std::vector<std::string> args) {
  const std::string bin = LocalBinary();
  if (::access(bin.c_str(), X_OK) != 0) {
    return Fail(ctx, absl::FailedPreconditionError(
                         absl::StrCat("the local mode needs ", bin,
                                      " (built with LibTorch: scripts/build.sh tandem-local)")));
  }
  args.insert(args.begin(), bin);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ctx.out->flush();
  ::execv(bin.c_str(), argv.data());
  return Fail(ctx, absl::InternalError(absl::StrCat("cannot run ", bin)));
}

int RunTrain(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("local") || a.positional.size() != 1 || !a.Has("out")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem train --local JOB_FILE --out DIR [--resume] [--threads N] "
                         "(distributed jobs: tandem submit)"));
  }
  std::vector<std::string> args = {"train", a.positional[0], "--out", a.Get("out")};
  if (a.Has("resume")) args.push_back("--resume");
  if (a.Has("threads")) args.insert(args.end(), {"--threads", a.Get("threads")});
  return ExecLocal(ctx, args);
}

// Sentences per Translate request (the coordinator's limit: TranslateRequest.sentences).
constexpr size_t kSentencesPerRequest = 64;

// --job: translated by the coordinator (JobService.Translate); --model DIR: by tandem-local.
int RunTranslate(const ParsedArgs& a, Context& ctx) {
  if (a.Has("model") == a.Has("job")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem translate (--model DIR | --job JOB_ID) [--beam N] "
                         "[SENTENCE ...] (sentences from stdin if none)"));
  }
  if (a.Has("model")) {
    std::vector<std::string> args = {"translate", "--model", a.Get("model")};
    if (a.Has("beam")) args.insert(args.end(), {"--beam", a.Get("beam")});
    args.insert(args.end(), a.positional.begin(), a.positional.end());
    return ExecLocal(ctx, args);
  }
  uint32_t beam = 0;
  if (a.Has("beam") && (!absl::SimpleAtoi(a.Get("beam"), &beam) || beam < 1)) {
    return Fail(ctx, absl::InvalidArgumentError("--beam: expected a positive number"));
  }
  std::vector<std::string> sentences = a.positional;
  if (sentences.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) sentences.push_back(line);
  }
  if (sentences.empty()) return Fail(ctx, absl::InvalidArgumentError("no sentence to translate"));
  v1::TranslateResponse all;
  for (size_t i = 0; i < sentences.size(); i += kSentencesPerRequest) {
    v1::TranslateRequest req;
    req.set_job_id(a.Get("job"));
    req.set_beam_size(beam);
    for (size_t j = i; j < std::min(sentences.size(), i + kSentencesPerRequest); ++j) {
      req.add_sentences(sentences[j]);
    }
    auto resp = ctx.client->Translate(req);
    if (!resp.ok()) {
      if (i == 0 || !absl::IsInvalidArgument(resp.status())) return Fail(ctx, resp.status());
      // The coordinator numbers sentences within a request: name the line overall.
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                           "in sentences ", i + 1, "..", i + req.sentences_size(), ": ",
                           resp.status().message())));
    }
    all.set_model(resp->model());
    all.set_model_step(resp->model_step());
    for (auto& t : *resp->mutable_translations()) *all.add_translations() = std::move(t);
  }
  if (ctx.json) {
    *ctx.out << ToJson(all) << "\n";
    return kExitOk;
  }
  for (const auto& t : all.translations()) *ctx.out << t.text() << "\n";
  *ctx.err << "(" << all.model() << " model of job " << a.Get("job") << ", step "
           << all.model_step() << ")\n";
  return kExitOk;
}

int RunAttention(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("o") || a.positional.size() != 1 || a.Has("model") == a.Has("job")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem attention (--model DIR | --job JOB_ID) -o FILE.svg "
                         "\"SENTENCE\""));
  }
  if (a.Has("model")) {
    return ExecLocal(ctx, {"attention", "--model", a.Get("model"), "-o", a.Get("o"),
                           a.positional[0]});
  }
  v1::TranslateRequest req;
  req.set_job_id(a.Get("job"));
  req.add_sentences(a.positional[0]);
  req.set_attention(true);
  auto resp = ctx.client->Translate(req);
  if (!resp.ok()) return Fail(ctx, resp.status());
  if (resp->translations_size() != 1) {
    return Fail(ctx, absl::InternalError("the coordinator sent no translation"));
  }
  const v1::Translation& t = resp->translations(0);
  const size_t cols = t.source_pieces_size(), rows = t.target_pieces_size();
  if (static_cast<size_t>(t.weights_size()) != rows * cols) {
    return Fail(ctx, absl::InternalError(absl::StrCat(
                         "the coordinator sent ", t.weights_size(), " attention weights for ",
                         rows, " x ", cols, " subwords")));
  }
  std::vector<std::vector<float>> weights(rows);
  for (size_t r = 0; r < rows; ++r) {
    weights[r].assign(t.weights().begin() + r * cols, t.weights().begin() + (r + 1) * cols);
  }
  auto svg = AttentionHeatmapSvg({t.source_pieces().begin(), t.source_pieces().end()},
                                 {t.target_pieces().begin(), t.target_pieces().end()}, weights,
                                 a.positional[0] + "  →  " + t.text());
  if (!svg.ok()) return Fail(ctx, svg.status());
  if (absl::Status s = WriteFileAtomic(a.Get("o"), *svg); !s.ok()) return Fail(ctx, s);
  if (ctx.json) {
    *ctx.out << ToJson(*resp) << "\n";
  } else {
    *ctx.out << t.text() << "\n(attention heatmap: " << a.Get("o") << ")\n";
  }
  return kExitOk;
}

// Scores a translation against references: local files, no coordinator involved.
int RunScore(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("ref") || !a.Has("hyp") || !a.positional.empty()) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem score --ref REF [--ref REF2 ...] --hyp HYP [--src SRC]"));
  }
  auto report = ScoreFiles(a.All("ref"), a.Get("hyp"), a.Get("src"));
  if (!report.ok()) return Fail(ctx, report.status());
  *ctx.out << (ctx.json ? ScoreReportJson(*report) + "\n" : FormatScoreReport(*report));
  return kExitOk;
}

const std::vector<FlagSpec>& CommonFlags() {
  static const std::vector<FlagSpec> flags = {
      {"coordinator", true, "coordinator host:port (default $TANDEM_COORDINATOR or 127.0.0.1:7400)",
       "ADDR"},
      {"json", false, "machine-readable JSON output"},
      {"help", false, "show this help"},
  };
  return flags;
}

std::vector<Command> Commands() {
  const std::vector<FlagSpec> watch_flags = {
      {"until", true, "stop watching at 'ready' (all workers have their shards) or 'running'",
       "STATE"},
      {"timeout", true, "give up after this many seconds (0 = never)", "SECONDS"},
  };
  std::vector<FlagSpec> submit_flags = {
      {"set", true, "override a job field, e.g. --set training.max_steps=100 (repeatable)",
       "PATH=VALUE"},
      {"name", true, "job name", "NAME"},
      {"source", true, "training source file (Moses pair)", "FILE"},
      {"target", true, "training target file (Moses pair)", "FILE"},
      {"tsv", true, "training TSV file (source<TAB>target)", "FILE"},
      {"valid_source", true, "validation source file", "FILE"},
      {"valid_target", true, "validation target file", "FILE"},
      {"workers", true, "minimum number of workers", "N"},
      {"max_workers", true, "maximum number of workers", "N"},
      {"attention", true, "bahdanau, luong_dot, luong_general or none", "TYPE"},
      {"vocab_size", true, "SentencePiece vocabulary size", "N"},
      {"max_steps", true, "stop after N updates", "N"},
      {"epochs", true, "stop after N passes over the corpus", "N"},
      {"watch", false, "follow the job's events after submitting"},
  };
  submit_flags.insert(submit_flags.end(), watch_flags.begin(), watch_flags.end());
  return {
      {"submit", "[JOB_FILE] [flags]",
       "submit a training job from a YAML/JSON job file and/or flags; prints the job id",
       submit_flags, RunSubmit},
      {"list", "", "list jobs, newest first", {}, RunList},
      {"status", "JOB_ID", "show one job: state, preparation, workers and shards", {}, RunStatus},
      {"watch", "JOB_ID", "follow a job's events until it ends; exits with the job's outcome",
       watch_flags, RunWatch},
      {"events", "[JOB_ID]", "show the event log of one job (or of all jobs)",
       {{"follow", false, "keep following new events until the job ends"}}, RunEvents},
      {"cancel", "JOB_ID", "cancel a job and release its workers", {}, RunCancel},
      {"workers", "", "list the workers known to the coordinator", {}, RunWorkers},
      {"plot", "JOB_ID -o FILE.svg", "draw a job's training curves (loss, BLEU, tokens/s) as SVG",
       {{"o", true, "the SVG file to write", "FILE"}}, RunPlot},
      {"download", "JOB_ID DIR",
       "download a job's model: the final one, or the newest checkpoint while it trains",
       {}, RunDownload},
      {"train", "--local JOB_FILE --out DIR",
       "train in this process, without a coordinator (validation, checkpoints, early stopping)",
       {{"local", false, "single-process mode (required for now)"},
        {"out", true, "model directory to write (checkpoints, tokenizers, model.ckpt)", "DIR"},
        {"resume", false, "continue from the newest checkpoint in --out"},
        {"threads", true, "LibTorch threads (default 2)", "N"}},
       RunTrain},
      {"translate", "(--model DIR | --job JOB_ID) [SENTENCE ...]",
       "translate sentences (arguments, or stdin lines) with a model directory, or on the "
       "coordinator with a job's newest model (its final model, or its newest checkpoint "
       "while it trains)",
       {{"model", true, "a model directory (tandem train --local, or tandem download)", "DIR"},
        {"job", true, "a job on the coordinator", "JOB_ID"},
        {"beam", true, "beam size (1 = greedy; default 5)", "N"}},
       RunTranslate},
      {"attention", "(--model DIR | --job JOB_ID) -o FILE.svg SENTENCE",
       "translate one sentence and draw its attention matrix as an SVG heatmap",
       {{"model", true, "a model directory (tandem train --local, or tandem download)", "DIR"},
        {"job", true, "a job on the coordinator", "JOB_ID"},
        {"o", true, "the SVG file to write", "FILE"}},
       RunAttention},
      {"score", "--ref REF --hyp HYP [--src SRC]",
       "corpus BLEU and chrF (sacreBLEU defaults), and BLEU by source length with --src",
       {{"ref", true, "reference translations, one a line (repeat for more references)", "FILE"},
        {"hyp", true, "the translations to score, one a line", "FILE"},
        {"src", true, "the source sentences, for BLEU by source-length bucket", "FILE"}},
       RunScore},
  };
}

std::string MainHelp(const std::vector<Command>& commands) {
  std::string out =
      "tandem: submit, watch and manage Tandem training jobs.\n\n"
      "Usage: tandem COMMAND [flags] [args]\n\nCommands:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : commands) rows.push_back({"  " + c.name, c.summary});
  std::string table = RenderTable({"", ""}, rows);
  absl::StrAppend(&out, table.substr(table.find('\n') + 1));
  absl::StrAppend(&out, "\nFlags for every command:\n", FlagHelp(CommonFlags()),
                  "\nExit codes: 0 ok, 1 job failed, 2 bad input, 3 coordinator unreachable,\n"
                  "            4 no such job, 5 job cancelled, 6 other error.\n"
                  "\nRun 'tandem COMMAND --help' for a command's flags.\n");
  return out;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const std::string& default_coordinator) {
  const std::vector<Command> commands = Commands();
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << MainHelp(commands);
    return args.empty() ? kExitBadInput : kExitOk;
  }
  const Command* cmd = nullptr;
  for (const auto& c : commands) {
    if (c.name == args[0]) cmd = &c;
  }
  if (cmd == nullptr) {
    err << "tandem: unknown command '" << args[0] << "'\n\n" << MainHelp(commands);
    return kExitBadInput;
  }
  std::vector<FlagSpec> flags = cmd->flags;
  flags.insert(flags.end(), CommonFlags().begin(), CommonFlags().end());
  auto parsed = ParseArgs(std::vector<std::string>(args.begin() + 1, args.end()), flags);
  if (!parsed.ok()) {
    err << "tandem " << cmd->name << ": " << parsed.status().message() << "\n";
    return kExitBadInput;
  }
  if (parsed->Has("help")) {
    out << "Usage: tandem " << cmd->name << " " << cmd->usage << "\n\n"
        << cmd->summary << "\n\nFlags:\n"
        << FlagHelp(flags);
    return kExitOk;
  }
  Context ctx;
  ctx.coordinator = parsed->Get(
      "coordinator", !default_coordinator.empty() ? default_coordinator : kDefaultCoordinator);
  ctx.json = parsed->Has("json");
  ctx.out = &out;
  ctx.err = &err;
  JobClient client(ctx.coordinator, std::chrono::seconds(5));
  ctx.client = &client;
  return cmd->run(*parsed, ctx);
}

}  // namespace tandem
