// The shared-memory outbox between ranks on one host: attach, slots handed over and freed,
// and every refusal (malformed metadata, a missing object, a wrong nonce, an object others
// may open, slots out of range or not filled), plus the sweep of ended processes' outboxes.
#include "collective/shm_outbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

bool Exists(const std::string& name) {
  const int fd = shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

TEST(ShmOutboxTest, SlotsTravelOnceAttachedAndComeBackWhenRead) {
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(2, 100));
  EXPECT_EQ(outbox->slot_bytes(), 128u);  // rounded up to 64 bytes
  EXPECT_TRUE(Exists(outbox->name()));
  EXPECT_FALSE(outbox->attached());
  EXPECT_EQ(outbox->Acquire(8), -1) << "no slot before the peer attached";

  ASSERT_OK_AND_ASSIGN(auto inbox, ShmInbox::Attach(outbox->metadata()));
  EXPECT_TRUE(outbox->attached());
  EXPECT_FALSE(Exists(outbox->name())) << "the name is unlinked once both sides map it";

  EXPECT_EQ(outbox->Acquire(129), -1) << "larger than a slot";
  const int a = outbox->Acquire(128);
  ASSERT_GE(a, 0);
  std::memcpy(outbox->slot_data(a), "hello", 6);
  outbox->Publish(a);
  const int b = outbox->Acquire(1);
  ASSERT_GE(b, 0);
  EXPECT_NE(a, b);
  outbox->Publish(b);
  EXPECT_EQ(outbox->Acquire(1), -1) << "both slots are in use";
  EXPECT_EQ(outbox->InUse(), 2u);

  {
    ASSERT_OK_AND_ASSIGN(auto payload, inbox->Claim(a + 1, 6));
    EXPECT_STREQ(reinterpret_cast<const char*>(payload->data()), "hello");
    EXPECT_EQ(payload->size(), 6u);
    EXPECT_EQ(outbox->InUse(), 2u) << "held while the segment is read";
  }
  EXPECT_EQ(outbox->InUse(), 1u);
  EXPECT_EQ(outbox->Acquire(1), a) << "the freed slot is reused";
}

// An outbox opened is not attached (the sender keeps its payloads on the stream) until the
// receiver accepts it, having registered it.
TEST(ShmOutboxTest, OpenedIsNotAttachedUntilAccepted) {
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(1, 64, /*rank=*/3));
  ASSERT_OK_AND_ASSIGN(auto inbox, ShmInbox::Open(outbox->metadata()));
  EXPECT_EQ(inbox->rank(), 3);
  EXPECT_FALSE(outbox->attached());
  EXPECT_EQ(outbox->Acquire(4), -1);
  inbox->Accept();
  EXPECT_TRUE(outbox->attached());
  EXPECT_FALSE(Exists(outbox->name()));
}

// Descriptors arrive in order, at most kRingEntries waiting; the ring refuses more until the
// receiver takes some.
TEST(ShmOutboxTest, DescriptorsTravelInOrderAndTheRingIsBounded) {
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(1, 64));
  ASSERT_OK_AND_ASSIGN(auto inbox, ShmInbox::Attach(outbox->metadata()));
  EXPECT_FALSE(inbox->Pending());
  EXPECT_FALSE(inbox->Take().has_value());
  for (uint32_t i = 0; i < ShmOutbox::kRingEntries; ++i) {
    ShmDescriptor d;
    d.sequence = 100 + i;
    d.step = i;
    d.segment = 2 * i;
    d.count = 3 * i;
    d.slot_plus_one = 1;
    d.wire_type = 1;
    ASSERT_TRUE(outbox->Post(d)) << i;
  }
  EXPECT_FALSE(outbox->Post(ShmDescriptor{})) << "the ring is full";
  EXPECT_TRUE(inbox->Pending());
  for (uint32_t i = 0; i < 3; ++i) {
    std::optional<ShmDescriptor> d = inbox->Take();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->sequence, 100 + i);
    EXPECT_EQ(d->step, i);
    EXPECT_EQ(d->segment, 2 * i);
    EXPECT_EQ(d->count, 3 * i);
  }
  EXPECT_TRUE(outbox->Post(ShmDescriptor{})) << "room again";
  size_t left = 0;
  while (inbox->Take().has_value()) ++left;
  EXPECT_EQ(left, ShmOutbox::kRingEntries - 3 + 1);
  EXPECT_FALSE(inbox->Pending());
}

// A receiver asleep on the bell wakes when the sender posts (or rings), not at its timeout;
// with a descriptor already waiting it does not sleep at all; with nothing, it sleeps until
// its time.
TEST(ShmOutboxTest, TheBellWakesASleepingReceiver) {
  using std::chrono::milliseconds;
  using std::chrono::steady_clock;
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(1, 64));
  ASSERT_OK_AND_ASSIGN(auto inbox, ShmInbox::Attach(outbox->metadata()));
  auto start = steady_clock::now();
  inbox->WaitForBell(start + milliseconds(50));
  EXPECT_GE(steady_clock::now() - start, milliseconds(50)) << "nothing rang";

  for (bool post : {true, false}) {
    start = steady_clock::now();
    std::thread sender([&] {
      std::this_thread::sleep_for(milliseconds(20));
      if (post) {
        ASSERT_TRUE(outbox->Post(ShmDescriptor{}));
      } else {
        outbox->Ring();
      }
    });
    inbox->WaitForBell(start + std::chrono::seconds(20));
    const auto waited = steady_clock::now() - start;
    sender.join();
    EXPECT_GE(waited, milliseconds(15)) << post;
    EXPECT_LT(waited, std::chrono::seconds(10)) << "woken by " << (post ? "a post" : "a ring");
    EXPECT_EQ(inbox->Take().has_value(), post);
  }
  ASSERT_TRUE(outbox->Post(ShmDescriptor{}));
  ASSERT_TRUE(inbox->Pending());
  start = steady_clock::now();
  inbox->WaitForBell(start + std::chrono::seconds(20));
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(1)) << "a descriptor waits";
}

TEST(ShmOutboxTest, ClaimRefusesSlotsOutOfRangeOversizedOrNotFilled) {
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(3, 64));
  ASSERT_OK_AND_ASSIGN(auto inbox, ShmInbox::Attach(outbox->metadata()));
  EXPECT_EQ(inbox->Claim(0, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(inbox->Claim(4, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(inbox->Claim(1, 65).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status unfilled = inbox->Claim(1, 4).status();
  EXPECT_EQ(unfilled.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unfilled.message().find("not filled"), std::string::npos) << unfilled;
  const int slot = outbox->Acquire(64);
  outbox->Publish(slot);
  EXPECT_OK(inbox->Claim(slot + 1, 64).status());
}

TEST(ShmOutboxTest, AttachRefusesWhatIsNotThePeersOutbox) {
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(1, 64, /*rank=*/5));
  const std::vector<std::string> parts = absl::StrSplit(outbox->metadata(), ' ');
  ASSERT_EQ(parts.size(), 3u);
  const std::string& name = parts[0];
  const std::string& nonce = parts[1];
  EXPECT_EQ(parts[2], "5");
  const std::string other_nonce(32, nonce[0] == 'a' ? 'b' : 'a');

  for (const std::string& malformed :
       {std::string(""), name, absl::StrCat(name, " ", nonce),
        absl::StrCat(name, " ", nonce, " x"), absl::StrCat(name, " ", nonce, " -1"),
        absl::StrCat(name, " ", nonce, " 1 2"), absl::StrCat(name, " zz 1"),
        absl::StrCat("/etc/passwd ", nonce, " 1"),
        absl::StrCat("/tandem-coll-x-", nonce, " ", nonce, " 1"),
        absl::StrCat("/tandem-coll-1-", nonce.substr(1), " ", nonce, " 1")}) {
    EXPECT_EQ(ShmInbox::Attach(malformed).status().code(), absl::StatusCode::kInvalidArgument)
        << "'" << malformed << "'";
  }
  // Of the right form but not there: another host's outbox, or a private /dev/shm.
  EXPECT_EQ(ShmInbox::Attach(absl::StrCat("/tandem-coll-1-", other_nonce, " ", nonce, " 1"))
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  absl::Status wrong = ShmInbox::Attach(absl::StrCat(name, " ", other_nonce, " 5")).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kPermissionDenied) << wrong;
  EXPECT_FALSE(outbox->attached());
  EXPECT_TRUE(Exists(name)) << "a refused attach leaves the outbox alone";

  // An object others may open is not taken for an outbox.
  const std::string open_name = absl::StrCat("/tandem-coll-", getpid(), "-", other_nonce);
  const int fd = shm_open(open_name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fchmod(fd, 0644), 0);
  ASSERT_EQ(ftruncate(fd, 4096 + 64), 0);
  close(fd);
  EXPECT_EQ(ShmInbox::Attach(absl::StrCat(open_name, " ", nonce, " 5")).status().code(),
            absl::StatusCode::kPermissionDenied);
  shm_unlink(open_name.c_str());
}

TEST(ShmOutboxTest, CreateRefusesSizesOutOfBounds) {
  EXPECT_FALSE(ShmOutbox::Create(0, 64).ok());
  EXPECT_FALSE(ShmOutbox::Create(ShmOutbox::kMaxSlots + 1, 64).ok());
  EXPECT_FALSE(ShmOutbox::Create(1, 0).ok());
  EXPECT_FALSE(ShmOutbox::Create(1, (16 << 20) + 1).ok());
  EXPECT_OK(ShmOutbox::Create(ShmOutbox::kMaxSlots, 64).status());
}

TEST(ShmOutboxTest, AnUnattachedOutboxIsUnlinkedWhenDestroyed) {
  std::string name;
  {
    ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(1, 64));
    name = outbox->name();
    EXPECT_TRUE(Exists(name));
  }
  EXPECT_FALSE(Exists(name));
}

TEST(ShmOutboxTest, SweepRemovesOutboxesOfEndedProcessesOnly) {
  // A child creates an outbox and exits without destroying it (as a crash would).
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto outbox = ShmOutbox::Create(1, 64);
    std::string name = outbox.ok() ? (*outbox)->name() : "";
    (void)!write(pipe_fds[1], name.data(), name.size());
    _exit(0);  // no destructors: the outbox stays
  }
  close(pipe_fds[1]);
  char buffer[256];
  const ssize_t got = read(pipe_fds[0], buffer, sizeof(buffer));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_GT(got, 0);
  const std::string left(buffer, static_cast<size_t>(got));
  ASSERT_TRUE(Exists(left));

  ASSERT_OK_AND_ASSIGN(auto mine, ShmOutbox::Create(1, 64));
  EXPECT_GE(RemoveStaleShmOutboxes(), 1);
  EXPECT_FALSE(Exists(left)) << "the ended process's outbox is removed";
  EXPECT_TRUE(Exists(mine->name())) << "a living process's outbox stays";
}

}  // namespace
}  // namespace tandem::collective
