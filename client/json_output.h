// The one JSON writer of `tandem --json` (client/JSON.md is the user's side of this contract).
// Every output is a proto message (RPC messages, or tandem/v1/cli.proto for the rest) written
// by reflection, so that every command follows the same rules:
//
//   - field names are the proto field names (snake_case), in the .proto's declaration order;
//     every field is always present;
//   - integers of every width are JSON numbers with their exact digits (a 64-bit value above
//     2^53 too: parse with a big-integer-aware reader, such as Python's json or jq >= 1.7);
//   - float and double are numbers in their shortest round-trip form; NaN and infinities null;
//   - bool is true/false; string is a string (bytes that are not UTF-8 become U+FFFD); bytes
//     are base64 (RFC 4648, padded);
//   - enums are the name the text tables show: EnumValueName (common/job_states.h), e.g.
//     JOB_STATE_RUNNING -> "running";
//   - zero values are written: 0, false, "", the enum's zero name;
//   - repeated fields are arrays, [] when empty; maps are objects with their keys sorted (as
//     strings, byte order);
//   - a singular message field is always an object: an unset one is written with its zero
//     values, like any other (so the types written are never recursive: JsonSchema refuses
//     them, and the schema test with it);
//   - a field with explicit presence (proto3 `optional`, a oneof member) is null when unset.
//
// Output is compact, one line, no trailing newline.
#ifndef TANDEM_CLIENT_JSON_OUTPUT_H_
#define TANDEM_CLIENT_JSON_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/proto_json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace tandem::cli {

// The writer itself (common/proto_json.h), shared with the coordinator's /api/.
using ::tandem::JsonArray;
using ::tandem::JsonObject;

// What a command prints with --json: one object, one array, or JSON Lines (one object per
// line, flushed as it happens).
struct JsonOutput {
  std::string command;  // "list", "events --follow"
  std::string shape;    // "object", "array" or "lines"
  const google::protobuf::Descriptor* type;
};

// Every command's --json output, by command name (client/JSON.md documents each).
const std::vector<JsonOutput>& CliJsonOutputs();

// The listing client/json_schema.txt freezes: a line per command of CliJsonOutputs, then a
// line per field of every message type they reach ("JobInfo.state: enum(unspecified|...)"),
// types sorted by name, fields in declaration order. Types are named without the package.
// JSON types: number, bool, string, string(base64), enum(v1|v2|...), object T,
// array<...>, object<string, ...> (a map), and "| null" for fields with explicit presence.
// FailedPrecondition for a recursive message type, which the writer's rules cannot close.
absl::StatusOr<std::string> JsonSchema(const std::vector<JsonOutput>& outputs);

}  // namespace tandem::cli

#endif  // TANDEM_CLIENT_JSON_OUTPUT_H_
