// Wire format and arithmetic of the collective, free of gRPC: how a buffer is cut into
// chunks and segments, the hand-built Segment message prefix, bfloat16 conversion.
#ifndef TANDEM_COLLECTIVE_WIRE_H_
#define TANDEM_COLLECTIVE_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collective/bf16.h"
#include "tandem/v1/collective_service.pb.h"

namespace tandem::collective {

// Largest payload one Segment may carry; larger ones are refused with RESOURCE_EXHAUSTED.
inline constexpr size_t kMaxSegmentPayloadBytes = 16 << 20;
// Largest encoded header accepted (job ids are short).
inline constexpr size_t kMaxHeaderBytes = 1024;

struct Range {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

// Chunk `index` of `parts` near-equal parts of [0, count): the first count % parts chunks
// hold one element more. Empty chunks are possible when count < parts.
Range Partition(size_t count, size_t parts, size_t index);

// Number of segments of at most `segment_elems` elements covering `count` elements.
inline size_t SegmentCount(size_t count, size_t segment_elems) {
  return (count + segment_elems - 1) / segment_elems;
}

inline size_t WireBytesPerElement(v1::WireType type) {
  return type == v1::WIRE_TYPE_BF16 ? 2 : type == v1::WIRE_TYPE_BYTES ? 1 : 4;
}

// The bytes of a v1::Segment before its payload: field 1 (the header) then the tag and
// length of field 2. Appending `payload_bytes` bytes gives a valid serialised Segment.
std::string EncodeSegmentPrefix(const v1::CollectiveHeader& header, size_t payload_bytes);

// Parses the prefix from `bytes` (the first up to kMaxHeaderBytes + 16 bytes of a message of
// `total` bytes). Sets `header` and `payload_offset`. INVALID_ARGUMENT when malformed or
// when the payload length does not match header.count; RESOURCE_EXHAUSTED when oversized.
absl::Status ParseSegmentPrefix(const uint8_t* bytes, size_t n, size_t total,
                                v1::CollectiveHeader* header, size_t* payload_offset);

// A run of bytes, e.g. one gRPC slice of a received message.
struct ByteSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Decodes the payload that starts `skip` bytes into the concatenation of `spans` (elements of
// `type` F32 or BF16, up to the end) into dst, adding when `add`. Elements may straddle spans.
void DecodePayload(const std::vector<ByteSpan>& spans, size_t skip, v1::WireType type,
                   float* dst, bool add);
// dst[i] = FloatToBf16(src[i]) for i < count: the payload of a bf16 segment. Branch-free, so
// it vectorises (a send converts every element it puts on the wire).
void EncodeBf16(const float* src, size_t count, uint16_t* dst);

// Copies the bytes that start `skip` bytes into the concatenation of `spans`, up to the end,
// to dst (a WIRE_TYPE_BYTES payload).
void CopyPayloadBytes(const std::vector<ByteSpan>& spans, size_t skip, uint8_t* dst);

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_WIRE_H_
