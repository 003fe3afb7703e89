// A test process in a network namespace of its own (tests/cluster/partition_test.cc,
// tests/system/chaos_test.cc): its firewall and traffic shaping change nothing on the
// machine, and go when the process ends, whatever happens. EnterOwnNetwork must run in main,
// before any thread, so that every thread and child process is in the namespace. Without
// root it fails and the callers skip what needs it.
#ifndef TANDEM_TESTS_CLUSTER_OWN_NETWORK_H_
#define TANDEM_TESTS_CLUSTER_OWN_NETWORK_H_

#include <sched.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

namespace tandem::testing {

// Runs a shell command, its output discarded; true on exit status 0.
inline bool Shell(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

// Moves this process into a new network namespace with its loopback up; false without root.
inline bool EnterOwnNetwork() { return ::unshare(CLONE_NEWNET) == 0 && Shell("ip link set lo up"); }

// Drops every packet to or from TCP `port` on the namespace's loopback (or stops doing so).
inline bool CutPort(int port, bool cut) {
  const std::string op = cut ? "-A" : "-D";
  const std::string p = std::to_string(port);
  return Shell("iptables -w " + op + " INPUT -p tcp --dport " + p + " -j DROP") &&
         Shell("iptables -w " + op + " INPUT -p tcp --sport " + p + " -j DROP");
}

// The collective port of the worker with rank `rank` in `job`'s assignments (0: none).
template <typename JobInfo>
int CollectivePortOfRank(const JobInfo& job, uint32_t rank) {
  for (const auto& a : job.assignments()) {
    if (a.rank() == rank) return std::stoi(a.address().substr(a.address().rfind(':') + 1));
  }
  return 0;
}

}  // namespace tandem::testing

#endif  // TANDEM_TESTS_CLUSTER_OWN_NETWORK_H_
