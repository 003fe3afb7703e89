#include "client/commands.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/command_context.h"
#include "client/job_client.h"
#include "client/render.h"
#include "client/translate_flags.h"
#include "common/flags.h"
#include "common/secrets.h"
#include "common/transport_security.h"

namespace tandem {
namespace cli {

int ExitFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAlreadyExists:  // a job name taken by another spec
      return kExitBadInput;
    case absl::StatusCode::kUnavailable:
      return kExitUnavailable;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitNotAuthorized;
    default:
      return kExitError;
  }
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

int Fail(Context& ctx, const absl::Status& s) {
  *ctx.err << "tandem: " << s.message() << "\n";
  return ExitFor(s);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cli

namespace {

using cli::Context;
using cli::RunSubmit;
using cli::RunList;
using cli::RunStatus;
using cli::RunWatch;
using cli::RunEvents;
using cli::RunCancel;
using cli::RunDelete;
using cli::RunLogs;
using cli::RunVersion;
using cli::RunHealth;
using cli::RunWorkers;
using cli::RunPlot;
using cli::RunDownload;
using cli::RunTrain;
using cli::RunTranslate;
using cli::RunAttention;
using cli::RunScore;
using cli::RunAverage;

constexpr char kDefaultCoordinator[] = "127.0.0.1:7400";

struct Command {
  std::string name;
  std::string usage;    // "JOB_ID"
  std::string summary;  // one line
  std::vector<FlagSpec> flags;
  std::function<int(const ParsedArgs&, Context&)> run;
};

const std::vector<FlagSpec>& CommonFlags() {
  static const std::vector<FlagSpec> flags = {
      {"coordinator", true, "coordinator host:port (default $TANDEM_COORDINATOR or 127.0.0.1:7400)",
       "ADDR"},
      {"json", false,
       "machine-readable output: one JSON object or array, or JSON Lines (client/JSON.md)"},
      {"token_file", true, "a file holding the client token (default $TANDEM_TOKEN)", "FILE"},
      {"help", false, "show this help"},
  };
  static const std::vector<FlagSpec> all = [] {
    std::vector<FlagSpec> out = flags;
    for (auto& f : TransportSecurityFlags(/*with_insecure=*/false)) out.push_back(f);
    out[out.size() - 3].help += " (default $TANDEM_TLS_CA)";
    return out;
  }();
  return all;
}

std::vector<Command> Commands() {
  const std::vector<FlagSpec> watch_flags = {
      {"until", true, "stop watching at 'ready' (all workers have their shards) or 'running'",
       "STATE"},
      {"timeout", true, "give up after this many seconds (0 = never)", "SECONDS"},
  };
  std::vector<FlagSpec> translate_flags = {
      {"model", true, "a model directory (tandem train --local, or tandem download)", "DIR"},
      {"job", true, "a job on the coordinator", "JOB_ID"}};
  for (FlagSpec& f : TranslateFlags()) translate_flags.push_back(std::move(f));
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
      {"max_duration", true, "stop at the first step after this much time, e.g. 2h", "DURATION"},
      {"label", true, "a label KEY=VALUE for finding the job (repeatable)", "KEY=VALUE"},
      {"watch", false, "follow the job's events after submitting"},
  };
  submit_flags.insert(submit_flags.end(), watch_flags.begin(), watch_flags.end());
  return {
      {"submit", "[JOB_FILE] [flags]",
       "submit a training job from a YAML/JSON job file and/or flags; prints the job id",
       submit_flags, RunSubmit},
      {"list",
       "[--state STATE] [--name NAME] [--label KEY[=VALUE]]... [--owner USER] "
       "[--limit N | --all]",
       absl::StrCat("list jobs, newest first: the newest ", cli::kDefaultListLimit,
                    " that match, unless --limit or --all"),
       {{"state", true,
         "only jobs in this state (queued, preparing, waiting_for_workers, running, "
         "succeeded, failed, cancelled), or 'active' or 'ended'",
         "STATE"},
        {"name", true, "only jobs with this name", "NAME"},
        {"owner", true, "only jobs this user submitted (a user's own token lists only its own "
         "jobs anyway)", "USER"},
        {"label", true, "only jobs with this label (KEY=VALUE) or label key (KEY); repeatable, "
         "all must match", "KEY[=VALUE]"},
        {"limit", true,
         absl::StrCat("show the newest N matching jobs (1 to ", cli::kMaxListLimit, "; default ",
                      cli::kDefaultListLimit, ")"),
         "N"},
        {"all", false, "show every matching job"}},
       RunList},
      {"status", "JOB_ID", "show one job: state, preparation, workers and shards", {}, RunStatus},
      {"watch", "JOB_ID", "follow a job's events until it ends; exits with the job's outcome",
       watch_flags, RunWatch},
      {"events", "[JOB_ID] [--kind K] [--last N] [--follow]",
       "show the event log of one job (or of all jobs)",
       {{"follow", false, "keep following new events until the job ends"},
        {"kind", true, "only events of this kind (epoch_end, worker_lost, ...)", "K"},
        {"last", true, absl::StrCat("only the newest N events (1..", cli::kMaxEventsPage, ")"), "N"}},
       RunEvents},
      {"cancel", "JOB_ID", "cancel a job and release its workers", {}, RunCancel},
      {"delete", "JOB_ID...", "delete ended jobs: their state, events, prepared corpus, "
       "checkpoints, model and logs", {}, RunDelete},
      {"logs", "JOB_ID [--rank N] [--follow]",
       "print the log lines the job's workers sent to the coordinator",
       {{"rank", true, "only this rank's lines", "N"},
        {"follow", false, "keep printing new lines until the job ends"}},
       RunLogs},
      {"workers", "", "list the workers known to the coordinator", {}, RunWorkers},
      {"version", "", "print this program's version and the coordinator's", {}, RunVersion},
      {"health", "[--service NAME] [--live]",
       "ask a coordinator, or a worker at its collective address, whether it is serving "
       "(gRPC's health check; exit 0 serving, 1 not serving, 3 unreachable): for probes",
       {{"service", true, "the gRPC service to ask about (default: the whole server)", "NAME"},
        {"live", false, "exit 0 whenever the server answers, serving or not (liveness)"}},
       RunHealth},
      {"plot", "JOB_ID -o FILE.svg", "draw a job's training curves (loss, BLEU, tokens/s) as SVG",
       {{"o", true, "the SVG file to write", "FILE"}}, RunPlot},
      {"download", "JOB_ID DIR [--checkpoints]",
       "download a job's model: the final one, or the newest checkpoint while it trains",
       {{"checkpoints", false,
         "also the job's kept checkpoints, into DIR/checkpoints/ (for tandem average)"}},
       RunDownload},
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
       translate_flags,
       RunTranslate},
      {"attention", "(--model DIR | --job JOB_ID) -o FILE.svg [--head N] SENTENCE",
       "translate one sentence and draw its attention matrix as an SVG heatmap (averaged over "
       "a transformer's heads, or one head with --head)",
       {{"model", true, "a model directory (tandem train --local, or tandem download)", "DIR"},
        {"job", true, "a job on the coordinator", "JOB_ID"},
        {"o", true, "the SVG file to write", "FILE"},
        HeadFlag()},
       RunAttention},
      {"average", "--model DIR (--last N | CHECKPOINT ...) -o OUT",
       "average checkpoints of a model directory (its newest N, or the files named) into a "
       "new model directory to translate with",
       {{"model", true,
         "a model directory (tandem train --local --out DIR): its job.json, tokenizers and "
         "checkpoints/",
         "DIR"},
        {"last", true, "average the newest N checkpoints of DIR/checkpoints", "N"},
        {"o", true, "the model directory to write (job.json, tokenizers, model.ckpt)", "OUT"}},
       RunAverage},
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
                  "            4 no such job, 5 job cancelled, 6 other error, 7 not authorised.\n"
                  "\nRun 'tandem COMMAND --help' for a command's flags.\n");
  return out;
}

// The arguments with the flags for every command that came before the command moved after
// it ("tandem --coordinator H list" is "tandem list --coordinator H"). An unknown leading
// flag stays where it is, for the unknown-command message.
std::vector<std::string> CommandFirst(const std::vector<std::string>& args) {
  std::vector<std::string> leading;
  size_t i = 0;
  while (i < args.size() && args[i].size() > 2 && args[i].rfind("--", 0) == 0 &&
         args[i] != "--help") {
    std::string name = args[i].substr(2, args[i].find('=') - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& f : CommonFlags()) {
      if (f.name == name) spec = &f;
    }
    if (spec == nullptr) break;
    const bool separate_value = spec->takes_value && args[i].find('=') == std::string::npos;
    const size_t n = separate_value && i + 1 < args.size() ? 2 : 1;
    leading.insert(leading.end(), args.begin() + static_cast<std::ptrdiff_t>(i),
                   args.begin() + static_cast<std::ptrdiff_t>(i + n));
    i += n;
  }
  if (leading.empty() || i >= args.size()) return args;
  std::vector<std::string> out(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  // After "--" everything is positional: the moved flags go before it.
  auto dashes = std::find(out.begin() + 1, out.end(), "--");
  out.insert(dashes, leading.begin(), leading.end());
  return out;
}

}  // namespace

int RunCli(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err,
           const MainEnvironment& env, JobClient* client) {
  const std::vector<std::string> args = CommandFirst(raw_args);
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
      "coordinator", !env.coordinator.empty() ? env.coordinator : kDefaultCoordinator);
  ctx.json = parsed->Has("json");
  ctx.out = &out;
  ctx.err = &err;
  absl::StatusOr<TransportSecurity> security =
      TransportSecurityFromFlags(*parsed, /*need_certificate=*/false, env.tls_ca);
  absl::StatusOr<std::string> token = env.token;
  if (parsed->Has("token_file")) {
    token = ReadTokenFile(parsed->Get("token_file"));
  } else if (!env.token.empty()) {
    if (absl::Status s = CheckToken("TANDEM_TOKEN", env.token); !s.ok()) token = s;
  }
  for (const absl::Status& s : {security.status(), token.status()}) {
    if (!s.ok()) {
      err << "tandem " << cmd->name << ": " << s.message() << "\n";
      return kExitBadInput;
    }
  }
  JobClient connected(ctx.coordinator, std::chrono::seconds(5), *security, *token);
  ctx.client = client != nullptr ? client : &connected;
  return cmd->run(*parsed, ctx);
}

}  // namespace tandem
