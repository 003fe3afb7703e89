// The worker's CollectiveService endpoint. Until the all-reduce lands (issue [3]) it answers
// Ping, so that the address a worker advertises is real and reachable by its ring neighbours.
#ifndef TANDEM_WORKER_COLLECTIVE_SERVER_H_
#define TANDEM_WORKER_COLLECTIVE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tandem {

class CollectiveServer {
 public:
  // Binds `address` (port 0 picks one). `worker_id` is called on every Ping.
  static absl::StatusOr<std::unique_ptr<CollectiveServer>> Start(
      const std::string& address, std::function<std::string()> worker_id);
  ~CollectiveServer();
  int port() const;
  void Shutdown();

 private:
  struct Impl;
  explicit CollectiveServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_COLLECTIVE_SERVER_H_
