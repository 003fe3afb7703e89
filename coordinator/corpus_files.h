// Where a job's corpus files may come from (DESIGN.md section 8): uploads the coordinator
// holds ("upload:<sha256>"), or absolute paths on the coordinator's host under a directory
// the operator allowed (--corpus_root), after resolving symbolic links, and only regular
// files. Nothing else: a client cannot make the coordinator read (and hand to workers as
// shards) any file it can name.
#ifndef TANDEM_COORDINATOR_CORPUS_FILES_H_
#define TANDEM_COORDINATOR_CORPUS_FILES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/upload_store.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// The operator's --corpus_root directories, resolved (symbolic links followed).
// InvalidArgument naming the flag for one that is not an existing directory.
absl::StatusOr<std::vector<std::string>> ResolveCorpusRoots(const std::vector<std::string>& roots);

// Replaces every corpus file of `spec` by the file the coordinator will read: an upload's
// path, or the resolved server path. InvalidArgument (a missing or malformed file) or
// PermissionDenied (a path outside the roots) naming the field, the path and the fix
// otherwise; `spec` is unchanged on error.
absl::Status ResolveCorpusFiles(tandem::v1::JobSpec& spec, const UploadStore& uploads,
                                const std::vector<std::string>& roots);

// `error` (about the files of `resolved`) with every uploaded file's storage path replaced by
// the field that names it in `submitted` ("corpus.train_source:3: line is ..."): the user
// knows their job file's fields, not the coordinator's data directory.
absl::Status NameUploadedFiles(const absl::Status& error, const tandem::v1::JobSpec& submitted,
                               const tandem::v1::JobSpec& resolved);

// The most bytes of an uploaded file's name (SubmitJobRequest.file_names).
inline constexpr size_t kMaxFileNameBytes = 255;

// SubmitJobRequest.file_names against `submitted` (before ResolveCorpusFiles): every key a
// corpus field that names an upload, every value a base name (no '/', no control character,
// UTF-8, 1..kMaxFileNameBytes bytes). InvalidArgument naming the entry otherwise.
absl::Status CheckFileNames(const std::map<std::string, std::string>& names,
                            const tandem::v1::JobSpec& submitted);

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_CORPUS_FILES_H_
