#include "collective/shm_outbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/secrets.h"

namespace tandem::collective {

// The first page of an outbox; the slots follow it.
struct ShmOutboxLayout {
  char magic[8];
  char nonce[33];  // 32 hex digits and a NUL
  uint32_t slots;
  uint64_t slot_bytes;
  std::atomic<uint32_t> attached;
  std::atomic<uint32_t> state[ShmOutbox::kMaxSlots];
  // The descriptor ring (single producer: the sender; single consumer: the receiver), each
  // counter on its own cache line.
  alignas(64) std::atomic<uint64_t> posted;
  alignas(64) std::atomic<uint64_t> taken;
  alignas(64) std::atomic<uint32_t> bell;  // a futex word: bumped after each post
  std::atomic<uint32_t> waiting;           // the receiver sleeps (or is about to) on the bell
  // Segments the sender put on its stream instead (before the outbox was attached, or with
  // no slot free): while the receiver has read fewer, it waits on its stream, not the bell.
  alignas(64) std::atomic<uint64_t> on_stream;
  alignas(64) ShmDescriptor ring[ShmOutbox::kRingEntries];
};

namespace {

constexpr char kMagic[8] = {'T', 'N', 'D', 'M', 'S', 'H', 'M', '1'};
constexpr size_t kHeaderBytes = 4096;
static_assert(sizeof(ShmOutboxLayout) <= kHeaderBytes);
static_assert(std::atomic<uint32_t>::is_always_lock_free &&
                  std::atomic<uint64_t>::is_always_lock_free,
              "the state words are shared between processes");
static_assert(sizeof(std::atomic<uint32_t>) == 4, "the bell is a futex word");
constexpr uint32_t kFree = 0;
constexpr uint32_t kFull = 1;
constexpr size_t kNonceHexDigits = 32;
// Bounds a peer's outbox must keep (Attach refuses others before mapping).
constexpr size_t kMaxSlotBytes = 16 << 20;

// FUTEX_WAIT / FUTEX_WAKE on a word shared between processes (no FUTEX_PRIVATE_FLAG).
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected, const timespec* timeout) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, timeout, nullptr, 0);
}
void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The pid in an outbox name "/tandem-coll-<pid>-<32 hex>" (without the slash when
// `slash` is false), or -1 when the name is not of that form.
long PidOfName(absl::string_view name, bool slash) {
  absl::string_view prefix = kShmNamePrefix;
  if (!slash) prefix.remove_prefix(1);
  if (!absl::ConsumePrefix(&name, prefix)) return -1;
  const size_t dash = name.find('-');
  if (dash == absl::string_view::npos || name.size() - dash - 1 != kNonceHexDigits ||
      !IsHex(name.substr(dash + 1))) {
    return -1;
  }
  long pid = 0;
  if (!absl::SimpleAtoi(name.substr(0, dash), &pid) || pid <= 0) return -1;
  return pid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShmOutbox>> ShmOutbox::Create(uint32_t slots, size_t slot_bytes,
                                                           int rank) {
  if (slots == 0 || slots > kMaxSlots || slot_bytes == 0 || slot_bytes > kMaxSlotBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("outbox of ", slots, " slots of ", slot_bytes, " bytes"));
  }
  slot_bytes = (slot_bytes + 63) / 64 * 64;  // slots stay 64-byte aligned
  const std::string name =
      absl::StrCat(kShmNamePrefix, getpid(), "-", RandomHex(kNonceHexDigits / 2));
  const std::string nonce = RandomHex(kNonceHexDigits / 2);
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(absl::StrCat("shm_open ", name));
  const size_t mapped = kHeaderBytes + size_t{slots} * slot_bytes;
  void* base = MAP_FAILED;
  // The header's page is allocated now (a full /dev/shm fails here, not with SIGBUS on the
  // first write); the slots' pages once a peer attaches (Acquire).
  int error = ftruncate(fd, static_cast<off_t>(mapped)) != 0 ? errno
                                                              : posix_fallocate(fd, 0, kHeaderBytes);
  if (error == 0) {
    base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) error = errno;
  }
  if (error != 0) {
    close(fd);
    shm_unlink(name.c_str());
    errno = error;
    return Errno(absl::StrCat("making ", name));
  }
  auto* layout = new (base) ShmOutboxLayout;
  std::memcpy(layout->magic, kMagic, sizeof(kMagic));
  std::memcpy(layout->nonce, nonce.c_str(), kNonceHexDigits + 1);
  layout->slots = slots;
  layout->slot_bytes = slot_bytes;
  layout->attached.store(0, std::memory_order_relaxed);
  for (auto& s : layout->state) s.store(kFree, std::memory_order_relaxed);
  layout->posted.store(0, std::memory_order_relaxed);
  layout->taken.store(0, std::memory_order_relaxed);
  layout->bell.store(0, std::memory_order_relaxed);
  layout->waiting.store(0, std::memory_order_relaxed);
  layout->on_stream.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  return std::unique_ptr<ShmOutbox>(
      new ShmOutbox(name, fd, base, mapped, slots, slot_bytes, nonce, rank));
}

ShmOutbox::ShmOutbox(std::string name, int fd, void* base, size_t mapped, uint32_t slots,
                     size_t slot_bytes, std::string nonce_hex, int rank)
    : name_(std::move(name)),
      fd_(fd),
      base_(base),
      mapped_(mapped),
      slots_(slots),
      slot_bytes_(slot_bytes),
      nonce_hex_(std::move(nonce_hex)),
      rank_(rank) {}

ShmOutbox::~ShmOutbox() {
  if (!attached()) shm_unlink(name_.c_str());  // ENOENT if the peer got there meanwhile
  munmap(base_, mapped_);
  close(fd_);
}

ShmOutboxLayout* ShmOutbox::layout() const { return static_cast<ShmOutboxLayout*>(base_); }

std::string ShmOutbox::metadata() const {
  return absl::StrCat(name_, " ", nonce_hex_, " ", rank_);
}

bool ShmOutbox::attached() const {
  return layout()->attached.load(std::memory_order_acquire) != 0;
}

int ShmOutbox::Acquire(size_t bytes) {
  if (bytes > slot_bytes_ || !attached()) return -1;
  // The lowest free slot, so that the slots in use (and the memory they hold) stay as few
  // as the peak of unread segments.
  for (uint32_t slot = 0; slot < slots_; ++slot) {
    if (layout()->state[slot].load(std::memory_order_acquire) != kFree) continue;
    const uint64_t bit = uint64_t{1} << slot;
    if ((allocated_ & bit) == 0) {
      // A slot's memory is reserved when first used: where /dev/shm cannot hold it (a small
      // tmpfs), payloads stay on the stream rather than a write to an unbacked page killing
      // the process (SIGBUS).
      const off_t offset = static_cast<off_t>(kHeaderBytes + size_t{slot} * slot_bytes_);
      if (full_ || posix_fallocate(fd_, offset, static_cast<off_t>(slot_bytes_)) != 0) {
        full_ = true;
        return -1;
      }
      allocated_ |= bit;
    }
    return static_cast<int>(slot);
  }
  return -1;
}

uint8_t* ShmOutbox::slot_data(int slot) const {
  return static_cast<uint8_t*>(base_) + kHeaderBytes + static_cast<size_t>(slot) * slot_bytes_;
}

void ShmOutbox::Publish(int slot) {
  layout()->state[slot].store(kFull, std::memory_order_release);
}

bool ShmOutbox::Post(const ShmDescriptor& d) {
  ShmOutboxLayout* l = layout();
  const uint64_t posted = l->posted.load(std::memory_order_relaxed);  // only this side writes it
  if (posted - l->taken.load(std::memory_order_acquire) >= kRingEntries) return false;
  l->ring[posted % kRingEntries] = d;
  l->posted.store(posted + 1, std::memory_order_release);
  Ring();
  return true;
}

void ShmOutbox::CountStreamSend() {
  layout()->on_stream.fetch_add(1, std::memory_order_seq_cst);
  Ring();
}

void ShmOutbox::Ring() {
  ShmOutboxLayout* l = layout();
  l->bell.fetch_add(1, std::memory_order_seq_cst);
  if (l->waiting.load(std::memory_order_seq_cst) != 0) FutexWakeAll(&l->bell);
}

uint32_t ShmOutbox::InUse() const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < slots_; ++i) {
    n += layout()->state[i].load(std::memory_order_acquire) != kFree;
  }
  return n;
}

absl::StatusOr<std::shared_ptr<ShmInbox>> ShmInbox::Attach(const std::string& metadata) {
  absl::StatusOr<std::shared_ptr<ShmInbox>> inbox = Open(metadata);
  if (inbox.ok()) (*inbox)->Accept();
  return inbox;
}

absl::StatusOr<std::shared_ptr<ShmInbox>> ShmInbox::Open(const std::string& metadata) {
  const std::vector<std::string> parts = absl::StrSplit(metadata, ' ');
  int rank = -1;
  if (parts.size() != 3 || PidOfName(parts[0], /*slash=*/true) < 0 ||
      parts[1].size() != kNonceHexDigits || !IsHex(parts[1]) ||
      !absl::SimpleAtoi(parts[2], &rank) || rank < 0 || rank >= (1 << 20)) {
    return absl::InvalidArgumentError("malformed shared-memory outbox metadata");
  }
  const std::string& name = parts[0];
  const int fd = shm_open(name.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) return Errno(absl::StrCat("opening the peer's outbox ", name));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const absl::Status error = Errno(absl::StrCat("fstat ", name));
    close(fd);
    return error;
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
      static_cast<size_t>(st.st_size) < kHeaderBytes ||
      static_cast<size_t>(st.st_size) > kHeaderBytes + ShmOutbox::kMaxSlots * kMaxSlotBytes) {
    close(fd);
    return absl::PermissionDeniedError(
        absl::StrCat("the peer's outbox ", name,
                     " is not a private shared-memory object of this user of a valid size"));
  }
  const size_t mapped = static_cast<size_t>(st.st_size);
  void* base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (base == MAP_FAILED) return Errno(absl::StrCat("mapping ", name));
  auto* layout = static_cast<ShmOutboxLayout*>(base);
  std::atomic_thread_fence(std::memory_order_acquire);
  const uint32_t slots = layout->slots;
  const uint64_t slot_bytes = layout->slot_bytes;
  if (std::memcmp(layout->magic, kMagic, sizeof(kMagic)) != 0 || slots == 0 ||
      slots > ShmOutbox::kMaxSlots || slot_bytes == 0 || slot_bytes > kMaxSlotBytes ||
      kHeaderBytes + slots * slot_bytes != mapped ||
      !TokensEqual(std::string(layout->nonce, kNonceHexDigits), parts[1])) {
    munmap(base, mapped);
    return absl::PermissionDeniedError(
        absl::StrCat("the peer's outbox ", name, " does not hold the announced nonce"));
  }
  return std::shared_ptr<ShmInbox>(new ShmInbox(base, mapped, slots, slot_bytes, rank, name));
}

void ShmInbox::Accept() {
  layout()->attached.store(1, std::memory_order_release);
  shm_unlink(name_.c_str());
}

bool ShmInbox::StreamSegmentsInFlight() const {
  return layout()->on_stream.load(std::memory_order_seq_cst) >
         received_on_stream_.load(std::memory_order_seq_cst);
}

bool ShmInbox::Pending() const {
  const ShmOutboxLayout* l = layout();
  return l->posted.load(std::memory_order_acquire) != l->taken.load(std::memory_order_relaxed);
}

std::optional<ShmDescriptor> ShmInbox::Take() {
  ShmOutboxLayout* l = layout();
  const uint64_t taken = l->taken.load(std::memory_order_relaxed);  // only this side writes it
  if (l->posted.load(std::memory_order_acquire) == taken) return std::nullopt;
  const ShmDescriptor d = l->ring[taken % ShmOutbox::kRingEntries];
  l->taken.store(taken + 1, std::memory_order_release);
  return d;
}

void ShmInbox::WaitForBell(std::chrono::steady_clock::time_point until) {
  ShmOutboxLayout* l = layout();
  l->waiting.store(1, std::memory_order_seq_cst);
  const uint32_t bell = l->bell.load(std::memory_order_seq_cst);
  if (!Pending()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left > std::chrono::steady_clock::duration::zero()) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      const timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
      FutexWait(&l->bell, bell, &timeout);
    }
  }
  l->waiting.store(0, std::memory_order_relaxed);
}

ShmInbox::~ShmInbox() { munmap(base_, mapped_); }

ShmOutboxLayout* ShmInbox::layout() const { return static_cast<ShmOutboxLayout*>(base_); }

absl::StatusOr<std::unique_ptr<ShmPayload>> ShmInbox::Claim(uint32_t slot_plus_one,
                                                            size_t bytes) {
  if (slot_plus_one == 0 || slot_plus_one > slots_ || bytes > slot_bytes_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "collective segment names shared-memory slot ", slot_plus_one, " with ", bytes,
        " bytes; the outbox has ", slots_, " slots of ", slot_bytes_, " bytes"));
  }
  const uint32_t slot = slot_plus_one - 1;
  if (layout()->state[slot].load(std::memory_order_acquire) != kFull) {
    return absl::InvalidArgumentError(
        absl::StrCat("collective segment names shared-memory slot ", slot_plus_one,
                     ", which its sender has not filled"));
  }
  const uint8_t* data = static_cast<const uint8_t*>(base_) + kHeaderBytes + slot * slot_bytes_;
  return std::make_unique<ShmPayload>(shared_from_this(), slot, data, bytes);
}

void ShmInbox::Free(uint32_t slot) {
  layout()->state[slot].store(kFree, std::memory_order_release);
}

ShmPayload::~ShmPayload() { inbox_->Free(slot_); }

int RemoveStaleShmOutboxes() {
  DIR* dir = opendir("/dev/shm");
  if (dir == nullptr) return 0;
  int removed = 0;
  while (dirent* entry = readdir(dir)) {
    const long pid = PidOfName(entry->d_name, /*slash=*/false);
    if (pid < 0) continue;  // not an outbox
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // its process lives
    struct stat st;
    if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        st.st_uid != geteuid()) {
      continue;
    }
    if (shm_unlink(absl::StrCat("/", entry->d_name).c_str()) == 0) ++removed;
  }
  closedir(dir);
  return removed;
}

}  // namespace tandem::collective
