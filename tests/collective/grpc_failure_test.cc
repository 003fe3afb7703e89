// Failures of the gRPC collective: a dead or silent peer ends the operation on every survivor
// within its deadline; stale, malformed and oversized segments are refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collective/grpc_communicator.h"
#include "collective/wire.h"
#include "tests/testing/grpc_collective_testing.h"
#include "tests/testing/status_matchers.h"

namespace tandem::collective {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using testing::MakeTestGroup;
using testing::RawPush;
using testing::RunRanks;
using tandem::testing::IsOkAndHolds;
using tandem::testing::StatusIs;

// How a survivor sees a peer that died or went silent.
auto IsPeerFailure() {
  return AnyOf(StatusIs(absl::StatusCode::kDeadlineExceeded),
               StatusIs(absl::StatusCode::kUnavailable));
}

TEST(RingFailureTest, SilentPeerEndsInErrorAtTheDeadlineOnEverySurvivor) {
  const int n = 3;
  ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n));
  const auto timeout = std::chrono::milliseconds(1500);
  const auto start = Clock::now();
  // Rank 2 is alive (its server answers) but never joins the operation.
  auto statuses = RunRanks(n - 1, [&](int r) {
    std::vector<float> data(100000, 1.0f);
    return ring->ranks[r]->AllReduceSum(data.data(), data.size(), OpOptions::WithTimeout(timeout));
  });
  const auto elapsed = Clock::now() - start;
  for (int r = 0; r < n - 1; ++r) {
    EXPECT_THAT(statuses[r], IsPeerFailure()) << "rank " << r;
    EXPECT_THAT(statuses[r].message(), HasSubstr("rank")) << "rank " << r;
  }
  // Rank 0 waits on rank 2, the silent one, and names it.
  EXPECT_THAT(statuses[0].message(), HasSubstr(ring->addresses[2]));
  EXPECT_LT(elapsed, timeout + std::chrono::seconds(2));
  // The communicator stays broken: the next operation fails at once, with the same status.
  std::vector<float> data(10);
  EXPECT_EQ(ring->ranks[0]->AllReduceSum(data.data(), 10, OpOptions::WithTimeout(timeout)),
            statuses[0]);
}

// (world size, algorithm, killed rank): the ring on 2 and 4 ranks, the pair exchange on 2,
// recursive doubling and halving-doubling on 4, and both with extra ranks folded in on 3, 6
// and 7 ranks, killing an extra rank (one that sends its blocks, then waits for their sums) or
// a core rank (one that extra ranks wait on).
class PeerKilledTest : public ::testing::TestWithParam<std::tuple<int, std::string, int>> {};

TEST_P(PeerKilledTest, PeerKilledMidOperationFailsEverySurvivorBeforeTheDeadline) {
  const auto [n, algorithm, victim] = GetParam();
  // Payloads on the streams: the victim here is its server, shut down, while its thread
  // runs on; through shared memory its sends would still arrive (a process that dies stops
  // them too, and its streams' break fails the group: DeadPeerTest).
  ASSERT_OK_AND_ASSIGN(
      auto ring, MakeTestGroup(n, [algorithm = algorithm](int, GrpcCommunicatorOptions& o) {
        o.shared_memory = false;
        if (algorithm == "ring") {
          o.pair_exchange = false;
          o.halving_max_bytes = 0;
        } else if (algorithm == "pair" || algorithm == "doubling") {
          o.pair_max_bytes = size_t{1} << 40;
          o.doubling_max_bytes = size_t{1} << 40;
          o.folded_doubling_max_bytes = size_t{1} << 40;
        }  // "halving": the default for 64 MB on 3 ranks and more
      }));
  const size_t count = 16 << 20;  // 64 MB per rank: long enough to be cut in the middle
  EXPECT_EQ(std::string(ring->ranks[0]->AllReduceAlgorithm(count)), algorithm);
  std::vector<std::vector<float>> data(n, std::vector<float>(count, 1.0f));
  // A first operation opens every stream.
  auto warm = RunRanks(n, [&](int r) {
    return ring->ranks[r]->AllReduceSum(data[r].data(), 1000,
                                        OpOptions::WithTimeout(std::chrono::seconds(10)));
  });
  for (const auto& s : warm) ASSERT_OK(s);

  const auto timeout = std::chrono::seconds(10);
  const auto start = Clock::now();
  std::thread killer([&, victim = victim] {
    // Deliberate timing, not a wait: the kill lands a few ms into the 64 MB operation.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ring->servers[victim]->Shutdown();  // the victim's endpoint dies mid-operation
  });
  auto statuses = RunRanks(n, [&](int r) {
    return ring->ranks[r]->AllReduceSum(data[r].data(), count, OpOptions::WithTimeout(timeout));
  });
  killer.join();
  const auto elapsed = Clock::now() - start;
  for (int r = 0; r < n; ++r) EXPECT_THAT(statuses[r], IsPeerFailure()) << "rank " << r;
  // Failure spreads along the broken streams: nobody waits for the deadline.
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  // Someone names the dead rank (a rank that writes to it, or one whose stream from it broke).
  bool named = false;
  std::string all;
  for (int r = 0; r < n; ++r) {
    if (r == victim) continue;
    named = named || statuses[r].message().find(ring->addresses[victim]) != std::string::npos;
    all += statuses[r].ToString() + "\n";
  }
  EXPECT_TRUE(named) << all;
  // And says so in the payload the worker reports (ProgressReport.broken_peer_rank).
  bool in_payload = false;
  for (int r = 0; r < n; ++r) {
    auto peer = statuses[r].GetPayload(kFromRankPayload);
    in_payload = in_payload || (r != victim && peer.has_value() &&
                                std::string(*peer) == std::to_string(victim));
  }
  EXPECT_TRUE(in_payload) << all;
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, PeerKilledTest,
    ::testing::Values(std::make_tuple(4, "ring", 3), std::make_tuple(2, "ring", 1),
                      std::make_tuple(2, "pair", 1), std::make_tuple(4, "doubling", 3),
                      std::make_tuple(4, "halving", 3), std::make_tuple(3, "halving", 2),
                      std::make_tuple(3, "halving", 0), std::make_tuple(6, "halving", 5),
                      std::make_tuple(7, "halving", 1), std::make_tuple(3, "doubling", 2),
                      std::make_tuple(7, "doubling", 0)),
    [](const auto& info) {
      return absl::StrCat("n", std::get<0>(info.param), "_", std::get<1>(info.param), "_kill",
                          std::get<2>(info.param));
    });

// Ranks that exchange through shared memory sleep on their peers' bells, not on the
// streams: a peer whose operation fails (as a crashed one, it sends no more and its streams
// break) fails every survivor within about a second, not at their deadline.
TEST(SharedMemoryFailureTest, APeerThatFailsEndsTheWaitsOnItsBell) {
  for (int n : {2, 3, 5}) {
    SCOPED_TRACE(absl::StrCat(n, " ranks"));
    ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(n));
    // 4 MiB: the ring (2 ranks) or halving-doubling, sending one segment ahead of what they
    // received, so the survivors wait for segments the victim never sends.
    std::vector<std::vector<float>> data(n, std::vector<float>(1 << 20, 1.0f));
    for (int round = 0; round < 2; ++round) {  // the outboxes attach during the first
      auto warm = RunRanks(n, [&](int r) {
        return ring->ranks[r]->AllReduceSum(data[r].data(), data[r].size(),
                                            OpOptions::WithTimeout(std::chrono::seconds(10)));
      });
      for (int r = 0; r < n; ++r) ASSERT_OK(warm[r]);
    }
    for (int r = 0; r < n; ++r) ASSERT_GT(ring->ranks[r]->shm_sends(), 0u) << "rank " << r;
    // Rank 0: paced by its partners, so they wait for it (an extra rank sends its blocks all
    // at once, and the others might finish without it).
    const int victim = 0;
    const auto timeout = std::chrono::seconds(20);
    const auto start = Clock::now();
    auto statuses = RunRanks(n, [&](int r) {
      if (r == victim) {  // gives up at its first wait and cancels its streams
        return ring->ranks[r]->AllReduceSum(data[r].data(), data[r].size(),
                                            OpOptions::WithTimeout(std::chrono::seconds(0)));
      }
      return ring->ranks[r]->AllReduceSum(data[r].data(), data[r].size(),
                                          OpOptions::WithTimeout(timeout));
    });
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(statuses[victim].code(), absl::StatusCode::kDeadlineExceeded) << statuses[victim];
    for (int r = 1; r < n; ++r) EXPECT_THAT(statuses[r], IsPeerFailure()) << "rank " << r;
    EXPECT_LT(elapsed, std::chrono::seconds(5));
  }
}

// A worker that moves to a new generation fails the old group's mailbox: an operation still
// waiting on peers that never came up returns at once, not at its deadline, whether it waits
// to receive (pair exchange, halving-doubling on 4 ranks, which sends ahead and then waits
// for its partner's segments), for its own sends to go out first (recursive doubling on 4
// ranks), or only sends (the root of a broadcast); with extra ranks folded in (3 ranks), as a
// core rank (waits for its partner and the extra rank) or as the extra rank (sends its blocks,
// then waits for their sums).
enum class DeadPeerOp { kPair, kDoubling, kHalving, kBroadcastRoot, kFoldedCore, kFoldedExtra };

class DeadPeerTest : public ::testing::TestWithParam<DeadPeerOp> {};

TEST_P(DeadPeerTest, FailingTheGroupEndsAnOperationWaitingOnADeadPeer) {
  const DeadPeerOp op = GetParam();
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0"));
  CollectiveService* service = server->service();
  // A port with nothing behind it: a server started and shut down.
  ASSERT_OK_AND_ASSIGN(auto gone, CollectiveServer::Start("127.0.0.1:0"));
  const std::string dead = absl::StrCat("127.0.0.1:", gone->port());
  gone.reset();
  GrpcCommunicatorOptions options;
  options.group = {"job-x", 7};
  options.rank = 0;
  options.peers = {absl::StrCat("127.0.0.1:", server->port()), dead};
  if (op == DeadPeerOp::kDoubling || op == DeadPeerOp::kHalving) {
    options.peers = {options.peers[0], dead, dead, dead};
  }
  if (op == DeadPeerOp::kHalving) {
    options.doubling_max_bytes = 0;
    options.direct_max_bytes = 0;
  }
  if (op == DeadPeerOp::kFoldedCore) options.peers = {options.peers[0], dead, dead};
  if (op == DeadPeerOp::kFoldedExtra) {
    options.peers = {dead, dead, options.peers[0]};
    options.rank = 2;
  }
  if (op == DeadPeerOp::kFoldedCore || op == DeadPeerOp::kFoldedExtra) {
    options.folded_doubling_max_bytes = 0;
    options.direct_max_bytes = 0;
  }
  ASSERT_OK_AND_ASSIGN(auto ring, GrpcCommunicator::Create(options, service));
  if (op == DeadPeerOp::kPair) {
    EXPECT_STREQ(ring->AllReduceAlgorithm(1000), "pair");
  } else if (op == DeadPeerOp::kDoubling) {
    EXPECT_STREQ(ring->AllReduceAlgorithm(1000), "doubling");
  } else if (op != DeadPeerOp::kBroadcastRoot) {
    EXPECT_STREQ(ring->AllReduceAlgorithm(1000), "halving");
  }
  const auto start = Clock::now();
  std::thread fail([&] {
    // Deliberate timing, not a wait: the operation is already waiting on the dead peer when
    // the group fails.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    service->mailbox().Fail(options.group, absl::CancelledError("moved to generation 8"));
  });
  std::vector<float> data(1000, 1.0f);
  const OpOptions o = OpOptions::WithTimeout(std::chrono::seconds(60));
  absl::Status s = op == DeadPeerOp::kBroadcastRoot
                       ? ring->Broadcast(data.data(), data.size(), /*root=*/0, o)
                       : ring->AllReduceSum(data.data(), data.size(), o);
  fail.join();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

INSTANTIATE_TEST_SUITE_P(Ops, DeadPeerTest,
                         ::testing::Values(DeadPeerOp::kPair, DeadPeerOp::kDoubling,
                                           DeadPeerOp::kHalving, DeadPeerOp::kBroadcastRoot,
                                           DeadPeerOp::kFoldedCore, DeadPeerOp::kFoldedExtra),
                         [](const auto& info) {
                           switch (info.param) {
                             case DeadPeerOp::kPair: return std::string("pair");
                             case DeadPeerOp::kDoubling: return std::string("doubling");
                             case DeadPeerOp::kHalving: return std::string("halving");
                             case DeadPeerOp::kBroadcastRoot: return std::string("broadcast_root");
                             case DeadPeerOp::kFoldedCore: return std::string("folded_core");
                             case DeadPeerOp::kFoldedExtra: return std::string("folded_extra");
                           }
                           return std::string("?");
                         });

TEST(RingFailureTest, StaleGenerationIsRefusedNamingBothGenerations) {
  // Rank 0 still runs generation 4; rank 1 has moved on to generation 5.
  ASSERT_OK_AND_ASSIGN(auto ring, MakeTestGroup(2, [](int r, GrpcCommunicatorOptions& o) {
                         o.group = GroupId{"job-1", r == 0 ? 4u : 5u};
                       }));
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> data(1000, 1.0f);
    return ring->ranks[r]->AllReduceSum(
        data.data(), data.size(),
        OpOptions::WithTimeout(std::chrono::milliseconds(r == 0 ? 10000 : 500)));
  });
  EXPECT_THAT(statuses[0],
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("stale generation"), HasSubstr("generation 4"),
                             HasSubstr("generation is 5"))));
  // Rank 1 refused rank 0's segments and waits for them in vain: it fails at its deadline or
  // once rank 0's stream to it ends.
  EXPECT_THAT(statuses[1], IsPeerFailure());
}

// The same with extra ranks folded in (3 ranks, halving-doubling and doubling forced): the
// stale rank is the extra one (its blocks are refused by both core ranks) or a core rank (its
// partner refuses its half; the extra rank's blocks, of a newer generation, are kept unread).
class FoldedStaleGenerationTest
    : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(FoldedStaleGenerationTest, StaleRankIsRefusedNamingBothGenerations) {
  const auto [algorithm, stale] = GetParam();
  const int n = 3;
  ASSERT_OK_AND_ASSIGN(
      auto ring, MakeTestGroup(n, [algorithm = algorithm, stale = stale](
                                      int r, GrpcCommunicatorOptions& o) {
        o.group = GroupId{"job-1", r == stale ? 4u : 5u};
        o.direct_max_bytes = 0;
        o.folded_doubling_max_bytes = algorithm == "doubling" ? size_t{1} << 40 : 0;
      }));
  ASSERT_STREQ(ring->ranks[0]->AllReduceAlgorithm(1000), algorithm.c_str());
  auto statuses = RunRanks(n, [&, stale = stale](int r) {
    std::vector<float> data(1000, 1.0f);
    return ring->ranks[r]->AllReduceSum(
        data.data(), data.size(),
        OpOptions::WithTimeout(std::chrono::milliseconds(r == stale ? 10000 : 1000)));
  });
  EXPECT_THAT(statuses[stale],
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("stale generation"), HasSubstr("generation 4"),
                             HasSubstr("generation is 5"))));
  for (int r = 0; r < n; ++r) {
    if (r != stale) {
      EXPECT_THAT(statuses[r], IsPeerFailure()) << "rank " << r;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, FoldedStaleGenerationTest,
                         ::testing::Combine(::testing::Values("halving", "doubling"),
                                            ::testing::Values(0, 2)),
                         [](const auto& info) {
                           return absl::StrCat(std::get<0>(info.param), "_stale_rank",
                                               std::get<1>(info.param));
                         });

// A CollectiveService endpoint that accepts Push streams and never reads from them: a peer
// whose process stopped (flow control fills up and the sender's writes block).
class BlackHoleService final
    : public v1::CollectiveService::WithRawCallbackMethod_Push<v1::CollectiveService::Service> {
 public:
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Push(
      grpc::CallbackServerContext*) override {
    class Reactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
     public:
      void OnCancel() override { Finish(grpc::Status::CANCELLED); }
      void OnDone() override { delete this; }
    };
    return new Reactor;
  }
};

TEST(RingFailureTest, PeerThatStopsReadingEndsInErrorAtTheDeadline) {
  BlackHoleService black_hole;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&black_hole);
  auto hole = builder.BuildAndStart();
  ASSERT_NE(hole, nullptr);
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0"));
  GrpcCommunicatorOptions options;
  options.group = GroupId{"job-1", 1};
  options.rank = 0;
  options.peers = {absl::StrCat("127.0.0.1:", server->port()), absl::StrCat("127.0.0.1:", port)};
  ASSERT_OK_AND_ASSIGN(auto ring, GrpcCommunicator::Create(options, server->service()));
  std::vector<float> data(16 << 20, 1.0f);  // 64 MB: far more than gRPC will buffer
  const auto timeout = std::chrono::seconds(2);
  const auto start = Clock::now();
  absl::Status s = ring->AllReduceSum(data.data(), data.size(), OpOptions::WithTimeout(timeout));
  const auto elapsed = Clock::now() - start;
  EXPECT_THAT(s, IsPeerFailure());
  EXPECT_LT(elapsed, timeout + std::chrono::seconds(3));
  ring.reset();
  hole->Shutdown(std::chrono::system_clock::now());
}

std::string Segment(const std::string& job, uint64_t generation, uint64_t count,
                    size_t payload_bytes) {
  v1::CollectiveHeader h;
  h.set_job_id(job);
  h.set_generation(generation);
  h.set_wire_type(v1::WIRE_TYPE_F32);
  h.set_count(count);
  return EncodeSegmentPrefix(h, payload_bytes) + std::string(payload_bytes, '\0');
}

TEST(CollectiveServiceTest, RefusesBadSegmentsWithClearStatuses) {
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0"));
  server->service()->mailbox().Attach(GroupId{"job-1", 3});
  const std::string address = absl::StrCat("127.0.0.1:", server->port());

  grpc::Status s = RawPush(address, "job-1/3", {Segment("job-1", 3, 4, 16)});
  EXPECT_TRUE(s.ok()) << s.error_message();

  s = RawPush(address, "job-1/3", {"\x01\x02 not a segment"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();

  s = RawPush(address, "job-1/3", {Segment("job-1", 3, 5, 16)});  // count does not fill the payload
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();

  s = RawPush(address, "job-1/2", {Segment("job-1", 2, 4, 16)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("generation 2"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("generation is 3"), std::string::npos) << s.error_message();

  const size_t big = kMaxSegmentPayloadBytes + 1024;
  s = RawPush(address, "job-1/3", {Segment("job-1", 3, big / 4, big)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

// A stream's shared-memory outbox is attached (and its name unlinked) only when its metadata
// holds the outbox's nonce: with another nonce the stream is still served, its payloads on it.
TEST(CollectiveServiceTest, AStreamsOutboxIsAttachedOnlyWithItsNonce) {
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0"));
  server->service()->mailbox().Attach(GroupId{"job-1", 3});
  const std::string address = absl::StrCat("127.0.0.1:", server->port());
  ASSERT_OK_AND_ASSIGN(auto outbox, ShmOutbox::Create(2, 64));
  std::string forged = outbox->metadata();  // "<name> <nonce> <rank>": another nonce
  char& nonce_digit = forged[forged.rfind(' ') - 1];
  nonce_digit = nonce_digit == '0' ? '1' : '0';
  grpc::Status s =
      RawPush(address, "job-1/3", {Segment("job-1", 3, 4, 16)}, "", {{kShmMetadata, forged}});
  EXPECT_TRUE(s.ok()) << "inline segments still go: " << s.error_message();
  EXPECT_FALSE(outbox->attached());

  s = RawPush(address, "job-1/3", {}, "", {{kShmMetadata, outbox->metadata()}});
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(outbox->attached());
  const int fd = shm_open(outbox->name().c_str(), O_RDONLY, 0);
  EXPECT_LT(fd, 0) << "the receiver unlinks the outbox's name once mapped";
  if (fd >= 0) close(fd);
}

TEST(CollectiveServiceTest, FullMailboxIsRefused) {
  CollectiveServerOptions options;
  options.max_buffered_bytes = 4096;
  ASSERT_OK_AND_ASSIGN(auto server, CollectiveServer::Start("127.0.0.1:0", options));
  server->service()->mailbox().Attach(GroupId{"job-1", 1});
  grpc::Status s = RawPush(absl::StrCat("127.0.0.1:", server->port()), "job-1/1",
                           {Segment("job-1", 1, 2048, 8192)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

// DESIGN.md section 8: a segment is accepted only from a member of an announced generation,
// authenticated by the generation's key, never by header fields alone.
class CollectiveAdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CollectiveServerOptions options;
    options.admit_timeout = std::chrono::milliseconds(400);
    ASSERT_OK_AND_ASSIGN(server_, CollectiveServer::Start("127.0.0.1:0", options));
    address_ = absl::StrCat("127.0.0.1:", server_->port());
    mailbox().Attach(GroupId{"job-1", 3}, kKey3);
  }
  Mailbox& mailbox() { return server_->service()->mailbox(); }
  // Whether segment (sequence 0, step 0, segment 0) from rank 0 of `group` was stored.
  bool Stored(const GroupId& group) {
    auto taken = mailbox().TryTake(group, 0, 0, 0, 0);
    return taken.ok() && taken->has_value();
  }

  static constexpr char kKey3[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  static constexpr char kKey4[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  std::unique_ptr<CollectiveServer> server_;
  std::string address_;
};

TEST_F(CollectiveAdmissionTest, TheGroupsKeyAdmitsAStream) {
  grpc::Status s = RawPush(address_, "job-1/3", {Segment("job-1", 3, 4, 16)}, kKey3);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(Stored(GroupId{"job-1", 3}));
}

TEST_F(CollectiveAdmissionTest, AWrongOrMissingKeyIsRefusedAndNothingIsStored) {
  grpc::Status s = RawPush(address_, "job-1/3", {Segment("job-1", 3, 4, 16)}, kKey4);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("not a member"));
  s = RawPush(address_, "job-1/3", {Segment("job-1", 3, 4, 16)}, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  s = RawPush(address_, nullptr, {Segment("job-1", 3, 4, 16)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  s = RawPush(address_, "no-generation", {Segment("job-1", 3, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_FALSE(Stored(GroupId{"job-1", 3}));
  EXPECT_TRUE(mailbox().GroupStatus(GroupId{"job-1", 3}).ok());  // the group goes on
}

TEST_F(CollectiveAdmissionTest, AMemberOfOneGenerationCannotPushIntoAnother) {
  mailbox().Announce(GroupId{"job-1", 4}, kKey4);
  // Generation 3's key on a stream for generation 4.
  grpc::Status s = RawPush(address_, "job-1/4", {Segment("job-1", 4, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // A stream admitted for generation 3 carrying segments of generation 4 (or another job).
  s = RawPush(address_, "job-1/3", {Segment("job-1", 4, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  s = RawPush(address_, "job-1/3", {Segment("other-job", 3, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_FALSE(Stored(GroupId{"job-1", 3}));
  EXPECT_TRUE(mailbox().GroupStatus(GroupId{"job-1", 3}).ok());
}

TEST_F(CollectiveAdmissionTest, AGroupNeverAnnouncedIsRefusedAfterTheWait) {
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = RawPush(address_, "job-9/1", {Segment("job-9", 1, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("not announced"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(350));
}

TEST_F(CollectiveAdmissionTest, AStreamWaitsUnreadUntilItsGroupIsAnnounced) {
  // A peer that heard of generation 4 first: its stream waits, then delivers once this
  // worker hears of it too.
  grpc::Status s;
  std::thread push([&] { s = RawPush(address_, "job-1/4", {Segment("job-1", 4, 4, 16)}, kKey4); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  mailbox().Announce(GroupId{"job-1", 4}, kKey4);
  push.join();
  EXPECT_TRUE(s.ok()) << s.error_message();
  mailbox().Attach(GroupId{"job-1", 4}, kKey4);
  EXPECT_TRUE(Stored(GroupId{"job-1", 4}));
}

// A peer that starts the next job while this worker still finishes the last one: the next
// job's segments, admitted by its announced key, wait beside the current job's (same
// generation, sequence, step, segment and rank: no collision) until the next job attaches.
TEST_F(CollectiveAdmissionTest, TheNextJobsSegmentsWaitWhileThisJobFinishes) {
  mailbox().Announce(GroupId{"job-2", 3}, kKey4);
  grpc::Status s = RawPush(address_, "job-2/3", {Segment("job-2", 3, 4, 16)}, kKey4);
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = RawPush(address_, "job-1/3", {Segment("job-1", 3, 4, 16)}, kKey3);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(Stored(GroupId{"job-1", 3}));
  EXPECT_FALSE(Stored(GroupId{"job-1", 3})) << "taken once";
  mailbox().Attach(GroupId{"job-2", 3}, kKey4);
  EXPECT_TRUE(Stored(GroupId{"job-2", 3}));
  // Job 1 is no longer served: its streams are refused now.
  s = RawPush(address_, "job-1/3", {Segment("job-1", 3, 4, 16)}, kKey3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

TEST(MailboxTest, AnnouncementsAreBoundedAndDroppedWhenStale) {
  Mailbox mailbox(1 << 20);
  for (uint64_t g = 1; g <= Mailbox::kMaxAnnounced + 4; ++g) {
    mailbox.Announce(GroupId{"job-1", g}, "k" + std::to_string(g));
  }
  // The oldest announcements fell out; the newest are kept.
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 1}, "k1"), IsOkAndHolds(false));
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 20}, "k20"), IsOkAndHolds(true));
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 20}, "k19"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  mailbox.Attach(GroupId{"job-1", 19}, "k19");
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 18}, "k18"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 20}, "k20"), IsOkAndHolds(true));
  mailbox.Attach(GroupId{"job-2", 1}, "j2");  // another job: job-1's announcements go
  EXPECT_THAT(mailbox.Admit(GroupId{"job-1", 20}, "k20"), IsOkAndHolds(false));
  EXPECT_THAT(mailbox.Admit(GroupId{"job-2", 1}, "j2"), IsOkAndHolds(true));
}

}  // namespace
}  // namespace tandem::collective
