// Test helpers for the gRPC collective: groups of real servers on 127.0.0.1 (ranks as threads
// of one process, each with its own server and channel) and raw Push streams. Header-only,
// like collective_testing.h.
#ifndef TANDEM_TESTS_TESTING_GRPC_COLLECTIVE_TESTING_H_
#define TANDEM_TESTS_TESTING_GRPC_COLLECTIVE_TESTING_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "collective/grpc_communicator.h"
#include "common/status.h"
#include "tests/testing/collective_testing.h"

namespace tandem::collective::testing {

struct TestGroup {
  std::vector<std::unique_ptr<CollectiveServer>> servers;
  std::vector<std::unique_ptr<GrpcCommunicator>> ranks;
  std::vector<std::string> addresses;

  // Communicators go first so their streams close cleanly before the servers stop.
  ~TestGroup() {
    ranks.clear();
    servers.clear();
  }
};

// Starts `n` servers on 127.0.0.1 with system-chosen ports and a communicator of group
// ("job-1", 1) over them for each rank. `configure(rank, options)` may change a rank's
// options: its group (to test generation checks), the segment size, thresholds (to force an
// algorithm). Every server gets `server_options` (e.g. a smaller mailbox).
inline absl::StatusOr<std::unique_ptr<TestGroup>> MakeTestGroup(
    int n, const std::function<void(int, GrpcCommunicatorOptions&)>& configure = nullptr,
    const CollectiveServerOptions& server_options = {}) {
  auto group = std::make_unique<TestGroup>();
  for (int r = 0; r < n; ++r) {
    TANDEM_ASSIGN_OR_RETURN(auto server, CollectiveServer::Start("127.0.0.1:0", server_options));
    group->addresses.push_back(absl::StrCat("127.0.0.1:", server->port()));
    group->servers.push_back(std::move(server));
  }
  for (int r = 0; r < n; ++r) {
    GrpcCommunicatorOptions options;
    options.group = GroupId{"job-1", 1};
    options.rank = r;
    options.peers = group->addresses;
    if (configure) configure(r, options);
    TANDEM_ASSIGN_OR_RETURN(auto comm,
                            GrpcCommunicator::Create(options, group->servers[r]->service()));
    group->ranks.push_back(std::move(comm));
  }
  return group;
}

// Opens a Push stream to `address` naming `group` ("job/generation"; nullptr: no group
// metadata) and presenting `key` (and `extra_metadata`), writes `messages` as raw bytes, and
// returns the status the server ended the stream with.
inline grpc::Status RawPush(
    const std::string& address, const char* group, const std::vector<std::string>& messages,
    const std::string& key = "",
    const std::vector<std::pair<std::string, std::string>>& extra_metadata = {}) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  grpc::internal::RpcMethod method("/tandem.v1.CollectiveService/Push",
                                   grpc::internal::RpcMethod::BIDI_STREAMING, channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (group != nullptr) {
    ctx.AddMetadata(kGroupMetadata, group);
    ctx.AddMetadata(kGroupKeyMetadata, key);
  }
  for (const auto& [name, value] : extra_metadata) ctx.AddMetadata(name, value);
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

#endif  // TANDEM_TESTS_TESTING_GRPC_COLLECTIVE_TESTING_H_
