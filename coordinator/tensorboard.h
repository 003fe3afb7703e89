// TensorBoard event files, written without TensorFlow: TFRecord framing (length, masked
// CRC32C, data, masked CRC32C) around hand-encoded `Event` protos holding scalar summaries.
// Files are named events.out.tfevents.<seconds>.tandem so `tensorboard --logdir` finds them.
#ifndef TANDEM_COORDINATOR_TENSORBOARD_H_
#define TANDEM_COORDINATOR_TENSORBOARD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tandem {

// CRC-32C (Castagnoli), and TFRecord's masked form of it.
uint32_t Crc32c(absl::string_view data);
uint32_t MaskedCrc32c(absl::string_view data);

// One TFRecord: the framed bytes of `data`.
std::string TfRecord(absl::string_view data);

// The serialized Event proto of scalar summaries at `step`.
std::string ScalarEvent(double wall_time, int64_t step,
                        const std::vector<std::pair<std::string, float>>& scalars);

// Appends scalar events to the event file in `dir` (created with its file-version record on
// first use).
class TensorBoardWriter {
 public:
  explicit TensorBoardWriter(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Add(double wall_time, int64_t step,
                   const std::vector<std::pair<std::string, float>>& scalars);
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_TENSORBOARD_H_
