// The `tandem` command line: subcommands in the style of kubectl / ray job.
//
// Exit codes (also in `tandem --help`):
//   0 success (for watch: the job succeeded, or reached --until)
//   1 the job failed            2 bad input (flags, job file, a spec the coordinator refused)
//   3 coordinator unreachable   4 no such job              5 the job was cancelled
//   6 any other error
#ifndef TANDEM_CLIENT_COMMANDS_H_
#define TANDEM_CLIENT_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace tandem {

enum ExitCode : int {
  kExitOk = 0,
  kExitJobFailed = 1,
  kExitBadInput = 2,
  kExitUnavailable = 3,
  kExitNotFound = 4,
  kExitCancelled = 5,
  kExitError = 6,
};

// Runs the CLI on `args` (argv without the program name); writes to `out` and `err`.
// `default_coordinator` is used when --coordinator is not given (main passes
// $TANDEM_COORDINATOR); empty means 127.0.0.1:7400.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const std::string& default_coordinator = "");

}  // namespace tandem

#endif  // TANDEM_CLIENT_COMMANDS_H_
