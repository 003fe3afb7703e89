// Addresses of this machine as peers see it.
#ifndef TANDEM_COMMON_NET_H_
#define TANDEM_COMMON_NET_H_

#include <string>

#include "absl/status/statusor.h"

namespace tandem {

// The host a worker gives its peers when --advertise_host is not set: the --listen host when
// it names one address, or, for a wildcard listen (0.0.0.0, [::], or no host), the local
// address this machine uses to reach `coordinator` (host:port or [v6]:port) — in a container
// or a pod, its own address on the network it shares with the coordinator. Nothing is sent:
// the address comes from the routing table (a UDP socket connected, never written to).
// Unavailable naming the coordinator when its name does not resolve or no route leads there.
absl::StatusOr<std::string> DefaultAdvertiseHost(const std::string& listen,
                                                 const std::string& coordinator);

}  // namespace tandem

#endif  // TANDEM_COMMON_NET_H_
