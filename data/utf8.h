// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
#ifndef TANDEM_DATA_UTF8_H_
#define TANDEM_DATA_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace tandem {

// Returns the byte offset of the first invalid sequence in `text`, or npos if it is valid.
size_t FindInvalidUtf8(absl::string_view text);
inline bool IsValidUtf8(absl::string_view text) {
  return FindInvalidUtf8(text) == absl::string_view::npos;
}

}  // namespace tandem

#endif  // TANDEM_DATA_UTF8_H_
