// Secrets: bearer tokens read from files, compared in constant time, random keys and keyed
// digests (DESIGN.md section 8). A token never appears in a log line or an error message:
// messages name the file, never its contents.
#ifndef TANDEM_COMMON_SECRETS_H_
#define TANDEM_COMMON_SECRETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

// Tokens are 16 to 4096 printable ASCII characters without spaces.
inline constexpr size_t kMinTokenBytes = 16;
inline constexpr size_t kMaxTokenBytes = 4096;

// OK when `token` has the form above; InvalidArgument naming `what` otherwise (never the
// token itself).
absl::Status CheckToken(absl::string_view what, absl::string_view token);

// Reads a token file (as Kubernetes mounts a Secret): the whole file, one trailing newline
// allowed. Errors name the path: missing, not a regular file, empty, too long, or a token
// that fails CheckToken.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);
// ReadTokenFile of each path, in order.
absl::StatusOr<std::vector<std::string>> ReadTokenFiles(const std::vector<std::string>& paths);

// Whether `a` equals `b`, in time that depends on neither's contents (both are hashed first,
// so not on the lengths either).
bool TokensEqual(absl::string_view a, absl::string_view b);

// `bytes` random bytes from the operating system's generator, as lower-case hex.
std::string RandomHex(size_t bytes);

// Lower-case hex HMAC-SHA-256 of `message` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view message);

}  // namespace tandem

#endif  // TANDEM_COMMON_SECRETS_H_
