#include "common/secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"

namespace tandem {

namespace {

std::string Digest(absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

}  // namespace

absl::Status CheckToken(absl::string_view what, absl::string_view token) {
  if (token.size() < kMinTokenBytes || token.size() > kMaxTokenBytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": a token must have ", kMinTokenBytes,
                                                   " to ", kMaxTokenBytes, " characters, not ",
                                                   token.size()));
  }
  for (char ch : token) {
    if (ch <= ' ' || ch > '~') {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": a token may hold only printable ASCII characters without spaces"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path, kMaxTokenBytes + 2);
  if (!data.ok()) return data.status();
  std::string token = *std::move(data);
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": the token file is empty"));
  if (absl::Status s = CheckToken(path, token); !s.ok()) return s;
  return token;
}

absl::StatusOr<std::vector<std::string>> ReadTokenFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> tokens;
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> token = ReadTokenFile(path);
    if (!token.ok()) return token.status();
    tokens.push_back(*std::move(token));
  }
  return tokens;
}

bool TokensEqual(absl::string_view a, absl::string_view b) {
  const std::string da = Digest(a), db = Digest(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::abort();  // no randomness: nothing secret can be made, and going on would be unsafe
  }
  return absl::BytesToHexString(raw);
}

std::string HmacSha256Hex(absl::string_view key, absl::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &n);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(out), n));
}

}  // namespace tandem
