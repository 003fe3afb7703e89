// Job preparation (used by the coordinator and tandem-local): validates the corpus, writes
// the prepared corpus, trains the job's SentencePiece model(s) and cuts the shards. Takes the
// job spec and a directory only, so it depends on nothing above data/. Everything goes under
// the job's directory:
//   corpus.tsv, valid.tsv (if a validation set is given), tokenizer/{source,target}.model,
//   shards/shard-00000.tsv ...
// A failure leaves no partial artifact behind that a later run could mistake for a result
// (the shards index is returned only when everything succeeded).
#ifndef TANDEM_DATA_PREPARER_H_
#define TANDEM_DATA_PREPARER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

struct PreparedJob {
  // The spec the job trains with: the one given, with the sizing chosen for the fields it
  // left out (common/job_spec.h ChooseSizing; report.chosen says what and why).
  tandem::v1::JobSpec spec;
  tandem::v1::PreparationReport report;
  std::vector<tandem::v1::ShardInfo> shards;
  std::map<std::string, std::string> artifacts;  // tokenizer/valid artifact name -> sha256
};

// Reads the whole corpus once and applies the validation rules of data/corpus.h without
// writing anything: the fast check done at submission, so a bad corpus is refused before a
// job is stored.
absl::Status CheckCorpus(const tandem::v1::JobSpec& spec);

// Full preparation (spec must have defaults applied and be valid). `auto_sized`: the sizing
// fields to choose from the corpus once it is counted (common/job_spec.h SizingLeftOut); an
// auto-chosen vocabulary is a soft limit (a small corpus gets the pieces it can support).
absl::StatusOr<PreparedJob> PrepareJob(const tandem::v1::JobSpec& spec, const std::string& job_dir,
                                       const std::vector<std::string>& auto_sized = {});

// The file behind an artifact name ("shard/3", "source.model", "target.model", "valid.tsv",
// "checkpoint": the newest checkpoint of a running job, from which a new generation resumes);
// InvalidArgument for a name outside that set (no path can escape the job directory).
absl::StatusOr<std::string> ArtifactPath(const std::string& job_dir, const std::string& name);

// Artifact name of shard `index`.
std::string ShardArtifactName(uint32_t index);

}  // namespace tandem

#endif  // TANDEM_DATA_PREPARER_H_
