// The job subcommands of `tandem`: submit, list, status, events, cancel, watch, workers.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/command_context.h"
#include "client/commands.h"
#include "client/render.h"
#include "common/files.h"
#include "common/job_filter.h"
#include "common/job_spec.h"
#include "common/version.h"
#include "common/job_states.h"
#include "tandem/v1/cli.pb.h"

namespace tandem::cli {
namespace {

using tandem::v1::JobInfo;



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
  std::string waiting_shown;    // the waiting reason last printed
  int64_t waiting_ms = 0;       // and when
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
        *ctx.out << JsonObject(e) << "\n";
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
    // While the job waits for workers, say so when the reason changes and every 30 s.
    if (!ctx.json && job->state() == v1::JOB_STATE_WAITING_FOR_WORKERS &&
        (job->message() != waiting_shown || NowMs() - waiting_ms >= 30000)) {
      waiting_shown = job->message();
      waiting_ms = NowMs();
      if (progress_open) *ctx.out << "\n";
      progress_open = false;
      *ctx.out << HumanTime(waiting_ms) << "  waiting  " << job->message();
      if (job->waiting_since_unix_ms() > 0) {
        *ctx.out << " (for " << HumanDuration(waiting_ms - job->waiting_since_unix_ms()) << ")";
      }
      *ctx.out << "\n";
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

// Reports corpus uploads on `err`: a line per file, and progress every 10 % of large ones.
JobClient::UploadProgress UploadReporter(std::ostream& err) {
  auto last_tenth = std::make_shared<std::map<std::string, uint64_t>>();
  return [&err, last_tenth](const std::string& file, uint64_t sent, uint64_t total,
                            bool skipped) {
    const std::string mib = absl::StrFormat("%.1f MiB", static_cast<double>(total) / (1 << 20));
    if (skipped) {
      err << "tandem: " << file << " (" << mib << ") is already on the coordinator\n";
      return;
    }
    const uint64_t tenth = total == 0 ? 10 : sent * 10 / total;
    uint64_t& last = (*last_tenth)[file];
    if (sent == total) {
      err << "tandem: uploaded " << file << " (" << mib << ", SHA-256 checked)\n";
    } else if (total >= (8u << 20) && tenth > last) {
      err << "tandem: uploading " << file << ": " << tenth * 10 << "% of " << mib << "\n";
    }
    last = tenth;
  };
}

// A corpus file field of JobSpec (paths on the user's machine until uploaded).
bool IsCorpusFileField(const std::string& path) {
  for (const auto& [field, file] : CorpusFileFields(v1::CorpusSpec())) {
    if (path == field) return true;
  }
  return false;
}

}  // namespace

int RunSubmit(const ParsedArgs& a, Context& ctx) {
  v1::JobSpec spec;
  JobFileMarks marks;  // where each field was written, for validation errors
  if (a.positional.size() > 1) {
    return Fail(ctx, absl::InvalidArgumentError("submit takes at most one job file"));
  }
  if (!a.positional.empty()) {
    auto parsed = ParseJobFile(a.positional[0], &marks);
    // A job file that cannot be read is bad input (exit 2), not a missing job (exit 4).
    if (!parsed.ok()) return Fail(ctx, absl::InvalidArgumentError(parsed.status().message()));
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
      {"max_duration", "training.max_duration"},
  };
  for (const auto& [flag, path] : shorthands) {
    if (!a.Has(flag)) continue;
    std::string value = a.Get(flag);
    if (path.rfind("corpus.", 0) == 0 && value.rfind("server:", 0) != 0 &&
        value.rfind("upload:", 0) != 0) {
      value = AbsolutePath(value);
    }
    absl::Status s = ApplyOverride(absl::StrCat(path, "=", value), spec, &marks);
    if (!s.ok()) return Fail(ctx, s);
    marks.where[path] = "--" + flag;  // errors name the flag the user typed
  }
  for (std::string set : a.All("set")) {
    // A corpus file given with --set is relative to where the user stands, as --source is
    // (and as a job file's paths are relative to the job file).
    const size_t eq = set.find('=');
    if (eq != std::string::npos && IsCorpusFileField(set.substr(0, eq))) {
      const std::string value = set.substr(eq + 1);
      if (!value.empty() && value.rfind("server:", 0) != 0 && value.rfind("upload:", 0) != 0) {
        set = absl::StrCat(set.substr(0, eq), "=", AbsolutePath(value));
      }
    }
    absl::Status s = ApplyOverride(set, spec, &marks);
    if (!s.ok()) return Fail(ctx, s);
  }
  for (const std::string& label : a.All("label")) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(ctx, absl::InvalidArgumentError(
                           absl::StrCat("--label ", label, ": expected KEY=VALUE, e.g. team=nlp")));
    }
    const std::string key = label.substr(0, eq);
    absl::Status valid = CheckLabel(key, label.substr(eq + 1));
    if (!valid.ok()) {
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat("--label ", label, ": ",
                                                               valid.message())));
    }
    (*spec.mutable_labels())[key] = label.substr(eq + 1);
  }
  if (a.Has("workers") && !a.Has("max_workers") && spec.workers().max() < spec.workers().min()) {
    spec.mutable_workers()->set_max(spec.workers().min());
  }
  // Refuse a bad spec here with the same message the coordinator would give.
  v1::JobSpec checked = spec;
  ApplyDefaults(checked);
  absl::Status valid = LocateSpecError(ValidateSpec(checked), marks);
  if (!valid.ok()) return Fail(ctx, valid);
  bool existing = false;
  auto id = ctx.client->Submit(spec, UploadReporter(*ctx.err), &existing);
  if (!id.ok()) return Fail(ctx, id.status());
  if (existing) {
    // An idempotent submit: the job of this name and spec was already there.
    *ctx.err << "tandem: job '" << spec.name() << "' was already submitted as " << *id
             << " with this spec; nothing new was made\n";
  }
  if (ctx.json) {
    v1::SubmitOutput submitted;
    submitted.set_id(*id);
    submitted.set_existing(existing);
    *ctx.out << JsonObject(submitted) << "\n";  // with --watch, the events follow as lines
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

int RunList(const ParsedArgs& a, Context& ctx) {
  // The filters are checked before any call (errors name the flags); the coordinator applies
  // them too, and so does this client to what comes back, for a coordinator from before them.
  absl::StatusOr<JobMatcher> matcher =
      JobMatcher::Make(a.Get("state"), a.Get("name"), a.All("label"), FilterNames::kFlags);
  if (!matcher.ok()) return Fail(ctx, matcher.status());
  uint64_t limit = kDefaultListLimit;  // 0: every job
  if (a.Has("all") && a.Has("limit")) {
    return Fail(ctx, absl::InvalidArgumentError("--all and --limit: give one of them"));
  }
  if (a.Has("all")) limit = 0;
  if (a.Has("limit")) {
    absl::StatusOr<int64_t> n = a.GetInt("limit", 1, kMaxListLimit);
    if (!n.ok()) return Fail(ctx, n.status());
    limit = static_cast<uint64_t>(*n);
  }
  v1::ListJobsRequest request;
  request.set_summary(!ctx.json);  // the table needs only a summary; --json prints whole jobs
  request.set_state(a.Get("state"));
  request.set_name(a.Get("name"));
  request.set_owner(a.Get("owner"));
  for (const std::string& l : a.All("label")) request.add_labels(l);
  auto listed = ctx.client->ListMatching(request, limit);
  if (!listed.ok()) return Fail(ctx, listed.status());
  std::vector<JobInfo> jobs = FilterJobs(std::move(listed->jobs), *matcher);
  if (!request.owner().empty()) {  // again, for a coordinator from before owners
    jobs.erase(std::remove_if(jobs.begin(), jobs.end(),
                              [&](const JobInfo& j) { return j.owner() != request.owner(); }),
               jobs.end());
  }
  const uint64_t total = std::max<uint64_t>(listed->total, jobs.size());
  if (limit != 0 && jobs.size() > limit) jobs.resize(limit);
  if (limit != 0 && jobs.size() < total) {
    // On stderr, so that --json's stdout stays one JSON array.
    *ctx.err << "tandem: showing the newest " << jobs.size() << " of " << total
             << " matching jobs; --limit N or --all for more\n";
  }
  if (ctx.json) {
    *ctx.out << JsonArray(jobs) << "\n";
    return kExitOk;
  }
  // An OWNER column once any job listed has an owner (a coordinator with users' tokens).
  const bool owners = std::any_of(jobs.begin(), jobs.end(),
                                  [](const JobInfo& j) { return !j.owner().empty(); });
  std::vector<std::vector<std::string>> rows;
  const int64_t now = NowMs();
  for (const JobInfo& j : jobs) {
    const auto& w = j.spec().workers();
    std::vector<std::string> row = {j.id(), j.spec().name().empty() ? "-" : j.spec().name()};
    if (owners) row.push_back(j.owner().empty() ? "-" : j.owner());
    for (std::string cell :
         {StateName(j.state()),
          absl::StrCat(j.assignments_size(), "/", w.min(),
                       w.max() != w.min() ? absl::StrCat("-", w.max()) : ""),
          j.preparation().kept_pairs() ? absl::StrCat(j.preparation().kept_pairs()) : "-",
          HumanDuration(now - j.created_unix_ms()), j.message()}) {
      row.push_back(std::move(cell));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> header = {"ID", "NAME"};
  if (owners) header.push_back("OWNER");
  for (const char* h : {"STATE", "WORKERS", "PAIRS", "AGE", "MESSAGE"}) header.push_back(h);
  *ctx.out << RenderTable(header, rows);
  return kExitOk;
}

int RunStatus(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem status JOB_ID"));
  }
  auto job = ctx.client->Get(a.positional[0]);
  if (!job.ok()) return Fail(ctx, job.status());
  if (ctx.json) {
    *ctx.out << JsonObject(*job) << "\n";
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
    << HumanDuration(NowMs() - j.created_unix_ms()) << " ago)"
    << (j.owner().empty() ? "" : " by " + j.owner()) << "\n";
  if (!j.spec().labels().empty()) {
    std::map<std::string, std::string> sorted(j.spec().labels().begin(), j.spec().labels().end());
    std::vector<std::string> labels;
    for (const auto& [k, v] : sorted) labels.push_back(absl::StrCat(k, "=", v));
    o << "Labels:       " << absl::StrJoin(labels, ", ") << "\n";
  }
  if (const std::string& budget = j.spec().training().max_duration(); !budget.empty()) {
    o << "Time budget:  " << budget;
    if (j.deadline_unix_ms() == 0) {
      o << " (counted from the job's first start on workers)";
    } else if (!IsTerminal(j.state())) {
      const int64_t left = j.deadline_unix_ms() - NowMs();
      o << " (ends " << HumanTime(j.deadline_unix_ms()) << " UTC, "
        << (left > 0 ? "in " + HumanDuration(left) : "now: at the next step") << ")";
    }
    if (j.progress().planned_steps() > 0) {
      o << "; about " << j.progress().planned_steps() << " steps in all at the measured pace"
        << (j.spec().training().lr_schedule() == "linear" ? ", where the learning rate reaches 0"
                                                          : "");
    }
    o << "\n";
  }
  // An uploaded file by the name it had where it was submitted, not its storage path.
  auto shown = [&j](const char* field, const std::string& value) {
    auto it = j.corpus_file_names().find(field);
    return it == j.corpus_file_names().end() ? value : it->second + " (uploaded)";
  };
  o << "Corpus:       "
    << (c.train_tsv().empty() ? shown("corpus.train_source", c.train_source()) + " + " +
                                    shown("corpus.train_target", c.train_target())
                              : shown("corpus.train_tsv", c.train_tsv()))
    << "\n";
  const auto& model = j.spec().model();
  if (model.architecture() == "transformer") {
    o << "Model:        transformer, d_model " << model.embedding_dim() << ", "
      << model.encoder_layers() << "+" << model.decoder_layers() << " layers, " << model.heads()
      << " heads, " << (model.positions().empty() ? "sinusoidal" : model.positions())
      << " positions\n";
  } else {
    o << "Model:        " << model.attention() << " attention, " << model.cell()
      << ", embedding " << model.embedding_dim() << ", hidden " << model.hidden_dim() << "\n";
  }
  if (!j.auto_sized().empty() && p.chosen().empty() && p.input_pairs() == 0) {
    o << "Sizing:       chosen from the corpus when it is prepared ("
      << absl::StrJoin(j.auto_sized(), ", ") << ")\n";
  }
  for (int i = 0; i < p.chosen_size(); ++i) {
    o << (i == 0 ? "Chosen:       " : "              ") << p.chosen(i) << "\n";
  }
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
    // The newest epoch's data accounting (its "epoch_end" event); status goes on without it.
    if (auto events = ctx.client->Events(j.id(), 0, 1, "epoch_end", /*newest=*/true);
        events.ok() && !events->empty()) {
      o << "Data:         " << events->back().message() << "\n";
    }
    if (!pr.straggler_cause().empty() && pr.straggler_ms() >= 1) {
      o << absl::StrFormat("Straggler:    %s: the others wait %.0f ms per step longer for it (%s)\n",
                           pr.straggler_worker(), pr.straggler_ms(), pr.straggler_cause());
    }
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
    if (a.Has("kind") || a.Has("last")) {
      return Fail(ctx, absl::InvalidArgumentError("--follow shows every event: leave out "
                                                  "--kind and --last"));
    }
    return Watch(ctx, id, "", 0);
  }
  const std::string kind = a.Get("kind");
  absl::StatusOr<std::vector<v1::JobEvent>> events;
  if (a.Has("last")) {
    absl::StatusOr<int64_t> n = a.GetInt("last", 1, kMaxEventsPage);
    if (!n.ok()) return Fail(ctx, n.status());
    events = ctx.client->Events(id, 0, static_cast<uint32_t>(*n), kind, /*newest=*/true);
  } else {
    // Every event, a page at a time (a page is one bounded reply).
    events = std::vector<v1::JobEvent>();
    for (int64_t after = 0;;) {
      auto page = ctx.client->Events(id, after, kEventsPage, kind);
      if (!page.ok()) {
        events = page.status();
        break;
      }
      events->insert(events->end(), page->begin(), page->end());
      if (page->size() < kEventsPage) break;
      after = page->back().seq();
    }
  }
  if (!events.ok()) return Fail(ctx, events.status());
  if (ctx.json) {
    *ctx.out << JsonArray(*events) << "\n";
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
    *ctx.out << JsonObject(*job) << "\n";
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
    *ctx.out << JsonArray(*workers) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  const int64_t now = NowMs();
  for (const auto& w : *workers) {
    rows.push_back({w.id(), w.address(), WorkerStateName(w.state()),
                    w.job_id().empty() ? "-" : w.job_id(),
                    w.job_id().empty() ? "-" : absl::StrCat(w.rank()),
                    HumanDuration(now - w.last_heartbeat_unix_ms()) + " ago", w.hostname(),
                    absl::StrCat(w.cpus()),
                    // The memory it may use: its container's limit where it has one.
                    w.memory_bytes() == 0 ? "-" : absl::StrCat(w.memory_bytes() >> 20, " MiB"),
                    w.version().empty() ? "-" : w.version()});
  }
  *ctx.out << RenderTable({"ID", "ADDRESS", "STATE", "JOB", "RANK", "HEARTBEAT", "HOST", "CPUS",
                           "MEMORY", "VERSION"},
                          rows);
  return kExitOk;
}

// Like `kubectl version`: this program's version always, then the coordinator's, or the
// reason it could not be asked (and that error's exit code).
int RunVersion(const ParsedArgs&, Context& ctx) {
  const absl::StatusOr<std::string> coordinator = ctx.client->CoordinatorVersion();
  if (ctx.json) {
    v1::VersionOutput version;
    version.set_client(TandemVersion());
    if (coordinator.ok()) version.set_coordinator(*coordinator);
    *ctx.out << JsonObject(version) << "\n";
  } else {
    *ctx.out << "tandem " << TandemVersion() << "\n";
    if (coordinator.ok()) *ctx.out << "coordinator " << ctx.coordinator << ": " << *coordinator << "\n";
  }
  return coordinator.ok() ? kExitOk : Fail(ctx, coordinator.status());
}


// gRPC's standard health check against --coordinator (a coordinator, or a worker's collective
// address), for container probes: exit 0 when serving, 1 when the server answered that it is
// not, 3 when it cannot be reached. --live: exit 0 whenever it answers (a liveness probe: a
// worker that cannot reach its coordinator is alive but not ready).
int RunHealth(const ParsedArgs& a, Context& ctx) {
  const absl::StatusOr<bool> serving = ctx.client->Serving(a.Get("service"));
  if (!serving.ok()) return Fail(ctx, serving.status());
  if (ctx.json) {
    v1::HealthOutput health;
    health.set_serving(*serving);
    *ctx.out << JsonObject(health) << "\n";
  } else {
    *ctx.out << ctx.coordinator << ": " << (*serving ? "serving" : "not serving") << "\n";
  }
  return *serving || a.Has("live") ? kExitOk : kExitJobFailed;
}

}  // namespace tandem::cli
