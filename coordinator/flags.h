// tandem-coordinator's flags and their translation into CoordinatorServerOptions. Part of the
// executable, not of a library (libraries take options, DESIGN.md section 2): main.cc stays
// a few lines and tests can check every flag's range and error.
#ifndef TANDEM_COORDINATOR_FLAGS_H_
#define TANDEM_COORDINATOR_FLAGS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/flags.h"
#include "coordinator/coordinator_server.h"

namespace tandem {

std::vector<FlagSpec> CoordinatorFlags();

// InvalidArgument naming the flag (a value out of range, an unreadable token or TLS file).
absl::StatusOr<CoordinatorServerOptions> CoordinatorOptionsFromFlags(
    const absl::StatusOr<ParsedArgs>& args);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_FLAGS_H_
