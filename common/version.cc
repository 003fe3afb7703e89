#include "common/version.h"

// Set by CMake for this file alone (so a new commit recompiles one file, at configure time).
#ifndef TANDEM_VERSION_STRING
#define TANDEM_VERSION_STRING "unknown"
#endif

namespace tandem {

const std::string& TandemVersion() {
  static const std::string version = TANDEM_VERSION_STRING;
  return version;
}

}  // namespace tandem
