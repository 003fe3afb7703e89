// bfloat16, the optional wire format of all-reduces (OpOptions::bf16_wire): the upper 16 bits
// of a float32 (8 bits of exponent, 7 stored bits of mantissa), rounded to nearest even.
// Header-only and free of gRPC and proto, for the wire (wire.h) and the in-process group alike.
#ifndef TANDEM_COLLECTIVE_BF16_H_
#define TANDEM_COLLECTIVE_BF16_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tandem::collective {

// Round to nearest even (NaN stays NaN, quiet).
inline uint16_t FloatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0) {
    return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  }
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

// Widening is exact.
inline float Bf16ToFloat(uint16_t value) {
  uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

// Rounds every element to the nearest bfloat16 value, in place.
inline void RoundToBf16(float* data, size_t count) {
  for (size_t i = 0; i < count; ++i) data[i] = Bf16ToFloat(FloatToBf16(data[i]));
}

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_BF16_H_
