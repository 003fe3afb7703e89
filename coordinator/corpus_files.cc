#include "coordinator/corpus_files.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "common/utf8.h"

namespace tandem {

namespace {

// realpath(3): the path with every symbolic link and "." / ".." resolved.
absl::StatusOr<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&free)> real(::realpath(path.c_str(), nullptr), &free);
  if (real == nullptr) {
    return errno == ENOENT ? absl::NotFoundError(std::strerror(errno))
                           : absl::PermissionDeniedError(std::strerror(errno));
  }
  return std::string(real.get());
}

absl::StatusOr<std::string> ServerPath(const char* field, const std::string& path,
                                       const std::vector<std::string>& roots) {
  if (roots.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        field, ": '", path,
        "' is a path on the coordinator's host, and this coordinator allows none (it takes "
        "uploads: tandem submit uploads the files a job file names; an operator allows "
        "directories with tandem-coordinator --corpus_root)"));
  }
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", path, "' must be an absolute path on the coordinator's host"));
  }
  absl::StatusOr<std::string> real = RealPath(path);
  if (!real.ok()) {  // bad input (exit 2 in the CLI), like every other corpus error
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot open '", path, "': ", real.status().message()));
  }
  bool inside = false;
  for (const std::string& root : roots) {
    inside = inside || absl::StartsWith(*real, root == "/" ? root : root + "/");
  }
  if (!inside) {
    return absl::PermissionDeniedError(absl::StrCat(
        field, ": '", path, "'", *real != path ? absl::StrCat(" (", *real, ")") : "",
        " is outside the directories this coordinator allows (--corpus_root)"));
  }
  struct stat st;
  if (::stat(real->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", path, "' is not a regular file"));
  }
  return real;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ResolveCorpusRoots(const std::vector<std::string>& roots) {
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    absl::StatusOr<std::string> real = RealPath(root);
    struct stat st;
    if (!real.ok() || ::stat(real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--corpus_root ", root, ": not an existing directory"));
    }
    out.push_back(*real);
  }
  return out;
}

absl::Status ResolveCorpusFiles(v1::JobSpec& spec, const UploadStore& uploads,
                                const std::vector<std::string>& roots) {
  v1::CorpusSpec corpus = spec.corpus();
  for (const auto& [field, value] : CorpusFileFields(corpus)) {
    if (value->empty()) continue;
    if (absl::StartsWith(*value, kUploadPrefix)) {
      absl::StatusOr<std::string> path =
          uploads.PathOf(value->substr(sizeof(kUploadPrefix) - 1));
      if (!path.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": ", path.status().message()));
      }
      *value = *path;
      continue;
    }
    TANDEM_ASSIGN_OR_RETURN(*value, ServerPath(field, *value, roots));
  }
  *spec.mutable_corpus() = std::move(corpus);
  return absl::OkStatus();
}

absl::Status CheckFileNames(const std::map<std::string, std::string>& names,
                            const v1::JobSpec& submitted) {
  for (const auto& [field, name] : names) {
    bool uploaded = false;
    for (const auto& f : CorpusFileFields(submitted.corpus())) {
      uploaded |= f.path == field && absl::StartsWith(*f.value, kUploadPrefix);
    }
    if (!uploaded) {
      return absl::InvalidArgumentError(absl::StrCat(
          "file_names: '", field.substr(0, 64), "' is not a corpus field naming an upload"));
    }
    const bool control = std::any_of(name.begin(), name.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (name.empty() || name.size() > kMaxFileNameBytes || name.find('/') != std::string::npos ||
        control || !IsValidUtf8(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "file_names: the name given for ", field, " is not a file name of 1 to ",
          kMaxFileNameBytes, " bytes without '/' or control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status NameUploadedFiles(const absl::Status& error, const v1::JobSpec& submitted,
                               const v1::JobSpec& resolved) {
  if (error.ok()) return error;
  std::string message(error.message());
  const auto before = CorpusFileFields(submitted.corpus());
  const auto after = CorpusFileFields(resolved.corpus());
  for (size_t i = 0; i < before.size(); ++i) {
    if (absl::StartsWith(*before[i].value, kUploadPrefix) && !after[i].value->empty()) {
      message = absl::StrReplaceAll(message, {{*after[i].value, before[i].path}});
    }
  }
  return absl::Status(error.code(), message);
}

}  // namespace tandem
