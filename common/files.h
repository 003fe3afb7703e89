// File utilities shared by every component: whole-file reads, atomic writes, checksums.
#ifndef TANDEM_COMMON_FILES_H_
#define TANDEM_COMMON_FILES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

// Reads the whole file. NotFound if it does not exist, FailedPrecondition if it is not a
// regular file, InvalidArgument if it is larger than `max_bytes`; messages name the path.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     uint64_t max_bytes = uint64_t{1} << 34);

// Writes `contents` atomically: a temporary file in the same directory, fsync, rename over
// `path`, fsync of the directory. Readers see the old file or the new one, never a mix.
// `mode`: the new file's permissions (before the umask); 0600 for secrets.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view contents,
                             int mode = 0644);

// Creates `path` and its missing parents (like mkdir -p).
absl::Status MakeDirs(const std::string& path);

// An exclusive lock on a file (flock), held until the object is destroyed or the process
// ends (so a crash never leaves a stale lock). The file holds the holder's PID for messages.
class FileLock {
 public:
  // Creates `path` if needed and locks it. FailedPrecondition naming `what`, the path and the
  // holder's PID when another process (or another FileLock) holds it.
  static absl::StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path,
                                                           absl::string_view what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

bool PathExists(const std::string& path);

// Removes `path` and everything under it (links are removed, not followed); returns the
// bytes of the regular files removed. A missing path removes nothing and returns 0.
absl::StatusOr<uint64_t> RemoveTree(const std::string& path);

// `path` made absolute against the current directory (unchanged if already absolute or empty).
std::string AbsolutePath(const std::string& path);

// The directory holding the running executable (from /proc/self/exe; "." if unknown).
std::string ExecutableDir();

// Paths of the regular files in `dir` whose names end in `suffix`, sorted by name; empty if
// `dir` does not exist.
std::vector<std::string> ListFiles(const std::string& dir, const std::string& suffix);

// OK when `name` can be one component of a path: 1 to 128 characters from [A-Za-z0-9._-],
// not "." or "..", not starting with '.' or '-'. INVALID_ARGUMENT naming `what` otherwise.
// Every identifier that comes over the network and becomes part of a path goes through it.
absl::Status CheckPathComponent(absl::string_view what, absl::string_view name);

// OK when `sha256` is a SHA-256 digest in lower-case hex (64 of [0-9a-f]); INVALID_ARGUMENT
// naming `what` otherwise. Checksums from the network name cached files: they go through it.
absl::Status CheckSha256Hex(absl::string_view what, absl::string_view sha256);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

// Lower-case hex SHA-256 of a file's contents, streamed.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace tandem

#endif  // TANDEM_COMMON_FILES_H_
