#include "bench/common/rendezvous.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace tandem::bench {

absl::StatusOr<std::vector<std::string>> Rendezvous(const std::string& dir, int rank, int world,
                                                    int port, const std::string& host) {
  const std::string mine = absl::StrCat(dir, "/rank", rank, ".addr");
  {
    std::ofstream out(mine + ".tmp");
    out << host << ":" << port << "\n";
  }
  std::rename((mine + ".tmp").c_str(), mine.c_str());
  std::vector<std::string> peers(static_cast<size_t>(world));
  for (int attempt = 0; attempt < 600; ++attempt) {
    int found = 0;
    for (int r = 0; r < world; ++r) {
      std::ifstream in(absl::StrCat(dir, "/rank", r, ".addr"));
      if (in >> peers[static_cast<size_t>(r)]) ++found;
    }
    if (found == world) return peers;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError("rendezvous: not every rank published its address");
}

}  // namespace tandem::bench
