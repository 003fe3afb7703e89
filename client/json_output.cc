#include "client/json_output.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/job_states.h"
#include "tandem/v1/cli.pb.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

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
  if (JsonNullable(f)) absl::StrAppend(&type, " | null");
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
