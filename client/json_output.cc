#include "client/json_output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/job_states.h"
#include "common/utf8.h"
#include "tandem/v1/cli.pb.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A JSON string (RFC 8259): quotes, backslashes and control characters escaped, the rest as
// UTF-8; bytes that are not UTF-8 become U+FFFD.
std::string String(absl::string_view s) {
  std::u32string chars;
  DecodeUtf8(s, &chars);
  std::string out = "\"";
  for (char32_t c : chars) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned>(c));
        } else {
          AppendUtf8(c, &out);
        }
    }
  }
  return out + "\"";
}

// Shortest round-trip digits of a float or double; null for NaN and infinities.
template <typename F>
std::string Number(F x) {
  if (!std::isfinite(x)) return "null";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string(buf, r.ptr);
}

void AppendMessage(const Message& m, std::string* out);

// Null when unset: a field with explicit presence (proto3 `optional`, a oneof member), but not
// a plain singular message field (written with its zero values).
bool Nullable(const FieldDescriptor* f) {
  return f->real_containing_oneof() != nullptr ||
         (f->has_presence() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE);
}

// Element `i` of repeated field `f`, or the singular field when i < 0.
void AppendValue(const Message& m, const FieldDescriptor* f, int i, std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = i >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      absl::StrAppend(out, Number(rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f)));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      absl::StrAppend(out, Number(rep ? r->GetRepeatedFloat(m, f, i) : r->GetFloat(m, f)));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      absl::StrAppend(out, (rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f)) ? "true"
                                                                                 : "false");
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      // The number, so that a value this client does not know still gets a name.
      absl::StrAppend(out, String(EnumValueName(*f->enum_type(), rep ? r->GetRepeatedEnumValue(m, f, i)
                                                                      : r->GetEnumValue(m, f))));
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string s = rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
      absl::StrAppend(out, f->type() == FieldDescriptor::TYPE_BYTES
                               ? absl::StrCat("\"", absl::Base64Escape(s), "\"")
                               : String(s));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f), out);
      break;
  }
}

// A map field as an object, keys sorted.
void AppendMap(const Message& m, const FieldDescriptor* f, std::string* out) {
  const Reflection* r = m.GetReflection();
  std::map<std::string, std::string> entries;  // key as a JSON object key -> value
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    const FieldDescriptor* key = entry.GetDescriptor()->map_key();
    std::string k;
    if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      k = entry.GetReflection()->GetString(entry, key);
    } else {
      AppendValue(entry, key, -1, &k);  // digits, or true/false
    }
    AppendValue(entry, entry.GetDescriptor()->map_value(), -1, &entries[k]);
  }
  *out += "{";
  bool first = true;
  for (const auto& [k, v] : entries) {
    absl::StrAppend(out, first ? "" : ",", String(k), ":", v);
    first = false;
  }
  *out += "}";
}

void AppendMessage(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  *out += "{";
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    absl::StrAppend(out, i > 0 ? "," : "", String(f->name()), ":");
    if (f->is_map()) {
      AppendMap(m, f, out);
    } else if (f->is_repeated()) {
      *out += "[";
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        if (j > 0) *out += ",";
        AppendValue(m, f, j, out);
      }
      *out += "]";
    } else if (Nullable(f) && !r->HasField(m, f)) {
      *out += "null";
    } else {
      AppendValue(m, f, -1, out);
    }
  }
  *out += "}";
}

// --- the schema ----------------------------------------------------------------------------

std::string TypeName(const Descriptor* d) {
  return std::string(absl::StripPrefix(d->full_name(), d->file()->package() + "."));
}

// The JSON type of one value of `f` (an element, for a repeated field); adds the message
// types it reaches to `pending`.
std::string ValueType(const FieldDescriptor* f, std::vector<const Descriptor*>* pending) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      return "bool";
    case FieldDescriptor::CPPTYPE_STRING:
      return f->type() == FieldDescriptor::TYPE_BYTES ? "string(base64)" : "string";
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::vector<std::string> names;
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        names.push_back(EnumValueName(*f->enum_type(), f->enum_type()->value(i)->number()));
      }
      return absl::StrCat("enum(", absl::StrJoin(names, "|"), ")");
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      pending->push_back(f->message_type());
      return absl::StrCat("object ", TypeName(f->message_type()));
    default:
      return "number";
  }
}

std::string FieldType(const FieldDescriptor* f, std::vector<const Descriptor*>* pending) {
  if (f->is_map()) {
    const Descriptor* entry = f->message_type();
    return absl::StrCat("object<string, ", ValueType(entry->map_value(), pending), ">");
  }
  if (f->is_repeated()) return absl::StrCat("array<", ValueType(f, pending), ">");
  std::string type = ValueType(f, pending);
  if (Nullable(f)) absl::StrAppend(&type, " | null");
  return type;
}

// FailedPrecondition when `d` reaches itself through singular message fields (which the writer
// always expands; an empty repeated field or an unset oneof ends the output).
absl::Status CheckNotRecursive(const Descriptor* d, std::vector<const Descriptor*>* path) {
  if (std::find(path->begin(), path->end(), d) != path->end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "message type ", TypeName(d), " contains itself: the JSON writer writes unset messages "
        "as objects, so its output would not end"));
  }
  path->push_back(d);
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->message_type() == nullptr || f->is_repeated() || f->real_containing_oneof()) continue;
    if (absl::Status s = CheckNotRecursive(f->message_type(), path); !s.ok()) return s;
  }
  path->pop_back();
  return absl::OkStatus();
}

}  // namespace

std::string JsonObject(const google::protobuf::Message& m) {
  std::string out;
  AppendMessage(m, &out);
  return out;
}

const std::vector<JsonOutput>& CliJsonOutputs() {
  static const auto* outputs = new std::vector<JsonOutput>{
      {"submit", "object", v1::SubmitOutput::descriptor()},
      {"submit --watch", "lines", v1::JobEvent::descriptor()},  // after the SubmitOutput line
      {"list", "array", v1::JobInfo::descriptor()},
      {"status", "object", v1::JobInfo::descriptor()},
      {"watch", "lines", v1::JobEvent::descriptor()},
      {"events", "array", v1::JobEvent::descriptor()},
      {"events --follow", "lines", v1::JobEvent::descriptor()},
      {"cancel", "object", v1::JobInfo::descriptor()},
      {"delete", "array", v1::DeleteJobResponse::descriptor()},
      {"logs", "array", v1::LogLine::descriptor()},
      {"logs --follow", "lines", v1::LogLine::descriptor()},
      {"workers", "array", v1::WorkerInfo::descriptor()},
      {"version", "object", v1::VersionOutput::descriptor()},
      {"health", "object", v1::HealthOutput::descriptor()},
      {"plot", "object", v1::PlotOutput::descriptor()},
      {"download", "object", v1::DownloadOutput::descriptor()},
      {"translate --job", "object", v1::TranslateResponse::descriptor()},
      {"attention --job", "object", v1::TranslateResponse::descriptor()},
      {"score", "object", v1::ScoreOutput::descriptor()},
  };
  return *outputs;
}

absl::StatusOr<std::string> JsonSchema(const std::vector<JsonOutput>& outputs) {
  std::string out;
  std::vector<const Descriptor*> pending;
  for (const JsonOutput& o : outputs) {
    const std::string type = TypeName(o.type);
    absl::StrAppend(&out, "command ", o.command, ": ",
                    o.shape == "object" ? "object " + type
                                        : absl::StrCat(o.shape, "<object ", type, ">"),
                    "\n");
    pending.push_back(o.type);
  }
  std::map<std::string, std::string> types;  // type name -> its field lines, sorted by name
  while (!pending.empty()) {
    const Descriptor* d = pending.back();
    pending.pop_back();
    if (types.count(TypeName(d)) > 0) continue;
    std::vector<const Descriptor*> path;
    if (absl::Status s = CheckNotRecursive(d, &path); !s.ok()) return s;
    std::string& lines = types[TypeName(d)];
    for (int i = 0; i < d->field_count(); ++i) {
      absl::StrAppend(&lines, TypeName(d), ".", d->field(i)->name(), ": ",
                      FieldType(d->field(i), &pending), "\n");
    }
  }
  for (const auto& [name, lines] : types) absl::StrAppend(&out, "\n", lines);
  return out;
}

}  // namespace tandem::cli
