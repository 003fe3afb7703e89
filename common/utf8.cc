#include "common/utf8.h"

#include <cstdint>

namespace tandem {

bool DecodeUtf8At(absl::string_view text, size_t pos, char32_t* cp, size_t* len) {
  const uint8_t b0 = static_cast<uint8_t>(text[pos]);
  *len = 1;
  if (b0 < 0x80) {
    *cp = b0;
    return true;
  }
  size_t n;
  char32_t c;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (pos + n > text.size()) return false;
  for (size_t i = 1; i < n; ++i) {
    const uint8_t b = static_cast<uint8_t>(text[pos + i]);
    if ((b & 0xC0) != 0x80) return false;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  *cp = c;
  *len = n;
  return true;
}

size_t FindInvalidUtf8(absl::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    size_t len;
    if (!DecodeUtf8At(text, pos, &cp, &len)) return pos;
    pos += len;
  }
  return absl::string_view::npos;
}

bool DecodeUtf8(absl::string_view text, std::u32string* out) {
  out->clear();
  out->reserve(text.size());
  bool ok = true;
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    size_t len;
    if (!DecodeUtf8At(text, pos, &cp, &len)) {
      ok = false;
      cp = 0xFFFD;
    }
    out->push_back(cp);
    pos += len;
  }
  return ok;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

size_t Utf8Length(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace tandem
