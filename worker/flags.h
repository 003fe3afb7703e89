// tandem-worker's flags and their translation into WorkerOptions. Part of the executable,
// not of a library (libraries take options, DESIGN.md section 2).
#ifndef TANDEM_WORKER_FLAGS_H_
#define TANDEM_WORKER_FLAGS_H_

#include <vector>

#include "absl/status/status.h"
#include "common/flags.h"
#include "worker/worker.h"

namespace tandem {

const std::vector<FlagSpec>& WorkerFlags();

// Fills `options` from the flags; InvalidArgument naming the flag (a value out of range, an
// unreadable token or TLS file).
absl::Status WorkerOptionsFromFlags(const absl::StatusOr<ParsedArgs>& flags,
                                    WorkerOptions& options);

}  // namespace tandem

#endif  // TANDEM_WORKER_FLAGS_H_
