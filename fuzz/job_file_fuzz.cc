// The job-file parser: any text is parsed (YAML or JSON), and what parses is given defaults
// and validated, as `tandem submit` and the coordinator do.
#include <string>

#include "absl/strings/string_view.h"
#include "common/job_spec.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = tandem::ParseJobText(text, "fuzz.yaml");
  if (!spec.ok()) return 0;
  tandem::ApplyDefaults(*spec);
  (void)tandem::ValidateSpec(*spec);
  (void)tandem::SpecToJson(*spec);
  return 0;
}
