// Tandem's version: the project version and the commit it was built from, e.g.
// "0.1.0 (4f5a053)", or "0.1.0 (4f5a053-dirty)" from a tree with uncommitted changes. Every
// program prints it (`--version`, `tandem version`); workers send it when they join and the
// coordinator shows it next to its own.
#ifndef TANDEM_COMMON_VERSION_H_
#define TANDEM_COMMON_VERSION_H_

#include <string>

namespace tandem {

const std::string& TandemVersion();

}  // namespace tandem

#endif  // TANDEM_COMMON_VERSION_H_
