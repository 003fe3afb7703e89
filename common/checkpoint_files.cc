#include "common/checkpoint_files.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tandem {
namespace {

constexpr absl::string_view kPrefix = "step-";
constexpr absl::string_view kSuffix = ".ckpt";

}  // namespace

std::string CheckpointFileName(int64_t step) { return absl::StrFormat("step-%07d.ckpt", step); }

std::optional<int64_t> ParseCheckpointFileName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kPrefix) || !absl::ConsumeSuffix(&name, kSuffix) ||
      name.empty() || name.size() > 19) {
    return std::nullopt;
  }
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int64_t step = 0;
  if (!absl::SimpleAtoi(name, &step)) return std::nullopt;
  return step;
}

std::vector<CheckpointFile> ListCheckpoints(const std::string& dir) {
  std::vector<CheckpointFile> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const std::string name = e.path().filename().string();
    if (std::optional<int64_t> step = ParseCheckpointFileName(name)) {
      out.push_back({*step, e.path().string()});
    }
  }
  // By step; for equal steps the longer (padded) name last, so it is the one kept and listed
  // as the newest.
  std::sort(out.begin(), out.end(), [](const CheckpointFile& a, const CheckpointFile& b) {
    if (a.step != b.step) return a.step < b.step;
    if (a.path.size() != b.path.size()) return a.path.size() < b.path.size();
    return a.path < b.path;
  });
  return out;
}

std::optional<CheckpointFile> NewestCheckpoint(const std::string& dir) {
  std::vector<CheckpointFile> all = ListCheckpoints(dir);
  if (all.empty()) return std::nullopt;
  return all.back();
}

absl::Status RotateCheckpoints(const std::string& dir, size_t keep) {
  std::vector<CheckpointFile> all = ListCheckpoints(dir);
  for (size_t i = 0; i + keep < all.size(); ++i) {
    if (std::remove(all[i].path.c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(absl::StrCat("cannot remove old checkpoint ", all[i].path, ": ",
                                              std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace tandem
