// Subcommand argument parsing: `--name value`, `--name=value`, boolean `--name`, repeatable
// flags, and positional arguments. Unknown flags are errors that list the known ones.
#ifndef TANDEM_CLIENT_ARGS_H_
#define TANDEM_CLIENT_ARGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem {

struct FlagSpec {
  std::string name;  // without dashes
  bool takes_value = false;
  std::string help;
  std::string value_name = "VALUE";
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>> flags;
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  // The last value given for `name`, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& All(const std::string& name) const;
};

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

// Aligned help lines for the flags.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace tandem

#endif  // TANDEM_CLIENT_ARGS_H_
