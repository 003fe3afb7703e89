#include "common/job_states.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tandem {
namespace {

// "JobState" -> "JOB_STATE_": the prefix protobuf's style guide gives the enum's values.
std::string ValuePrefix(const std::string& type_name) {
  std::string prefix;
  for (char c : type_name) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  return prefix + "_";
}

}  // namespace

std::string EnumValueName(const google::protobuf::EnumDescriptor& type, int number) {
  const std::string prefix = ValuePrefix(type.name());
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr) return absl::AsciiStrToLower(absl::StrCat(prefix, number));
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  return absl::AsciiStrToLower(name);
}

std::string StateName(v1::JobState s) {
  return EnumValueName(*v1::JobState_descriptor(), static_cast<int>(s));
}

std::string WorkerStateName(v1::WorkerState s) {
  return EnumValueName(*v1::WorkerState_descriptor(), static_cast<int>(s));
}

bool IsTerminal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
         s == v1::JOB_STATE_CANCELLED;
}

}  // namespace tandem
