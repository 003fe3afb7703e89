// The collective's wire decoder: the input is one received Push message. Its bounded prefix is
// parsed as the server does (collective_service.cc), and a payload that passes is decoded
// from slices cut at input-chosen places (grpc_transport.cc), into a buffer of exactly the
// header's element count: any read or write past either is a sanitizer report.
#include <algorithm>
#include <cstring>
#include <vector>

#include "collective/wire.h"
#include "fuzz/fuzz_target.h"

namespace c = tandem::collective;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t cut = 1 + data[0];  // slice length, as gRPC's slices vary
  const uint8_t* message = data + 1;
  const size_t total = size - 1;
  uint8_t prefix[c::kMaxHeaderBytes + 32];
  const size_t n = std::min(total, sizeof(prefix));
  std::memcpy(prefix, message, n);
  tandem::v1::CollectiveHeader header;
  size_t offset = 0;
  if (!c::ParseSegmentPrefix(prefix, n, total, &header, &offset).ok()) return 0;
  std::vector<c::ByteSpan> spans;
  for (size_t pos = 0; pos < total; pos += cut) {
    spans.push_back({message + pos, std::min(cut, total - pos)});
  }
  if (header.wire_type() == tandem::v1::WIRE_TYPE_BYTES) {
    std::vector<uint8_t> dst(header.count());
    c::CopyPayloadBytes(spans, offset, dst.data());
  } else {
    std::vector<float> dst(header.count());
    c::DecodePayload(spans, offset, header.wire_type(), dst.data(), /*add=*/data[0] % 2 == 1);
  }
  return 0;
}
