#include "worker/collective_server.h"

#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "common/grpc_util.h"
#include "tandem/v1/collective_service.grpc.pb.h"

namespace tandem {
namespace {

class CollectiveServiceImpl final : public v1::CollectiveService::CallbackService {
 public:
  explicit CollectiveServiceImpl(std::function<std::string()> worker_id)
      : worker_id_(std::move(worker_id)) {}
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* ctx, const v1::PingRequest*,
                                 v1::PingResponse* response) override {
    response->set_worker_id(worker_id_());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  std::function<std::string()> worker_id_;
};

}  // namespace

struct CollectiveServer::Impl {
  std::unique_ptr<CollectiveServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

CollectiveServer::CollectiveServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CollectiveServer::~CollectiveServer() { Shutdown(); }
int CollectiveServer::port() const { return impl_->port; }

void CollectiveServer::Shutdown() {
  if (impl_->server) {
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    impl_->server.reset();
  }
}

absl::StatusOr<std::unique_ptr<CollectiveServer>> CollectiveServer::Start(
    const std::string& address, std::function<std::string()> worker_id) {
  auto impl = std::make_unique<Impl>();
  impl->service = std::make_unique<CollectiveServiceImpl>(std::move(worker_id));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &impl->port);
  builder.RegisterService(impl->service.get());
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  return std::unique_ptr<CollectiveServer>(new CollectiveServer(std::move(impl)));
}

}  // namespace tandem
