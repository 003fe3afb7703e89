// An in-process Communicator: N ranks are threads of one process that share memory. For
// unit tests of code above the collective (bucketing, the trainer); like the real transport it
// numbers each rank's operations and refuses ranks that disagree on the operation (its
// number, kind, size or root).
#ifndef TANDEM_COLLECTIVE_IN_PROCESS_H_
#define TANDEM_COLLECTIVE_IN_PROCESS_H_

#include <memory>
#include <vector>

#include "collective/communicator.h"

namespace tandem::collective {

class InProcessGroup {
 public:
  explicit InProcessGroup(int world_size);
  ~InProcessGroup();
  // The communicator of `rank`; owned by the group, valid while the group lives. Each must be
  // used by one thread at a time.
  Communicator* rank(int rank);
  int world_size() const;

  struct State;  // shared by the ranks

 private:
  std::shared_ptr<State> state_;
  std::vector<std::unique_ptr<Communicator>> ranks_;
};

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_IN_PROCESS_H_
