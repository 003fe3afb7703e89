#include "coordinator/model_store.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/job_states.h"
#include "common/status.h"
#include "coordinator/job_paths.h"
#include "data/preparer.h"

namespace tandem {

using tandem::v1::JobInfo;

absl::Status ModelStore::Store(const JobInfo& job, uint64_t step, bool final,
                               const std::string& data) const {
  const std::string dir = JobDir(data_dir_, job.id());
  if (final) {
    const std::string model = dir + "/model";
    TANDEM_RETURN_IF_ERROR(MakeDirs(model));
    for (const char* name : {"source.model", "target.model"}) {
      TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir + "/tokenizer/" + name));
      TANDEM_RETURN_IF_ERROR(WriteFileAtomic(model + "/" + name, bytes));
    }
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(model + "/job.json", SpecToJson(job.spec())));
    return WriteFileAtomic(model + "/model.ckpt", data);
  }
  const std::string checkpoints = dir + "/checkpoints";
  TANDEM_RETURN_IF_ERROR(MakeDirs(checkpoints));
  TANDEM_RETURN_IF_ERROR(
      WriteFileAtomic(checkpoints + "/" + CheckpointFileName(static_cast<int64_t>(step)), data));
  // Keep the newest checkpoints_kept, by step number.
  TANDEM_RETURN_IF_ERROR(
      RotateCheckpoints(checkpoints, job.spec().training().checkpoints_kept()));
  // The newest checkpoint is also the "checkpoint" artifact a new generation resumes from.
  TANDEM_ASSIGN_OR_RETURN(std::string artifact, ArtifactPath(dir, "checkpoint"));
  return WriteFileAtomic(artifact, data);
}

EventDraft ModelStore::StoredEvent(uint64_t step, bool final, size_t bytes) {
  if (final) {
    return {"model_stored",
            absl::StrCat("final model stored (step ", step, ", ", bytes, " bytes)")};
  }
  return {"checkpoint", absl::StrCat("checkpoint at step ", step, " stored (", bytes, " bytes)")};
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ModelStore::ModelFiles(
    const JobInfo& job) const {
  const std::string dir = JobDir(data_dir_, job.id());
  std::string checkpoint = dir + "/model/model.ckpt";
  if (!job.progress().model_ready() || !PathExists(checkpoint)) {
    const std::optional<CheckpointFile> newest = NewestCheckpoint(dir + "/checkpoints");
    if (!newest.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "job ", job.id(), " has no checkpoint yet (", StateName(job.state()),
          job.progress().step() > 0
              ? absl::StrCat(", step ", job.progress().step(), "; the first comes ",
                             job.spec().training().checkpoint_interval_steps() > 0
                                 ? absl::StrCat("at step ",
                                                job.spec().training().checkpoint_interval_steps())
                                 : "at a fifth of the time budget")
              : std::string(),
          ")"));
    }
    checkpoint = newest->path;
  }
  // Written only when it differs: every translation request asks for these files, and a
  // spec never changes.
  const std::string spec_json = SpecToJson(job.spec());
  absl::StatusOr<std::string> written = ReadFile(dir + "/job.json");
  if (!written.ok() || *written != spec_json) {
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/job.json", spec_json));
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"job.json", dir + "/job.json"},
      {"source.model", dir + "/tokenizer/source.model"},
      {"target.model", dir + "/tokenizer/target.model"},
      {"model.ckpt", checkpoint}};
}

absl::StatusOr<std::string> ModelStore::ArtifactFile(const std::string& job_id,
                                                     const std::string& name) const {
  return ArtifactPath(JobDir(data_dir_, job_id), name);
}

}  // namespace tandem
