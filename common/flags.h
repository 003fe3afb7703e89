// The one flag style of every Tandem program (tandem, tandem-coordinator, tandem-worker,
// tandem-local), parsed only in main.cc files and the client's subcommands; libraries take
// options structs. `--name value`, `--name=value`, boolean `--name`, repeatable flags, `--`
// ends the flags, and positional arguments. `--data-dir` and `--data_dir` are the same flag
// (names are stored with '_'). Unknown flags are errors that list the known ones.
#ifndef TANDEM_COMMON_FLAGS_H_
#define TANDEM_COMMON_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem {

struct FlagSpec {
  // A constructor (not an aggregate) so that tables may leave out the trailing fields.
  FlagSpec(std::string name, bool takes_value, std::string help,
           std::string value_name = "VALUE", std::string default_value = "")
      : name(std::move(name)),
        takes_value(takes_value),
        help(std::move(help)),
        value_name(std::move(value_name)),
        default_value(std::move(default_value)) {}

  std::string name;  // without dashes, words joined by '_'
  bool takes_value = false;
  std::string help;
  std::string value_name = "VALUE";
  // The value Get() returns when the flag is not given (shown in the help when not empty).
  std::string default_value;
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>> flags;  // given on the command line
  std::map<std::string, std::string> defaults;            // FlagSpec::default_value
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  // The last value given for `name`, else `fallback` when not empty, else its default.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& All(const std::string& name) const;
  // Get() as an integer in [min, max]; INVALID_ARGUMENT naming the flag otherwise.
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t min, int64_t max) const;
};

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

// Aligned help lines for the flags.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace tandem

#endif  // TANDEM_COMMON_FLAGS_H_
