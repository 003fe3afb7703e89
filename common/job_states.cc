#include "common/job_states.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tandem {
namespace {

std::string Strip(std::string name, const std::string& prefix, int value) {
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  if (name.empty()) return absl::StrCat("state_", value);
  return absl::AsciiStrToLower(name);
}

}  // namespace

std::string StateName(v1::JobState s) {
  return Strip(v1::JobState_Name(s), "JOB_STATE_", static_cast<int>(s));
}

std::string WorkerStateName(v1::WorkerState s) {
  return Strip(v1::WorkerState_Name(s), "WORKER_STATE_", static_cast<int>(s));
}

bool IsTerminal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
         s == v1::JOB_STATE_CANCELLED;
}

}  // namespace tandem
