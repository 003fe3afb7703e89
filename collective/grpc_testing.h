// Test helpers for the gRPC collective: rings of real servers on 127.0.0.1 (ranks as threads
// of one process, each with its own server and channel) and raw Push streams.
#ifndef TANDEM_COLLECTIVE_GRPC_TESTING_H_
#define TANDEM_COLLECTIVE_GRPC_TESTING_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "collective/grpc_ring.h"

namespace tandem::collective::testing {

struct TestRing {
  std::vector<std::unique_ptr<CollectiveServer>> servers;
  std::vector<std::unique_ptr<RingCommunicator>> ranks;
  std::vector<std::string> addresses;

  // Communicators go first so their streams close cleanly before the servers stop.
  ~TestRing() {
    ranks.clear();
    servers.clear();
  }
};

// Starts `n` servers on 127.0.0.1 with system-chosen ports and a ring over them. Ranks may use
// different groups (`group_of(rank)`) to test generation checks; `configure` may change the
// remaining options (e.g. force an algorithm).
inline std::unique_ptr<TestRing> MakeTestRing(
    int n, size_t segment_bytes = 512 << 10,
    std::function<GroupId(int)> group_of = [](int) { return GroupId{"job-1", 1}; },
    size_t direct_max_bytes = RingOptions().direct_max_bytes,
    const std::function<void(RingOptions&)>& configure = nullptr) {
  auto ring = std::make_unique<TestRing>();
  for (int r = 0; r < n; ++r) {
    auto server = CollectiveServer::Start("127.0.0.1:0");
    if (!server.ok()) return nullptr;
    ring->addresses.push_back(absl::StrCat("127.0.0.1:", (*server)->port()));
    ring->servers.push_back(std::move(*server));
  }
  for (int r = 0; r < n; ++r) {
    RingOptions options;
    options.group = group_of(r);
    options.rank = r;
    options.peers = ring->addresses;
    options.segment_bytes = segment_bytes;
    options.direct_max_bytes = direct_max_bytes;
    if (configure) configure(options);
    auto comm = RingCommunicator::Create(options, ring->servers[r]->service());
    if (!comm.ok()) return nullptr;
    ring->ranks.push_back(std::move(*comm));
  }
  return ring;
}

// Runs fn(rank) on one thread per rank; returns their statuses in rank order.
inline std::vector<absl::Status> RunRanks(int n, const std::function<absl::Status(int)>& fn) {
  std::vector<absl::Status> statuses(n);
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) threads.emplace_back([&, r] { statuses[r] = fn(r); });
  for (auto& t : threads) t.join();
  return statuses;
}

// Opens a Push stream to `address`, writes `messages` as raw bytes, and returns the status the
// server ended the stream with.
inline grpc::Status RawPush(const std::string& address, const std::vector<std::string>& messages) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  grpc::internal::RpcMethod method("/tandem.v1.CollectiveService/Push",
                                   grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> writer(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &ctx));
  for (const std::string& m : messages) {
    grpc::Slice slice(m);
    if (!writer->Write(grpc::ByteBuffer(&slice, 1))) break;
  }
  writer->WritesDone();
  grpc::ByteBuffer ignored;
  while (writer->Read(&ignored)) {
  }
  return writer->Finish();
}

}  // namespace tandem::collective::testing

#endif  // TANDEM_COLLECTIVE_GRPC_TESTING_H_
