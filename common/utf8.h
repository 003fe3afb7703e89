// UTF-8 (RFC 3629): validation, decoding to code points, encoding. Malformed means an
// invalid lead byte, a missing or wrong continuation byte, an overlong form, a surrogate
// (U+D800..U+DFFF) or a value above U+10FFFF. The one UTF-8 codec of the project: data/
// validates corpora with it, model/ decodes characters for chrF, BLEU tokenization, JSON
// and SVG output.
#ifndef TANDEM_COMMON_UTF8_H_
#define TANDEM_COMMON_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace tandem {

// Decodes the code point that starts at byte `pos` of `text` (pos < text.size()). On success
// sets *cp and *len (1..4) and returns true. On a malformed sequence returns false, leaves *cp
// unset and sets *len to 1, so that a caller stepping by *len resynchronises byte by byte.
bool DecodeUtf8At(absl::string_view text, size_t pos, char32_t* cp, size_t* len);

// Returns the byte offset of the first malformed sequence in `text`, or npos if it is valid.
size_t FindInvalidUtf8(absl::string_view text);
inline bool IsValidUtf8(absl::string_view text) {
  return FindInvalidUtf8(text) == absl::string_view::npos;
}

// Replaces *out with the code points of `text`; each byte at which no valid sequence starts
// becomes one U+FFFD (DecodeUtf8At's stepping). Returns false if `text` is not valid UTF-8.
bool DecodeUtf8(absl::string_view text, std::u32string* out);

// Appends the UTF-8 encoding of `c` (at most U+10FFFF; surrogates are encoded as they are).
void AppendUtf8(char32_t c, std::string* out);

// Number of code points of valid UTF-8 `text`: the bytes that are not continuation bytes.
size_t Utf8Length(absl::string_view text);

}  // namespace tandem

#endif  // TANDEM_COMMON_UTF8_H_
