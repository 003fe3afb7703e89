// ModelStore: the files of trained models under the coordinator's data directory. Uploaded
// checkpoints go to jobs/<id>/checkpoints/step-NNNNNNN.ckpt (the newest
// training.checkpoints_kept are kept) and to the "checkpoint" artifact a new generation
// resumes from; the final model goes to jobs/<id>/model/ with its tokenizers and job.json,
// ready to download.
//
// Thread-safe: it holds no state but the directory; every file is written atomically
// (temporary file, fsync, rename), so readers see an old file or a new one, never a mix.
#ifndef TANDEM_COORDINATOR_MODEL_STORE_H_
#define TANDEM_COORDINATOR_MODEL_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/job_store.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

class ModelStore {
 public:
  explicit ModelStore(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  // Writes an uploaded checkpoint of `job` at `step` (rotating old ones), or with `final` the
  // finished model. The caller records it in the job (JobProgress.checkpoint_step /
  // model_ready) with StoredEvent.
  absl::Status Store(const tandem::v1::JobInfo& job, uint64_t step, bool final,
                     const std::string& data) const;

  // The "checkpoint" or "model_stored" event for a stored upload of `bytes`.
  static EventDraft StoredEvent(uint64_t step, bool final, size_t bytes);

  // The files of `job`'s model (its progress merged), name -> path: job.json (the spec with
  // defaults, as the local mode reads it), source.model, target.model and model.ckpt, which
  // is the final model once stored, else the newest checkpoint. FailedPrecondition (saying
  // at which step the first checkpoint comes) while there is neither.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ModelFiles(
      const tandem::v1::JobInfo& job) const;

  // The file behind artifact `name` of job `job_id` (see ArtifactPath); InvalidArgument for
  // a name outside the known set.
  absl::StatusOr<std::string> ArtifactFile(const std::string& job_id,
                                           const std::string& name) const;

 private:
  const std::string data_dir_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_MODEL_STORE_H_
