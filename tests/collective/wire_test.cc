#include "collective/wire.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

using tandem::testing::StatusIs;

TEST(PartitionTest, CoversRangeInOrderWithNearEqualParts) {
  for (size_t count : {0u, 1u, 3u, 7u, 1009u, 1000000u}) {
    for (size_t parts : {1u, 2u, 3u, 4u, 7u}) {
      size_t next = 0;
      for (size_t i = 0; i < parts; ++i) {
        Range r = Partition(count, parts, i);
        EXPECT_EQ(r.begin, next);
        EXPECT_LE(r.size(), count / parts + 1);
        EXPECT_GE(r.size(), count / parts);
        next = r.end;
      }
      EXPECT_EQ(next, count);
    }
  }
  EXPECT_EQ(SegmentCount(0, 4), 0u);
  EXPECT_EQ(SegmentCount(9, 4), 3u);
}

v1::CollectiveHeader Header(uint64_t count) {
  v1::CollectiveHeader h;
  h.set_job_id("job-7");
  h.set_generation(3);
  h.set_sequence(12);
  h.set_from_rank(2);
  h.set_step(1);
  h.set_segment(4);
  h.set_wire_type(v1::WIRE_TYPE_F32);
  h.set_count(count);
  return h;
}

TEST(SegmentPrefixTest, RoundTripsAndIsAValidSegmentMessage) {
  std::vector<float> payload = {1.5f, -2.0f, 3.25f};
  std::string prefix = EncodeSegmentPrefix(Header(3), 12);
  std::string message = prefix + std::string(reinterpret_cast<char*>(payload.data()), 12);

  v1::Segment segment;  // the hand-built bytes parse as the documented proto message
  ASSERT_TRUE(segment.ParseFromString(message));
  EXPECT_EQ(segment.header().sequence(), 12u);
  EXPECT_EQ(segment.payload().size(), 12u);

  v1::CollectiveHeader parsed;
  size_t offset = 0;
  ASSERT_OK(ParseSegmentPrefix(reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                               message.size(), &parsed, &offset));
  EXPECT_EQ(offset, prefix.size());
  EXPECT_EQ(parsed.job_id(), "job-7");
  EXPECT_EQ(parsed.generation(), 3u);
  EXPECT_EQ(parsed.count(), 3u);
}

absl::Status Parse(const std::string& message) {
  v1::CollectiveHeader h;
  size_t offset;
  return ParseSegmentPrefix(reinterpret_cast<const uint8_t*>(message.data()), message.size(),
                            message.size(), &h, &offset);
}

TEST(SegmentPrefixTest, RefusesMalformedAndOversized) {
  EXPECT_THAT(Parse(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("garbage bytes here"), StatusIs(absl::StatusCode::kInvalidArgument));
  // Payload shorter than declared, and a count that does not match the payload.
  EXPECT_THAT(Parse(EncodeSegmentPrefix(Header(3), 12) + "abc"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse(EncodeSegmentPrefix(Header(2), 12) + std::string(12, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Unknown wire type.
  v1::CollectiveHeader h = Header(3);
  h.set_wire_type(v1::WIRE_TYPE_UNSPECIFIED);
  EXPECT_THAT(Parse(EncodeSegmentPrefix(h, 12) + std::string(12, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Oversized payload.
  size_t big = kMaxSegmentPayloadBytes + 4;
  EXPECT_THAT(Parse(EncodeSegmentPrefix(Header(big / 4), big) + std::string(big, 0)),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Bytes segments (all-gather) count one element per byte: any length, odd ones included.
TEST(SegmentPrefixTest, BytesSegmentsCountBytes) {
  v1::CollectiveHeader h = Header(7);
  h.set_wire_type(v1::WIRE_TYPE_BYTES);
  EXPECT_OK(Parse(EncodeSegmentPrefix(h, 7) + std::string(7, 'x')));
  EXPECT_THAT(Parse(EncodeSegmentPrefix(h, 28) + std::string(28, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(WireBytesPerElement(v1::WIRE_TYPE_BYTES), 1u);
}

// Splits `bytes` at the given cut points into spans.
std::vector<ByteSpan> Split(const std::string& bytes, std::vector<size_t> cuts) {
  std::vector<ByteSpan> spans;
  size_t begin = 0;
  cuts.push_back(bytes.size());
  for (size_t cut : cuts) {
    spans.push_back(ByteSpan{reinterpret_cast<const uint8_t*>(bytes.data()) + begin, cut - begin});
    begin = cut;
  }
  return spans;
}

TEST(DecodePayloadTest, ElementsStraddlingSpansOfAnySize) {
  std::vector<float> values(37);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i) * 1.5f - 7.0f;
  const std::string prefix = "hdr";  // an unaligned payload offset
  const std::string bytes =
      prefix + std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
  // Every pair of cut points, including spans of 1 and 2 bytes inside one element.
  for (size_t a = 0; a <= bytes.size(); a += 1) {
    for (size_t b = a; b <= bytes.size(); b += 3) {
      std::vector<float> out(values.size(), 1.0f);
      DecodePayload(Split(bytes, {a, a + (b > a ? 1 : 0), b}), prefix.size(), v1::WIRE_TYPE_F32,
                    out.data(), /*add=*/true);
      for (size_t i = 0; i < values.size(); ++i) {
        ASSERT_EQ(out[i], values[i] + 1.0f) << "cuts " << a << "," << b << " element " << i;
      }
    }
  }
  // bf16, copied rather than added.
  std::string half;
  for (float v : values) {
    uint16_t h = FloatToBf16(v);
    half.append(reinterpret_cast<const char*>(&h), 2);
  }
  std::vector<float> out(values.size());
  DecodePayload(Split(half, {1, 2, 5, 6, 7, 30}), 0, v1::WIRE_TYPE_BF16, out.data(), false);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], Bf16ToFloat(FloatToBf16(values[i])));
}

TEST(CopyPayloadBytesTest, CopiesEveryByteAcrossSpans) {
  std::string bytes = "hdr";
  for (int i = 0; i < 41; ++i) bytes.push_back(char(i * 37 + 1));
  for (size_t a = 0; a <= bytes.size(); ++a) {
    for (size_t b = a; b <= bytes.size(); b += 2) {
      std::string out(41, '\0');
      CopyPayloadBytes(Split(bytes, {a, b}), 3, reinterpret_cast<uint8_t*>(out.data()));
      ASSERT_EQ(out, bytes.substr(3)) << "cuts " << a << "," << b;
    }
  }
}

// The vectorised encoder of sends gives FloatToBf16's bits for every class of float: a
// sweep over the bit patterns (odd stride: every exponent, both signs, ties, NaNs, infinities,
// subnormals) plus the edges.
TEST(Bf16Test, EncodeBf16MatchesFloatToBf16BitForBit) {
  std::vector<uint32_t> patterns = {0u,          0x80000000u, 0x7f800000u, 0xff800000u,
                                    0x7f800001u, 0x7fc00000u, 0xffffffffu, 0x7f7fffffu,
                                    0x00000001u, 0x3f808000u, 0x3f818000u, 0x7f7f8000u};
  for (uint64_t b = 0; b <= 0xffffffffu; b += 65537) patterns.push_back(uint32_t(b));
  std::vector<float> values(patterns.size());
  std::memcpy(values.data(), patterns.data(), patterns.size() * 4);
  std::vector<uint16_t> encoded(values.size());
  EncodeBf16(values.data(), values.size(), encoded.data());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(encoded[i], FloatToBf16(values[i])) << std::hex << "bits 0x" << patterns[i];
  }
}

TEST(Bf16Test, RoundsToNearestEvenAndWidensExactly) {
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f)), 1.0f);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(-3.0f)), -3.0f);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(256.0f)), 256.0f);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(257.0f)), 256.0f);  // tie rounds to even
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(259.0f)), 260.0f);
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(std::nanf("")))));
  for (float v : {0.1f, 3.14159f, -1234.5f, 1e-20f}) {
    EXPECT_NEAR(Bf16ToFloat(FloatToBf16(v)), v, std::fabs(v) / 128);
  }
}

}  // namespace
}  // namespace tandem::collective
