// TransportSecurity with real certificates (scripts/make-certs.sh) and real gRPC servers on
// 127.0.0.1: who can connect, which names are verified, and which role a server sees.
#include "common/transport_security.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/grpc_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tandem/v1/job_service.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

TEST(IsLoopbackAddressTest, OnlyAddressesThatStayOnThisMachine) {
  for (const char* a : {"127.0.0.1:7400", "127.0.0.1:0", "127.1.2.3:1", "localhost:7400",
                        "[::1]:7400", "unix:/tmp/x.sock", "unix-abstract:x", "ipv4:127.0.0.1:5"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0:7400", "[::]:7400", ":7400", "10.0.0.1:7400", "example.com:1",
                        "128.0.0.1:1", "127.0.0.256:1", "127.0.0:1", "127.0.0.1.5:1",
                        "localhost.example.com:1", "[::1:1", "", "127.0.0.-1:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(CheckListenTest, AddressesNeedAHostAndAPortInRange) {
  for (const std::string ok : {"127.0.0.1:0", "0.0.0.0:65535", "[::1]:7400", "localhost:1",
                               "unix:/tmp/tandem.sock"}) {
    EXPECT_OK(CheckListenAddress("--listen", ok)) << ok;
  }
  for (const std::string bad : {"127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:-1",
                                "127.0.0.1:", ":7400", "[]:7400", "127.0.0.1", "127.0.0.1:7e3",
                                "127.0.0.1:0000080000", "unix:", ""}) {
    EXPECT_THAT(CheckListenAddress("--listen", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         ::testing::AllOf(HasSubstr("--listen " + bad), HasSubstr("0 to 65535"))))
        << bad;
  }
  // CheckListen checks the address first, with TLS or without.
  EXPECT_THAT(TransportSecurity().CheckListen("--listen", "127.0.0.1:99999"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CheckListenTest, PlaintextOffLoopbackNeedsInsecure) {
  const TransportSecurity plain;
  EXPECT_TRUE(plain.CheckListen("--listen", "127.0.0.1:0").ok());
  EXPECT_THAT(plain.CheckListen("--listen", "0.0.0.0:7400"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::AllOf(HasSubstr("--listen 0.0.0.0:7400"), HasSubstr("--tls_ca"),
                                        HasSubstr("--insecure"))));
  auto insecure = TransportSecurity::Load({}, true, /*insecure=*/true);
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE(insecure->insecure());
  EXPECT_TRUE(insecure->CheckListen("--listen", "0.0.0.0:7400").ok());
  EXPECT_THAT(CheckPlaintextListen("--metrics_listen", "[::]:9100", false),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--metrics_listen")));
  EXPECT_TRUE(CheckPlaintextListen("--metrics_listen", "[::]:9100", true).ok());
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    ASSERT_TRUE(testing::MakeCertificates(dir_->Join("a")));
    ASSERT_TRUE(testing::MakeCertificates(dir_->Join("b")));  // another deployment's CA
  }
  static void TearDownTestSuite() { delete dir_; }

  static TlsFiles Files(const std::string& ca_dir, const std::string& cert_dir,
                        const std::string& who) {
    return {dir_->Join(ca_dir + "/ca.pem"), who.empty() ? "" : dir_->Join(cert_dir + "/" + who + ".pem"),
            who.empty() ? "" : dir_->Join(cert_dir + "/" + who + ".key")};
  }
  static TransportSecurity Load(const TlsFiles& files) {
    auto s = TransportSecurity::Load(files, false, false);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : TransportSecurity();
  }

  static testing::TempDir* dir_;
};
testing::TempDir* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, LoadNamesTheFlagAndFileOfEveryMistake) {
  EXPECT_THAT(TransportSecurity::Load({"", dir_->Join("a/worker.pem"), dir_->Join("a/worker.key")},
                                      true, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_ca is required")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/ca.pem"), dir_->Join("a/worker.pem"), ""},
                                      true, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("go together")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/ca.pem"), "", ""}, /*need_certificate=*/true,
                                      false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_cert and --tls_key")));
  EXPECT_THAT(TransportSecurity::Load(Files("a", "a", "worker"), true, /*insecure=*/true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--insecure")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/missing.pem"), "", ""}, false, false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("--tls_ca"), HasSubstr("missing.pem"))));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/client.token"), "", ""}, false, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no PEM certificate")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/ca.pem"), dir_->Join("a/worker.key"),
                                       dir_->Join("a/worker.key")},
                                      true, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls_cert")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/ca.pem"), dir_->Join("a/worker.pem"),
                                       dir_->Join("a/worker.pem")},
                                      true, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no unencrypted PEM")));
  EXPECT_THAT(TransportSecurity::Load({dir_->Join("a/ca.pem"), dir_->Join("a/worker.pem"),
                                       dir_->Join("a/client.key")},
                                      true, false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not the key")));
  auto client = TransportSecurity::Load({dir_->Join("a/ca.pem"), "", ""}, false, false);
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_TRUE(client->tls());
}

// Answers ListWorkers with one worker whose id is the role of the caller's certificate.
class RoleEcho final : public v1::JobService::Service {
  grpc::Status ListWorkers(grpc::ServerContext* ctx, const v1::ListWorkersRequest*,
                           v1::ListWorkersResponse* resp) override {
    resp->add_workers()->set_id("role:" + PeerRole(*ctx->auth_context()));
    return grpc::Status::OK;
  }
};

class Server {
 public:
  Server(const TransportSecurity& security, ClientCertificates mode) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", security.ServerCredentials(mode), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~Server() { server_->Shutdown(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  RoleEcho service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// The role the server saw, or the call's error.
absl::StatusOr<std::string> Call(const std::string& address, const TransportSecurity& security,
                                 const std::string& server_name = "") {
  auto stub = v1::JobService::NewStub(MakeChannel(address, security, server_name));
  auto ctx = ContextWithDeadline(std::chrono::seconds(5));
  v1::ListWorkersResponse resp;
  grpc::Status s = stub->ListWorkers(ctx.get(), v1::ListWorkersRequest(), &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.workers(0).id();
}

TEST_F(TlsTest, OptionalClientCertificatesTellTheRole) {
  Server server(Load(Files("a", "a", "coordinator")), ClientCertificates::kOptional);
  EXPECT_THAT(Call(server.address(), Load(Files("a", "a", ""))), testing::IsOkAndHolds("role:"));
  EXPECT_THAT(Call(server.address(), Load(Files("a", "a", "worker"))),
              testing::IsOkAndHolds("role:worker"));
  EXPECT_THAT(Call(server.address(), Load(Files("a", "a", "client"))),
              testing::IsOkAndHolds("role:client"));
  // A certificate from another CA is not accepted, even where certificates are optional.
  EXPECT_FALSE(Call(server.address(), Load(Files("a", "b", "worker"))).ok());
  // The client does not trust a server whose certificate another CA signed.
  EXPECT_FALSE(Call(server.address(), Load(Files("b", "b", ""))).ok());
  // Plaintext cannot talk to a TLS port.
  EXPECT_FALSE(Call(server.address(), TransportSecurity()).ok());
}

TEST_F(TlsTest, MutualTlsRefusesPeersWithoutACertificateOfTheCa) {
  Server server(Load(Files("a", "a", "worker")), ClientCertificates::kRequired);
  EXPECT_THAT(Call(server.address(), Load(Files("a", "a", "worker")), kWorkerServerName),
              testing::IsOkAndHolds("role:worker"));
  EXPECT_FALSE(Call(server.address(), Load(Files("a", "a", "")), kWorkerServerName).ok());
  EXPECT_FALSE(Call(server.address(), Load(Files("a", "b", "worker")), kWorkerServerName).ok());
  EXPECT_FALSE(Call(server.address(), TransportSecurity()).ok());
}

TEST_F(TlsTest, ChannelsVerifyTheServerName) {
  // Worker certificates name tandem-worker; a coordinator's certificate does not.
  Server coordinator(Load(Files("a", "a", "coordinator")), ClientCertificates::kRequired);
  EXPECT_FALSE(Call(coordinator.address(), Load(Files("a", "a", "worker")), kWorkerServerName).ok());
  EXPECT_TRUE(Call(coordinator.address(), Load(Files("a", "a", "worker"))).ok());  // 127.0.0.1
  EXPECT_FALSE(Call(coordinator.address(), Load(Files("a", "a", "worker")), "other.example").ok());
}

TEST_F(TlsTest, MakeCertsAddsHostsToTheSameCa) {
  ASSERT_TRUE(testing::MakeCertificates(dir_->Join("a"), "--coordinator-host coord.example"));
  Server server(Load(Files("a", "a", "coordinator")), ClientCertificates::kOptional);
  EXPECT_TRUE(Call(server.address(), Load(Files("a", "a", "")), "coord.example").ok());
  EXPECT_FALSE(Call(server.address(), Load(Files("a", "a", "")), "other.example").ok());
}

}  // namespace
}  // namespace tandem
