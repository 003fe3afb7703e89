// Where a job's files live under the coordinator's data directory:
//   <data_dir>/state.db                       the SQLite state (JobStore)
//   <data_dir>/secret.key                     the key collective keys derive from (0600)
//   <data_dir>/uploads/<sha256>               corpus files clients uploaded (UploadStore)
//   <data_dir>/jobs/<id>/                     corpus.tsv, valid.tsv, tokenizer/, shards/ (Preparer)
//                       checkpoints/, checkpoint, model/, job.json (ModelStore)
//                       tensorboard/ (ProgressTracker)
//                       worker.log (LogStore)
#ifndef TANDEM_COORDINATOR_JOB_PATHS_H_
#define TANDEM_COORDINATOR_JOB_PATHS_H_

#include <string>

namespace tandem {

inline std::string JobsDir(const std::string& data_dir) { return data_dir + "/jobs"; }

inline std::string JobDir(const std::string& data_dir, const std::string& job_id) {
  return JobsDir(data_dir) + "/" + job_id;
}

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_JOB_PATHS_H_
