#include "collective/reachability.h"

#include <grpcpp/grpcpp.h>

#include <thread>

#include "tandem/v1/collective_service.grpc.pb.h"

namespace tandem::collective {

std::vector<int> UnreachablePeers(const std::vector<std::string>& peers, int self,
                                  const TransportSecurity& security,
                                  std::chrono::milliseconds deadline) {
  const int n = static_cast<int>(peers.size());
  std::vector<char> reached(static_cast<size_t>(n), 0);
  std::vector<std::thread> probes;
  for (int r = 0; r < n; ++r) {
    if (r == self) continue;
    probes.emplace_back([&, r] {
      grpc::ChannelArguments args;
      // A channel of its own: never shared with (or reusing the backoff of) the streams.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      if (security.tls()) args.SetSslTargetNameOverride(kWorkerServerName);
      auto channel = grpc::CreateCustomChannel(peers[static_cast<size_t>(r)],
                                               security.ChannelCredentials(), args);
      auto stub = v1::CollectiveService::NewStub(channel);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + deadline);
      ctx.set_wait_for_ready(true);  // a slow handshake is not a failure before the deadline
      v1::PingRequest request;
      v1::PingResponse response;
      reached[static_cast<size_t>(r)] = stub->Ping(&ctx, request, &response).ok() ? 1 : 0;
    });
  }
  for (std::thread& t : probes) t.join();
  std::vector<int> out;
  for (int r = 0; r < n; ++r) {
    if (r != self && !reached[static_cast<size_t>(r)]) out.push_back(r);
  }
  return out;
}

}  // namespace tandem::collective
