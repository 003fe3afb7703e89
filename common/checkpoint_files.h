// The one naming and rotation of checkpoint files, shared by the coordinator (jobs/<id>/
// checkpoints/), the worker and `tandem train --local` (DIR/checkpoints/).
//
// A checkpoint of step N is `step-<N>.ckpt`, N zero-padded to 7 digits so that a directory
// listing reads in order up to 10^7 steps; beyond that the name just grows. Order is always
// decided by the parsed step number, never by the text, so step-10000000 comes after
// step-9999999. Other files in the directory (temporary files of an atomic write, anything a
// person put there) are ignored.
#ifndef TANDEM_COMMON_CHECKPOINT_FILES_H_
#define TANDEM_COMMON_CHECKPOINT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tandem {

// "step-0000042.ckpt" for 42. `step` >= 0.
std::string CheckpointFileName(int64_t step);

// The step of a checkpoint file name ("step-42.ckpt" and "step-0000042.ckpt" both give 42);
// nullopt for any other name (no digits, signs, other suffixes, a directory part, overflow).
std::optional<int64_t> ParseCheckpointFileName(absl::string_view name);

struct CheckpointFile {
  int64_t step = 0;
  std::string path;
};

// The checkpoint files in `dir`, ascending by step; empty if `dir` does not exist. Of two
// names with the same step (step-7 and step-0000007), the padded one is listed.
std::vector<CheckpointFile> ListCheckpoints(const std::string& dir);

// The newest checkpoint in `dir`, or nullopt when there is none.
std::optional<CheckpointFile> NewestCheckpoint(const std::string& dir);

// Removes the oldest checkpoint files of `dir` until at most `keep` remain (keep 0 removes
// all). The first removal that fails is returned, naming the file.
absl::Status RotateCheckpoints(const std::string& dir, size_t keep);

}  // namespace tandem

#endif  // TANDEM_COMMON_CHECKPOINT_FILES_H_
