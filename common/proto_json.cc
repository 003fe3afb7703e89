#include "common/proto_json.h"

#include <charconv>
#include <cmath>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/job_states.h"
#include "common/utf8.h"

namespace tandem {
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

}  // namespace

std::string JsonObject(const google::protobuf::Message& m) {
  std::string out;
  AppendMessage(m, &out);
  return out;
}

std::string JsonString(absl::string_view s) { return String(s); }

bool JsonNullable(const google::protobuf::FieldDescriptor* f) { return Nullable(f); }

}  // namespace tandem
