// Failures of the gRPC ring: a dead or silent peer ends the operation on every survivor
// within its deadline; stale, malformed and oversized segments are refused.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collective/grpc_ring.h"

#include "collective/grpc_testing.h"
#include "collective/wire.h"

namespace tandem::collective {
namespace {

using testing::MakeTestRing;
using testing::RawPush;
using testing::RunRanks;

bool IsPeerFailure(const absl::Status& s) {
  return s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kUnavailable;
}

TEST(RingFailureTest, SilentPeerEndsInErrorAtTheDeadlineOnEverySurvivor) {
  const int n = 3;
  auto ring = MakeTestRing(n);
  ASSERT_NE(ring, nullptr);
  const auto timeout = std::chrono::milliseconds(1500);
  const auto start = Clock::now();
  // Rank 2 is alive (its server answers) but never joins the operation.
  auto statuses = RunRanks(n - 1, [&](int r) {
    std::vector<float> data(100000, 1.0f);
    return ring->ranks[r]->AllReduceSum(data.data(), data.size(), OpOptions::WithTimeout(1, timeout));
  });
  const auto elapsed = Clock::now() - start;
  for (int r = 0; r < n - 1; ++r) {
    EXPECT_TRUE(IsPeerFailure(statuses[r])) << "rank " << r << ": " << statuses[r];
    EXPECT_NE(statuses[r].message().find("rank"), std::string::npos) << statuses[r];
  }
  // Rank 0 waits on rank 2, the silent one, and names it.
  EXPECT_NE(statuses[0].message().find(ring->addresses[2]), std::string::npos) << statuses[0];
  EXPECT_LT(elapsed, timeout + std::chrono::seconds(2));
  // The communicator stays broken: the next operation fails at once.
  std::vector<float> data(10);
  EXPECT_FALSE(ring->ranks[0]->AllReduceSum(data.data(), 10, OpOptions::WithTimeout(2, timeout)).ok());
}

// (world size, algorithm): the ring on 2 and 4 ranks, the pair exchange on 2, recursive
// doubling and halving-doubling on 4.
class PeerKilledTest : public ::testing::TestWithParam<std::tuple<int, std::string>> {};

TEST_P(PeerKilledTest, PeerKilledMidOperationFailsEverySurvivorBeforeTheDeadline) {
  const auto [n, algorithm] = GetParam();
  auto ring = MakeTestRing(n, 512 << 10, [](int) { return GroupId{"job-1", 1}; },
                           RingOptions().direct_max_bytes, [algorithm = algorithm](RingOptions& o) {
                             if (algorithm == "ring") {
                               o.pair_exchange = false;
                               o.halving_max_bytes = 0;
                             } else if (algorithm == "pair" || algorithm == "doubling") {
                               o.pair_max_bytes = size_t{1} << 40;
                               o.doubling_max_bytes = size_t{1} << 40;
                             }  // "halving": the default for 64 MB on 4 ranks
                           });
  ASSERT_NE(ring, nullptr);
  const size_t count = 16 << 20;  // 64 MB per rank: long enough to be cut in the middle
  EXPECT_EQ(std::string(ring->ranks[0]->AllReduceAlgorithm(count)), algorithm);
  std::vector<std::vector<float>> data(n, std::vector<float>(count, 1.0f));
  // A first operation opens every stream.
  auto warm = RunRanks(n, [&](int r) {
    return ring->ranks[r]->AllReduceSum(data[r].data(), 1000, OpOptions::WithTimeout(1, std::chrono::seconds(10)));
  });
  for (const auto& s : warm) ASSERT_TRUE(s.ok()) << s;

  const auto timeout = std::chrono::seconds(10);
  const auto start = Clock::now();
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ring->servers[n - 1]->Shutdown();  // the last rank's endpoint dies mid-operation
  });
  auto statuses = RunRanks(n, [&](int r) {
    return ring->ranks[r]->AllReduceSum(data[r].data(), count, OpOptions::WithTimeout(2, timeout));
  });
  killer.join();
  const auto elapsed = Clock::now() - start;
  for (int r = 0; r < n; ++r) {
    EXPECT_TRUE(IsPeerFailure(statuses[r])) << "rank " << r << ": " << statuses[r];
  }
  // Failure spreads along the broken streams: nobody waits for the deadline.
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  // Someone names the dead rank (a rank that writes to it, or one whose stream from it broke).
  bool named = false;
  std::string all;
  for (int r = 0; r < n - 1; ++r) {
    named = named || statuses[r].message().find(ring->addresses[n - 1]) != std::string::npos;
    all += statuses[r].ToString() + "\n";
  }
  EXPECT_TRUE(named) << all;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, PeerKilledTest,
                         ::testing::Values(std::make_tuple(4, "ring"), std::make_tuple(2, "ring"),
                                           std::make_tuple(2, "pair"), std::make_tuple(4, "doubling"),
                                           std::make_tuple(4, "halving")),
                         [](const auto& info) {
                           return absl::StrCat("n", std::get<0>(info.param), "_",
                                               std::get<1>(info.param));
                         });

// A worker that moves to a new generation fails the old group's mailbox: an operation still
// waiting on peers that never came up returns at once, not at its deadline, whether it waits
// to receive (pair exchange, halving-doubling on 4 ranks, which sends ahead and then waits
// for its partner's segments), for its own sends to go out first (recursive doubling on 4
// ranks), or only sends (the root of a broadcast).
enum class DeadPeerOp { kPair, kDoubling, kHalving, kBroadcastRoot };

class DeadPeerTest : public ::testing::TestWithParam<DeadPeerOp> {};

TEST_P(DeadPeerTest, FailingTheGroupEndsAnOperationWaitingOnADeadPeer) {
  const DeadPeerOp op = GetParam();
  auto server = CollectiveServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  CollectiveService* service = (*server)->service();
  // A port with nothing behind it: a server started and shut down.
  auto gone = CollectiveServer::Start("127.0.0.1:0");
  ASSERT_TRUE(gone.ok());
  const std::string dead = absl::StrCat("127.0.0.1:", (*gone)->port());
  gone->reset();
  RingOptions options;
  options.group = {"job-x", 7};
  options.rank = 0;
  options.peers = {absl::StrCat("127.0.0.1:", (*server)->port()), dead};
  if (op == DeadPeerOp::kDoubling || op == DeadPeerOp::kHalving) {
    options.peers = {options.peers[0], dead, dead, dead};
  }
  if (op == DeadPeerOp::kHalving) {
    options.doubling_max_bytes = 0;
    options.direct_max_bytes = 0;
  }
  auto ring = RingCommunicator::Create(options, service);
  ASSERT_TRUE(ring.ok()) << ring.status();
  if (op == DeadPeerOp::kPair) EXPECT_STREQ((*ring)->AllReduceAlgorithm(1000), "pair");
  if (op == DeadPeerOp::kDoubling) EXPECT_STREQ((*ring)->AllReduceAlgorithm(1000), "doubling");
  if (op == DeadPeerOp::kHalving) EXPECT_STREQ((*ring)->AllReduceAlgorithm(1000), "halving");
  const auto start = Clock::now();
  std::thread fail([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    service->mailbox().Fail(options.group, absl::CancelledError("moved to generation 8"));
  });
  std::vector<float> data(1000, 1.0f);
  const OpOptions o = OpOptions::WithTimeout(1, std::chrono::seconds(60));
  absl::Status s = op == DeadPeerOp::kBroadcastRoot
                       ? (*ring)->Broadcast(data.data(), data.size(), /*root=*/0, o)
                       : (*ring)->AllReduceSum(data.data(), data.size(), o);
  fail.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled) << s;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

INSTANTIATE_TEST_SUITE_P(Ops, DeadPeerTest,
                         ::testing::Values(DeadPeerOp::kPair, DeadPeerOp::kDoubling,
                                           DeadPeerOp::kHalving, DeadPeerOp::kBroadcastRoot),
                         [](const auto& info) {
                           switch (info.param) {
                             case DeadPeerOp::kPair: return std::string("pair");
                             case DeadPeerOp::kDoubling: return std::string("doubling");
                             case DeadPeerOp::kHalving: return std::string("halving");
                             case DeadPeerOp::kBroadcastRoot: return std::string("broadcast_root");
                           }
                           return std::string("?");
                         });

TEST(RingFailureTest, StaleGenerationIsRefusedNamingBothGenerations) {
  // Rank 0 still runs generation 4; rank 1 has moved on to generation 5.
  auto ring = MakeTestRing(2, 512 << 10, [](int r) { return GroupId{"job-1", r == 0 ? 4u : 5u}; });
  ASSERT_NE(ring, nullptr);
  auto statuses = RunRanks(2, [&](int r) {
    std::vector<float> data(1000, 1.0f);
    return ring->ranks[r]->AllReduceSum(
        data.data(), data.size(), OpOptions::WithTimeout(1, std::chrono::milliseconds(r == 0 ? 10000 : 500)));
  });
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kFailedPrecondition) << statuses[0];
  EXPECT_NE(statuses[0].message().find("stale generation"), std::string::npos) << statuses[0];
  EXPECT_NE(statuses[0].message().find("generation 4"), std::string::npos) << statuses[0];
  EXPECT_NE(statuses[0].message().find("generation is 5"), std::string::npos) << statuses[0];
  EXPECT_FALSE(statuses[1].ok());
}

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
  auto server = CollectiveServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  RingOptions options;
  options.group = GroupId{"job-1", 1};
  options.rank = 0;
  options.peers = {absl::StrCat("127.0.0.1:", (*server)->port()), absl::StrCat("127.0.0.1:", port)};
  auto ring = RingCommunicator::Create(options, (*server)->service());
  ASSERT_TRUE(ring.ok()) << ring.status();
  std::vector<float> data(16 << 20, 1.0f);  // 64 MB: far more than gRPC will buffer
  const auto timeout = std::chrono::seconds(2);
  const auto start = Clock::now();
  absl::Status s = (*ring)->AllReduceSum(data.data(), data.size(), OpOptions::WithTimeout(1, timeout));
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(IsPeerFailure(s)) << s;
  EXPECT_LT(elapsed, timeout + std::chrono::seconds(3));
  ring->reset();
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
  auto server = CollectiveServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->service()->mailbox().Attach(GroupId{"job-1", 3});
  const std::string address = absl::StrCat("127.0.0.1:", (*server)->port());

  grpc::Status s = RawPush(address, {Segment("job-1", 3, 4, 16)});
  EXPECT_TRUE(s.ok()) << s.error_message();

  s = RawPush(address, {"\x01\x02 not a segment"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();

  s = RawPush(address, {Segment("job-1", 3, 5, 16)});  // count does not fill the payload
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();

  s = RawPush(address, {Segment("job-1", 2, 4, 16)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("generation 2"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("generation is 3"), std::string::npos) << s.error_message();

  s = RawPush(address, {Segment("other-job", 3, 4, 16)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();

  const size_t big = kMaxSegmentPayloadBytes + 1024;
  s = RawPush(address, {Segment("job-1", 3, big / 4, big)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

TEST(CollectiveServiceTest, FullMailboxIsRefused) {
  auto server = CollectiveServer::Start("127.0.0.1:0", nullptr, /*max_buffered_bytes=*/4096);
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->service()->mailbox().Attach(GroupId{"job-1", 1});
  grpc::Status s =
      RawPush(absl::StrCat("127.0.0.1:", (*server)->port()), {Segment("job-1", 1, 2048, 8192)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

}  // namespace
}  // namespace tandem::collective
