#include "collective/wire.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tandem::collective {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "payloads are little-endian and copied as host floats");

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint of at most 10 bytes; false when truncated or too long.
bool GetVarint(const uint8_t* p, size_t n, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *pos < n; shift += 7) {
    uint8_t b = p[(*pos)++];
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

constexpr uint8_t kHeaderTag = (1 << 3) | 2;   // field 1, length-delimited
constexpr uint8_t kPayloadTag = (2 << 3) | 2;  // field 2, length-delimited

}  // namespace

Range Partition(size_t count, size_t parts, size_t index) {
  size_t base = count / parts, extra = count % parts;
  size_t begin = index * base + (index < extra ? index : extra);
  return Range{begin, begin + base + (index < extra ? 1 : 0)};
}

std::string EncodeSegmentPrefix(const v1::CollectiveHeader& header, size_t payload_bytes) {
  std::string encoded = header.SerializeAsString();
  std::string out;
  out.reserve(encoded.size() + 24);
  out.push_back(static_cast<char>(kHeaderTag));
  PutVarint(&out, encoded.size());
  out += encoded;
  out.push_back(static_cast<char>(kPayloadTag));
  PutVarint(&out, payload_bytes);
  return out;
}

absl::Status ParseSegmentPrefix(const uint8_t* bytes, size_t n, size_t total,
                                v1::CollectiveHeader* header, size_t* payload_offset) {
  size_t pos = 0;
  uint64_t header_len = 0, payload_len = 0;
  if (n < 2 || bytes[pos++] != kHeaderTag || !GetVarint(bytes, n, &pos, &header_len)) {
    return absl::InvalidArgumentError("malformed collective segment: no header field first");
  }
  if (header_len > kMaxHeaderBytes || pos + header_len > n) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed collective segment: header of ", header_len, " bytes"));
  }
  if (!header->ParseFromArray(bytes + pos, static_cast<int>(header_len))) {
    return absl::InvalidArgumentError("malformed collective segment: header does not parse");
  }
  pos += header_len;
  if (pos >= n || bytes[pos++] != kPayloadTag || !GetVarint(bytes, n, &pos, &payload_len)) {
    return absl::InvalidArgumentError("malformed collective segment: no payload field last");
  }
  if (pos + payload_len != total) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed collective segment: payload length ", payload_len, " but ", total - pos,
        " bytes follow"));
  }
  if (payload_len > kMaxSegmentPayloadBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "collective segment payload of ", payload_len, " bytes exceeds the limit of ",
        kMaxSegmentPayloadBytes));
  }
  if (header->wire_type() != v1::WIRE_TYPE_F32 && header->wire_type() != v1::WIRE_TYPE_BF16 &&
      header->wire_type() != v1::WIRE_TYPE_BYTES) {
    return absl::InvalidArgumentError(
        absl::StrCat("collective segment: unknown wire type ", header->wire_type()));
  }
  if (header->count() > kMaxSegmentPayloadBytes ||
      header->count() * WireBytesPerElement(header->wire_type()) != payload_len) {
    return absl::InvalidArgumentError(absl::StrCat(
        "collective segment: ", header->count(), " elements do not fill ", payload_len,
        " payload bytes"));
  }
  *payload_offset = pos;
  return absl::OkStatus();
}

namespace {

// The inner loops, kept free of aliasing so the compiler vectorises them (this file is built
// with -O3; see CMakeLists.txt).
void AddF32(float* __restrict dst, const uint8_t* __restrict src, size_t k) {
  for (size_t i = 0; i < k; ++i) {
    float v;
    std::memcpy(&v, src + 4 * i, 4);
    dst[i] += v;
  }
}

void ApplyBf16(float* __restrict dst, const uint8_t* __restrict src, size_t k, bool add) {
  for (size_t i = 0; i < k; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    float v = Bf16ToFloat(h);
    dst[i] = add ? dst[i] + v : v;
  }
}

}  // namespace

void DecodePayload(const std::vector<ByteSpan>& spans, size_t skip, v1::WireType type,
                   float* dst, bool add) {
  const bool bf16 = type == v1::WIRE_TYPE_BF16;
  const size_t width = bf16 ? 2 : 4;
  auto apply = [&](const uint8_t* src, size_t k) {
    if (bf16) {
      ApplyBf16(dst, src, k, add);
    } else if (add) {
      AddF32(dst, src, k);
    } else {
      std::memcpy(dst, src, 4 * k);
    }
    dst += k;
  };
  uint8_t carry[4];
  size_t carried = 0;
  for (const ByteSpan& span : spans) {
    const uint8_t* p = span.data;
    size_t n = span.size;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    p += skip;
    n -= skip;
    skip = 0;
    if (carried > 0) {
      size_t take = std::min(width - carried, n);
      std::memcpy(carry + carried, p, take);
      carried += take;
      p += take;
      n -= take;
      if (carried < width) continue;  // a span shorter than the rest of the element
      apply(carry, 1);
      carried = 0;
    }
    size_t whole = n / width;
    apply(p, whole);
    p += whole * width;
    n -= whole * width;
    std::memcpy(carry, p, n);
    carried = n;
  }
}

void EncodeBf16(const float* __restrict src, size_t count, uint16_t* __restrict dst) {
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, src + i, 4);
    // FloatToBf16 without its branch: round to nearest even, NaN made quiet.
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (bits >> 16) | 0x40u;
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    dst[i] = static_cast<uint16_t>(nan ? quiet_nan : rounded);
  }
}

void CopyPayloadBytes(const std::vector<ByteSpan>& spans, size_t skip, uint8_t* dst) {
  for (const ByteSpan& span : spans) {
    if (skip >= span.size) {
      skip -= span.size;
      continue;
    }
    std::memcpy(dst, span.data + skip, span.size - skip);
    dst += span.size - skip;
    skip = 0;
  }
}

}  // namespace tandem::collective
