// Which peers of a generation this worker can reach now: a Ping to each peer's
// CollectiveService over a fresh connection (a channel in reconnect backoff would answer from
// its last failure, not from the link as it is). The worker reports the ranks it could not
// reach when its collective has waited a while (HeartbeatRequest.collective_wait), so that
// the coordinator can tell the member cut off from the others (StallDetector).
#ifndef TANDEM_COLLECTIVE_REACHABILITY_H_
#define TANDEM_COLLECTIVE_REACHABILITY_H_

#include <chrono>
#include <string>
#include <vector>

#include "common/transport_security.h"

namespace tandem::collective {

// The ranks r != `self` whose CollectiveService at `peers[r]` did not answer a Ping within
// `deadline` (connection refused, dropped, or too slow), in increasing order. The probes run
// at once, so this returns after about `deadline` at most.
std::vector<int> UnreachablePeers(const std::vector<std::string>& peers, int self,
                                  const TransportSecurity& security,
                                  std::chrono::milliseconds deadline);

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_REACHABILITY_H_
