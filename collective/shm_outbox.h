// Shared memory between ranks on one host: segment payloads travel through it instead of
// through the TCP socket, while the Segment message (its header, now without payload) still
// travels on the rank's Push stream. gRPC-free.
//
// Why: on loopback the bytes of a gRPC segment are copied into the kernel, through TCP, out
// of it into gRPC's slices, and (all-gather steps) once more into the caller's buffer; with
// more ranks than cores that CPU per byte bounds every all-reduce from ~1 MiB (BENCHMARKS.md,
// issue [13]). Through an outbox a payload is copied once by the sender into the shared slot,
// and the receiver adds or copies it straight out of the slot.
//
// Protocol. The sender creates an outbox (a POSIX shared-memory object, mode 0600, named
// kShmNamePrefix<pid>-<random>, a random nonce in its header) per peer it sends to, and names
// it with its nonce and its rank in the Push stream's metadata (kShmMetadata), which the peer
// reads only after the stream was admitted with the group's key (collective_service.h). A
// peer on the same host, of the same user, that can open the object and finds the nonce maps
// it, registers it with its mailbox, marks it attached and unlinks its name. From then on the
// sender may put a payload into a free slot and post a descriptor of the segment (its
// sequence, step, segment, count, wire type and slot) to the outbox's descriptor ring, then
// ring the outbox's bell (a futex word the receiver sleeps on while it waits for this peer;
// woken only when it sleeps). The receiver turns descriptors into mailbox deliveries that
// read the slot, and frees the slot when done with the segment. No gRPC message is sent for
// such a segment. Where the peer cannot open the object (another host, a container with its
// own /dev/shm, another user) it never marks it attached and every payload goes on the stream
// as before; so does a payload larger than a slot or one sent while every slot is in use
// (sends never wait for a slot).
//
// Memory order: a slot's state word hands the slot over: the sender writes the payload, then
// stores kFull (release); the receiver checks kFull (acquire) before reading, and stores
// kFree (release) when done; the sender reuses a slot only after reading kFree (acquire). The
// descriptor ring is single-producer single-consumer: `posted` (release, by the sender) and
// `taken` (release, by the receiver). The bell: the sender bumps it after posting and wakes
// the receiver if its `waiting` flag is set; the receiver sets `waiting`, reads the bell,
// checks the ring, and sleeps only while the bell still holds what it read (all seq_cst, so
// one of the two sees the other).
#ifndef TANDEM_COLLECTIVE_SHM_OUTBOX_H_
#define TANDEM_COLLECTIVE_SHM_OUTBOX_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tandem::collective {

// Push stream metadata: "<object name> <nonce hex> <sender rank>" of the sender's outbox for
// this stream.
inline constexpr char kShmMetadata[] = "tandem-shm-outbox";
// Names of outboxes: kShmNamePrefix, the creating process's pid, '-', 32 hex digits.
inline constexpr char kShmNamePrefix[] = "/tandem-coll-";

struct ShmOutboxLayout;  // the mapped header (shm_outbox.cc)

// One segment posted to an outbox's descriptor ring (what a Segment's header would say; the
// job, generation and sender are the stream's).
struct ShmDescriptor {
  uint64_t sequence = 0;
  uint64_t count = 0;  // elements of wire_type
  uint32_t step = 0;
  uint32_t segment = 0;
  uint32_t slot_plus_one = 0;
  uint32_t wire_type = 0;  // v1::WireType
};

// The sending side: one per (sender, peer) stream. Thread-compatible (the transport's
// operation thread sends).
class ShmOutbox {
 public:
  static constexpr uint32_t kMaxSlots = 64;  // at most 64: a bit each in allocated_
  // Creates and maps an outbox of `slots` slots of `slot_bytes` each (address space only:
  // pages are allocated as slots are first written).
  // The descriptor ring's capacity.
  static constexpr uint32_t kRingEntries = 64;
  static_assert(kRingEntries >= kMaxSlots,
                "a posted descriptor holds a slot until it is taken: room for every slot");
  static absl::StatusOr<std::unique_ptr<ShmOutbox>> Create(uint32_t slots, size_t slot_bytes,
                                                           int rank = 0);
  // Unmaps; unlinks the name unless the peer attached (and so unlinked it already).
  ~ShmOutbox();
  ShmOutbox(const ShmOutbox&) = delete;
  ShmOutbox& operator=(const ShmOutbox&) = delete;

  // What the stream's kShmMetadata carries.
  std::string metadata() const;
  const std::string& name() const { return name_; }
  size_t slot_bytes() const { return slot_bytes_; }
  uint32_t slots() const { return slots_; }
  // Whether the peer mapped the outbox (then it reads slots named in Segments).
  bool attached() const;

  // A free slot for a payload of `bytes`, now owned by the sender until the peer frees it;
  // -1 when the peer has not attached, the payload does not fit a slot, or no slot is free
  // (slots are taken into use lowest first, their memory reserved then; where /dev/shm
  // cannot hold another, only those in use already are used).
  int Acquire(size_t bytes);
  uint8_t* slot_data(int slot) const;
  // The payload of an acquired slot is written: the peer may read it once a descriptor
  // naming it is posted (call before Post).
  void Publish(int slot);
  // Posts `d` (its slot published) to the descriptor ring and rings the bell; false when the
  // ring is full (the peer has not taken kRingEntries descriptors yet: never for descriptors
  // of acquired slots, since a slot stays in use until its descriptor was taken).
  bool Post(const ShmDescriptor& d);
  // Counts a segment to this peer that goes on the stream instead (call before sending it;
  // from the outbox's creation on, attached or not) and rings the bell, so the receiver
  // waits on its stream until it has read as many.
  void CountStreamSend();
  // Wakes a receiver asleep on the bell.
  void Ring();
  // Slots the peer has not freed yet (tests).
  uint32_t InUse() const;

 private:
  ShmOutbox(std::string name, int fd, void* base, size_t mapped, uint32_t slots,
            size_t slot_bytes, std::string nonce_hex, int rank);
  ShmOutboxLayout* layout() const;

  const std::string name_;
  const int fd_;
  void* const base_;
  const size_t mapped_;
  const uint32_t slots_;
  const size_t slot_bytes_;
  const std::string nonce_hex_;
  const int rank_;
  uint64_t allocated_ = 0;  // bit s: slot s's pages are reserved in /dev/shm
  bool full_ = false;       // a slot could not be: no further slots are taken into use
};

class ShmInbox;

// A payload in a slot of a peer's outbox. Destroying it frees the slot (the sender may then
// reuse it), so hold it only while the segment is being read.
class ShmPayload {
 public:
  ShmPayload(std::shared_ptr<ShmInbox> inbox, uint32_t slot, const uint8_t* data, size_t bytes)
      : inbox_(std::move(inbox)), slot_(slot), data_(data), bytes_(bytes) {}
  ~ShmPayload();
  ShmPayload(const ShmPayload&) = delete;
  ShmPayload& operator=(const ShmPayload&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  std::shared_ptr<ShmInbox> inbox_;  // keeps the mapping
  uint32_t slot_;
  const uint8_t* data_;
  size_t bytes_;
};

// The receiving side: a peer's outbox mapped by the process its stream pushes to.
class ShmInbox : public std::enable_shared_from_this<ShmInbox> {
 public:
  // Maps the outbox `metadata` (kShmMetadata's value) names, after checking the name's form,
  // that it is a shared-memory object of this user that no other user may open, its size
  // and its nonce. An error says why not (the stream then carries its payloads itself).
  static absl::StatusOr<std::shared_ptr<ShmInbox>> Open(const std::string& metadata);
  // Open, then Accept: for tests.
  static absl::StatusOr<std::shared_ptr<ShmInbox>> Attach(const std::string& metadata);
  // Marks the outbox attached (the sender starts using it: call once descriptors will be
  // taken) and unlinks its name (both sides hold the mapping; nothing is left behind).
  void Accept();
  // The sender's rank, as its metadata said.
  int rank() const { return rank_; }
  ~ShmInbox();
  ShmInbox(const ShmInbox&) = delete;
  ShmInbox& operator=(const ShmInbox&) = delete;

  // The payload of a Segment whose header names `slot_plus_one` with `bytes` bytes;
  // INVALID_ARGUMENT for a slot out of range, a payload larger than a slot, or a slot the
  // sender has not filled.
  absl::StatusOr<std::unique_ptr<ShmPayload>> Claim(uint32_t slot_plus_one, size_t bytes);

  // Whether descriptors wait in the ring.
  bool Pending() const;
  // The receiving stream read a segment that came on it, not through the outbox (`n` at
  // once: those read before the outbox was opened).
  void CountStreamDelivery(uint64_t n = 1) { received_on_stream_.fetch_add(n); }
  // Whether the sender put segments on the stream that it has not read yet: wait on the
  // stream then, not on the bell.
  bool StreamSegmentsInFlight() const;
  // The next descriptor, taken from the ring (nullopt when none waits). The caller claims its
  // slot.
  std::optional<ShmDescriptor> Take();
  // Sleeps until the bell rings (a descriptor was posted, or a segment went on the stream),
  // `until` passes, or descriptors already wait; returns at once in the last case. Spurious
  // returns are possible: callers re-check.
  void WaitForBell(std::chrono::steady_clock::time_point until);

 private:
  friend class ShmPayload;
  ShmInbox(void* base, size_t mapped, uint32_t slots, size_t slot_bytes, int rank,
           std::string name)
      : base_(base),
        mapped_(mapped),
        slots_(slots),
        slot_bytes_(slot_bytes),
        rank_(rank),
        name_(std::move(name)) {}
  ShmOutboxLayout* layout() const;
  void Free(uint32_t slot);

  void* const base_;
  const size_t mapped_;
  const uint32_t slots_;
  const size_t slot_bytes_;
  const int rank_;
  const std::string name_;
  std::atomic<uint64_t> received_on_stream_{0};
};

// Unlinks outboxes of this user whose creating process is gone (a crash leaves its unattached
// outboxes behind); called when a collective server starts. Returns how many it removed.
int RemoveStaleShmOutboxes();

}  // namespace tandem::collective

#endif  // TANDEM_COLLECTIVE_SHM_OUTBOX_H_
