// The JSON writer of protobuf messages that `tandem --json` prints and the coordinator's
// /api/ answers with, so that both give the same shapes (client/JSON.md states the rules):
// proto field names in declaration order, every field present, exact integers, enums by
// their EnumValueName, bytes as base64, NaN and infinities null, fields with explicit
// presence null when unset, maps as objects with sorted keys. Compact, one line.
#ifndef TANDEM_COMMON_PROTO_JSON_H_
#define TANDEM_COMMON_PROTO_JSON_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace tandem {

// The message as one JSON object.
std::string JsonObject(const google::protobuf::Message& m);

// The messages as one JSON array.
template <typename T>
std::string JsonArray(const std::vector<T>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += JsonObject(items[i]);
  }
  return out + "]";
}

// `s` as a JSON string (RFC 8259), quotes included; bytes that are not UTF-8 become U+FFFD.
std::string JsonString(absl::string_view s);

// Whether the writer writes `f` as null when it is unset: a field with explicit presence
// (proto3 `optional`, a oneof member), but not a plain singular message field.
bool JsonNullable(const google::protobuf::FieldDescriptor* f);

}  // namespace tandem

#endif  // TANDEM_COMMON_PROTO_JSON_H_
