#include "coordinator/upload_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/status.h"

namespace tandem {

namespace {

constexpr char kPartSuffix[] = ".part";

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

struct UploadStore::Writer::Hash {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

absl::StatusOr<std::unique_ptr<UploadStore>> UploadStore::Open(std::string dir,
                                                               uint64_t max_file_bytes,
                                                               uint64_t quota_bytes) {
  TANDEM_RETURN_IF_ERROR(MakeDirs(dir));
  std::unique_ptr<UploadStore> store(new UploadStore(dir, max_file_bytes, quota_bytes));
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, kPartSuffix)) {
      std::filesystem::remove(entry.path(), ec);  // an upload the previous process left
      continue;
    }
    if (entry.is_regular_file(ec)) store->used_ += entry.file_size(ec);
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  return store;
}

bool UploadStore::Has(const std::string& sha256) const {
  if (!CheckSha256Hex("upload", sha256).ok()) return false;
  struct stat st;
  return ::stat(absl::StrCat(dir_, "/", sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool UploadStore::Keep(const std::string& sha256) {
  absl::MutexLock lock(&mu_);  // not between Collect's look at the file and its removal
  if (!Has(sha256)) return false;
  ::utimensat(AT_FDCWD, absl::StrCat(dir_, "/", sha256).c_str(), nullptr, 0);  // now
  return true;
}

uint64_t UploadStore::Collect(const std::set<std::string>& referenced,
                              std::chrono::seconds min_age) {
  const auto cutoff = std::filesystem::file_time_type::clock::now() - min_age;
  uint64_t freed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!CheckSha256Hex("upload", name).ok() || referenced.count(name) > 0 ||
        !entry.is_regular_file(ec) || entry.last_write_time(ec) > cutoff || ec) {
      continue;  // in progress (.part), named by a job, or used recently
    }
    absl::MutexLock lock(&mu_);
    // Looked at again under the lock: a client may have just asked for it (Keep).
    const auto written = std::filesystem::last_write_time(entry.path(), ec);
    const uint64_t bytes = entry.file_size(ec);
    if (ec || written > cutoff || !std::filesystem::remove(entry.path(), ec)) continue;
    freed += bytes;
    used_ -= std::min(used_, bytes);
    TANDEM_LOG(INFO) << "removed upload " << name << " (" << bytes
                     << " bytes): no job in progress names it";
  }
  return freed;
}

absl::StatusOr<std::string> UploadStore::PathOf(const std::string& sha256) const {
  TANDEM_RETURN_IF_ERROR(CheckSha256Hex("upload", sha256));
  if (!Has(sha256)) {
    return absl::NotFoundError(absl::StrCat(
        "the coordinator holds no upload ", sha256,
        " (upload it first with JobService.UploadFile; tandem submit does)"));
  }
  return absl::StrCat(dir_, "/", sha256);
}

uint64_t UploadStore::used_bytes() const {
  absl::MutexLock lock(&mu_);
  return used_;
}

void UploadStore::Release(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  used_ -= std::min(used_, bytes);
}

absl::StatusOr<std::unique_ptr<UploadStore::Writer>> UploadStore::Begin(const std::string& sha256,
                                                                        uint64_t total_bytes) {
  TANDEM_RETURN_IF_ERROR(CheckSha256Hex("upload", sha256));
  if (Keep(sha256)) return nullptr;
  if (total_bytes > max_file_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "upload of ", total_bytes, " bytes is over the limit of ", max_file_bytes_,
        " bytes per file (tandem-coordinator --max_upload_bytes)"));
  }
  {
    absl::MutexLock lock(&mu_);
    if (used_ + total_bytes > quota_bytes_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "upload of ", total_bytes, " bytes would exceed the coordinator's upload quota (",
          used_, " of ", quota_bytes_, " bytes used; tandem-coordinator --upload_quota_bytes)"));
    }
    used_ += total_bytes;
  }
  const std::string tmp = absl::StrCat(dir_, "/", sha256, ".", RandomHex(8), kPartSuffix);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    Release(total_bytes);
    return Errno("cannot create", tmp);
  }
  return std::unique_ptr<Writer>(new Writer(this, sha256, total_bytes, tmp, fd));
}

UploadStore::Writer::Writer(UploadStore* store, std::string sha256, uint64_t total,
                            std::string tmp, int fd)
    : store_(store),
      sha256_(std::move(sha256)),
      total_(total),
      tmp_(std::move(tmp)),
      fd_(fd),
      hash_(std::make_unique<Hash>()) {
  EVP_DigestInit_ex(hash_->ctx.get(), EVP_sha256(), nullptr);
}

UploadStore::Writer::~Writer() {
  if (!done_) Discard();
}

void UploadStore::Writer::Discard() {
  done_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
  store_->Release(total_);
}

absl::Status UploadStore::Writer::Append(absl::string_view data) {
  if (done_) return absl::FailedPreconditionError("upload already ended");
  if (written_ + data.size() > total_) {
    Discard();
    return absl::ResourceExhaustedError(
        absl::StrCat("upload is longer than the ", total_, " bytes it announced"));
  }
  EVP_DigestUpdate(hash_->ctx.get(), data.data(), data.size());
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = Errno("cannot write", tmp_);
      Discard();
      return s;
    }
    data.remove_prefix(static_cast<size_t>(n));
    written_ += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status UploadStore::Writer::Finish() {
  if (done_) return absl::FailedPreconditionError("upload already ended");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(hash_->ctx.get(), digest, &len);
  const std::string actual =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
  if (written_ != total_ || actual != sha256_) {
    Discard();
    return absl::DataLossError(absl::StrCat("upload ended after ", written_, " of ", total_,
                                            " bytes with checksum ", actual, ", expected ",
                                            sha256_));
  }
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    absl::Status s = Errno("cannot write", tmp_);
    Discard();
    return s;
  }
  fd_ = -1;
  const std::string path = absl::StrCat(store_->dir_, "/", sha256_);
  if (store_->Has(sha256_)) {  // the same file arrived twice at once: keep one
    Discard();
    return absl::OkStatus();
  }
  if (::rename(tmp_.c_str(), path.c_str()) != 0) {
    absl::Status s = Errno("cannot rename onto", path);
    Discard();
    return s;
  }
  done_ = true;  // the reservation is now the file's
  TANDEM_LOG(INFO) << "upload " << sha256_ << " stored (" << total_ << " bytes)";
  return absl::OkStatus();
}

}  // namespace tandem
