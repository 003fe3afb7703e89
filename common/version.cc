#include "common/version.h"

// TANDEM_VERSION_STRING: written at build time by cmake/version.cmake (common/CMakeLists.txt).
#include "version_string.h"

namespace tandem {

const std::string& TandemVersion() {
  static const std::string version = TANDEM_VERSION_STRING;
  return version;
}

}  // namespace tandem
