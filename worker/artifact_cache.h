// The worker's disk cache of job artifacts (shards, tokenizer models), keyed by SHA-256, so a
// worker that gets the same shard again (a new generation, a restarted worker, another job on
// the same corpus) never fetches it twice. Files are <dir>/<sha256>; a file is trusted only if
// its contents still hash to its name.
#ifndef TANDEM_WORKER_ARTIFACT_CACHE_H_
#define TANDEM_WORKER_ARTIFACT_CACHE_H_

#include <string>

#include "absl/status/status.h"

namespace tandem {

class ArtifactCache {
 public:
  explicit ArtifactCache(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Init();
  const std::string& dir() const { return dir_; }
  // The path an artifact with this checksum has (or will have) in the cache. `sha256` must
  // have passed CheckSha256Hex (Worker checks every assignment first).
  std::string PathFor(const std::string& sha256) const;
  // True if the cached file exists and its contents match the checksum; a corrupt entry is
  // deleted. False, touching nothing, for a string that is not a SHA-256 digest.
  bool Has(const std::string& sha256) const;
  // Stores `data` under its checksum, which must equal `sha256` (DataLoss otherwise).
  absl::Status Put(const std::string& sha256, const std::string& data);

 private:
  std::string dir_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_ARTIFACT_CACHE_H_
