#include "common/flags.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tandem {

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = flags.find(name);
  if (it != flags.end() && !it->second.empty()) return it->second.back();
  if (!fallback.empty()) return fallback;
  auto d = defaults.find(name);
  return d == defaults.end() ? std::string() : d->second;
}

absl::StatusOr<int64_t> ParsedArgs::GetInt(const std::string& name, int64_t min,
                                           int64_t max) const {
  const std::string text = Get(name);
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": expected an integer in ", min,
                                                   "..", max, ", got '", text, "'"));
  }
  return value;
}

const std::vector<std::string>& ParsedArgs::All(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto it = flags.find(name);
  return it == flags.end() ? kEmpty : it->second;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs) {
  ParsedArgs out;
  for (const auto& s : specs) {
    if (!s.default_value.empty()) out.defaults[s.name] = s.default_value;
  }
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || a == "-") {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::string value;
    bool has_value = false;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    std::replace(name.begin(), name.end(), '-', '_');
    auto spec =
        std::find_if(specs.begin(), specs.end(), [&](const FlagSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::vector<std::string> known;
      for (const auto& s : specs) known.push_back("--" + s.name);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " (known: ", absl::StrJoin(known, ", "), ")"));
    }
    if (spec->takes_value && !has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
      value = args[++i];
    } else if (!spec->takes_value && has_value) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    }
    out.flags[name].push_back(value);
  }
  return out;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const auto& s : specs) {
    left.push_back(absl::StrCat("  --", s.name, s.takes_value ? " " + s.value_name : ""));
    width = std::max(width, left.back().size());
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StrAppend(&out, left[i], std::string(width - left[i].size() + 2, ' '), specs[i].help,
                    specs[i].default_value.empty()
                        ? ""
                        : absl::StrCat(" (default ", specs[i].default_value, ")"),
                    "\n");
  }
  return out;
}

}  // namespace tandem
