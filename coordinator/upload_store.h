// UploadStore: files clients uploaded for their jobs (corpus files), under
// <data_dir>/uploads/<sha256>, written while they stream in (never held in memory), checked
// by size and SHA-256, deduplicated by checksum. Bounded: each file by max_file_bytes, all
// of them together by quota_bytes, both checked before anything is written.
//
// Collected: an upload no job in progress names, not used for a while (uploaded, or asked for
// by a client deduplicating, or named by a submission), is removed by Collect.
//
// Thread-safe: uploads of different files proceed in parallel; the quota is reserved when an
// upload begins and released if it fails.
#ifndef TANDEM_COORDINATOR_UPLOAD_STORE_H_
#define TANDEM_COORDINATOR_UPLOAD_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace tandem {

inline constexpr char kUploadPrefix[] = "upload:";

class UploadStore {
 public:
  // Opens (creating) `dir`; counts what it holds against the quota and removes unfinished
  // uploads of a previous process.
  static absl::StatusOr<std::unique_ptr<UploadStore>> Open(std::string dir, uint64_t max_file_bytes,
                                                           uint64_t quota_bytes);

  bool Has(const std::string& sha256) const;
  // Has, and marks the upload as used now, so that Collect keeps it for another `min_age`
  // (a client that found its file here submits the job that names it next).
  bool Keep(const std::string& sha256);
  // The file of a finished upload (InvalidArgument for a malformed checksum, NotFound saying
  // how to upload for one the store does not hold).
  absl::StatusOr<std::string> PathOf(const std::string& sha256) const;

  // One upload in progress. Destroying it before Finish discards what was written.
  class Writer {
   public:
    ~Writer();
    // Appends the next bytes; ResourceExhausted (and nothing more is kept) past the size
    // announced in Begin.
    absl::Status Append(absl::string_view data);
    // Checks size and checksum and publishes the file; DataLoss naming both on a mismatch.
    absl::Status Finish();

   private:
    friend class UploadStore;
    Writer(UploadStore* store, std::string sha256, uint64_t total, std::string tmp, int fd);
    void Discard();

    UploadStore* store_;
    const std::string sha256_;
    const uint64_t total_;
    const std::string tmp_;
    int fd_;
    uint64_t written_ = 0;
    struct Hash;
    std::unique_ptr<Hash> hash_;
    bool done_ = false;
  };

  // Begins an upload of `total_bytes` with checksum `sha256`: nullptr when the store already
  // holds it. InvalidArgument for a malformed checksum, ResourceExhausted (saying which
  // limit) when the file is over max_file_bytes or would exceed the quota.
  absl::StatusOr<std::unique_ptr<Writer>> Begin(const std::string& sha256, uint64_t total_bytes);

  uint64_t used_bytes() const;

  // Removes every finished upload whose checksum is not in `referenced` and that was last used
  // more than `min_age` ago (by its file's modification time); returns the bytes freed.
  uint64_t Collect(const std::set<std::string>& referenced, std::chrono::seconds min_age);

 private:
  UploadStore(std::string dir, uint64_t max_file_bytes, uint64_t quota_bytes)
      : dir_(std::move(dir)), max_file_bytes_(max_file_bytes), quota_bytes_(quota_bytes) {}
  void Release(uint64_t bytes);

  const std::string dir_;
  const uint64_t max_file_bytes_;
  const uint64_t quota_bytes_;
  mutable absl::Mutex mu_;
  uint64_t used_ ABSL_GUARDED_BY(mu_) = 0;  // finished uploads and reservations
  // mu_ also orders Keep against Collect's removal of the same file.
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_UPLOAD_STORE_H_
