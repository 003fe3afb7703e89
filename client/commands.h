// The `tandem` command line: subcommands in the style of kubectl / ray job.
//
// Exit codes (also in `tandem --help`):
//   0 success (for watch: the job succeeded, or reached --until)
//   1 the job failed            2 bad input (flags, job file, a spec the coordinator refused)
//   3 coordinator unreachable   4 no such job              5 the job was cancelled
//   6 any other error          7 not authorised (no or a wrong token or certificate, or an
//                                 action beyond the caller's role)
#ifndef TANDEM_CLIENT_COMMANDS_H_
#define TANDEM_CLIENT_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "common/environment.h"

namespace tandem {

class JobClient;

enum ExitCode : int {
  kExitOk = 0,
  kExitJobFailed = 1,
  kExitBadInput = 2,
  kExitUnavailable = 3,
  kExitNotFound = 4,
  kExitCancelled = 5,
  kExitError = 6,
  kExitNotAuthorized = 7,
};

// Runs the CLI on `args` (argv without the program name); writes to `out` and `err`.
// `env` stands in for missing flags: its coordinator for --coordinator (empty means
// 127.0.0.1:7400), its token for --token_file, its CA for --tls_ca. A `client` (tests) is used
// instead of connecting to the coordinator.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const MainEnvironment& env = {}, JobClient* client = nullptr);

}  // namespace tandem

#endif  // TANDEM_CLIENT_COMMANDS_H_
