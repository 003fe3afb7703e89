#include "worker/artifact_cache.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/files.h"

namespace tandem {

absl::Status ArtifactCache::Init() { return MakeDirs(dir_); }

std::string ArtifactCache::PathFor(const std::string& sha256) const {
  return absl::StrCat(dir_, "/", sha256);
}

bool ArtifactCache::Has(const std::string& sha256) const {
  if (!CheckSha256Hex("artifact checksum", sha256).ok()) return false;
  const std::string path = PathFor(sha256);
  if (!PathExists(path)) return false;
  auto actual = Sha256OfFile(path);
  if (actual.ok() && *actual == sha256) return true;
  std::remove(path.c_str());
  return false;
}

absl::Status ArtifactCache::Put(const std::string& sha256, const std::string& data) {
  const std::string actual = Sha256Hex(data);
  if (actual != sha256) {
    return absl::DataLossError(
        absl::StrCat("artifact checksum mismatch: expected ", sha256, ", got ", actual));
  }
  return WriteFileAtomic(PathFor(sha256), data);
}

}  // namespace tandem
