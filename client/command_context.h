// Internal to client/: what the `tandem` subcommands share. The public interface is
// client/commands.h (RunCli); the command table and help are in commands.cc, the job
// subcommands in job_commands.cc, the model subcommands in model_commands.cc.
#ifndef TANDEM_CLIENT_COMMAND_CONTEXT_H_
#define TANDEM_CLIENT_COMMAND_CONTEXT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/job_client.h"
#include "client/json_output.h"
#include "common/flags.h"

namespace tandem::cli {

// What a subcommand runs with: the parsed common flags and where to write.
struct Context {
  std::string coordinator;
  // --json: print one JSON object, one JSON array, or JSON Lines (client/json_output.h;
  // client/JSON.md says which command prints which).
  bool json = false;
  std::ostream* out;
  std::ostream* err;
  JobClient* client;
};

// `tandem list`: the newest jobs it shows without --limit or --all, and the largest --limit.
inline constexpr uint64_t kDefaultListLimit = 100;
inline constexpr int64_t kMaxListLimit = 1'000'000;
// `tandem events`: events asked for per request, and the largest --last.
inline constexpr uint32_t kEventsPage = 1000;
inline constexpr int64_t kMaxEventsPage = 100'000;

// The exit code (client/commands.h) for a status.
int ExitFor(const absl::Status& s);

// The exit code for an ended job: 0 succeeded, kExitCancelled, else kExitJobFailed.
int ExitForState(tandem::v1::JobState s);

// Prints "tandem: MESSAGE" to ctx.err and returns ExitFor(s).
int Fail(Context& ctx, const absl::Status& s);

// Wall-clock time in Unix milliseconds.
int64_t NowMs();

// The subcommands: each returns its exit code (client/commands.h).
// job_commands.cc: jobs on the coordinator.
int RunSubmit(const ParsedArgs& a, Context& ctx);
int RunList(const ParsedArgs& a, Context& ctx);
int RunStatus(const ParsedArgs& a, Context& ctx);
int RunEvents(const ParsedArgs& a, Context& ctx);
int RunCancel(const ParsedArgs& a, Context& ctx);
// lifecycle_commands.cc: deleting jobs and reading their logs.
int RunDelete(const ParsedArgs& a, Context& ctx);
int RunLogs(const ParsedArgs& a, Context& ctx);
int RunWatch(const ParsedArgs& a, Context& ctx);
int RunWorkers(const ParsedArgs& a, Context& ctx);
int RunVersion(const ParsedArgs& a, Context& ctx);
int RunHealth(const ParsedArgs& a, Context& ctx);
// model_commands.cc: curves, models, translation and scores.
int RunPlot(const ParsedArgs& a, Context& ctx);
int RunDownload(const ParsedArgs& a, Context& ctx);
int RunTrain(const ParsedArgs& a, Context& ctx);
int RunTranslate(const ParsedArgs& a, Context& ctx);
int RunAttention(const ParsedArgs& a, Context& ctx);
int RunScore(const ParsedArgs& a, Context& ctx);
int RunAverage(const ParsedArgs& a, Context& ctx);

}  // namespace tandem::cli

#endif  // TANDEM_CLIENT_COMMAND_CONTEXT_H_
