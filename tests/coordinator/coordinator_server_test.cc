// The CoordinatorServer in-process, as tandem-coordinator builds it: both services on one
// system-chosen port on 127.0.0.1, translation wired, the port file, recovery of its data
// directory after a restart, and an orderly shutdown; and the binary's flags and signals.
#include "coordinator/coordinator_server.h"

#include <unistd.h>

#include <signal.h>

#include <memory>

#include "client/job_client.h"
#include "common/grpc_util.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tandem/v1/control_service.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

class CoordinatorServerTest : public ::testing::Test {
 protected:
  CoordinatorServerOptions Options() {
    CoordinatorServerOptions o;
    o.coordinator.data_dir = dir_.Join("coord");
    o.coordinator.heartbeat_interval = std::chrono::milliseconds(250);
    o.listen = "127.0.0.1:0";
    o.metrics_listen = "";
    o.port_file = dir_.Join("port");
    return o;
  }

  // A worker's ControlService.Join to the coordinator on `port`.
  static absl::StatusOr<v1::JoinResponse> JoinOverGrpc(int port) {
    auto control = v1::ControlService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(port)));
    auto ctx = ContextWithDeadline(std::chrono::seconds(5));
    v1::JoinRequest join;
    join.set_address("127.0.0.1:1001");
    v1::JoinResponse joined;
    TANDEM_RETURN_IF_ERROR(FromGrpcStatus(control->Join(ctx.get(), join, &joined)));
    return joined;
  }

  testing::TempDir dir_;
};

TEST_F(CoordinatorServerTest, ServesBothServicesAndWritesThePortFile) {
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(Options()));
  ASSERT_GT(server->port(), 0);
  EXPECT_EQ(testing::ReadText(dir_.Join("port")), std::to_string(server->port()) + "\n");
  EXPECT_EQ(server->metrics_port(), 0) << "disabled";
  const std::string address = "127.0.0.1:" + std::to_string(server->port());

  // ControlService: a worker joins and learns the heartbeat interval.
  ASSERT_OK_AND_ASSIGN(const v1::JoinResponse joined, JoinOverGrpc(server->port()));
  EXPECT_EQ(joined.heartbeat_interval_ms(), 250u);

  // JobService: the same coordinator's state; translation goes to the ModelServer.
  JobClient client(address, std::chrono::seconds(5));
  ASSERT_OK_AND_ASSIGN(const auto workers, client.Workers());
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].id(), joined.worker_id());
  v1::TranslateRequest translate;
  translate.set_job_id("job-999999");
  translate.add_sentences("the dog sings");
  EXPECT_THAT(client.Translate(translate),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("job-999999")));

  server->Shutdown();
  server->Shutdown();  // idempotent
  JobClient after(address, std::chrono::seconds(2));
  EXPECT_THAT(after.Workers(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(CoordinatorServerTest, ARestartedServerRecoversItsDataDirectory) {
  testing::WriteToyCorpus(dir_.path(), 200);
  v1::JobSpec spec;
  spec.mutable_corpus()->set_train_source(dir_.Join("train.en"));
  spec.mutable_corpus()->set_train_target(dir_.Join("train.es"));
  spec.mutable_tokenizer()->set_vocab_size(40);
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(Options()));
    JobClient client("127.0.0.1:" + std::to_string(server->port()), std::chrono::seconds(5));
    ASSERT_OK_AND_ASSIGN(id, client.Submit(spec));
    // The scheduling thread runs: the job is prepared and waits for workers.
    ASSERT_TRUE(testing::WaitFor(
        [&] {
          auto job = client.Get(id);
          return job.ok() && job->state() == v1::JOB_STATE_WAITING_FOR_WORKERS;
        },
        std::chrono::seconds(60)));
  }
  ASSERT_OK_AND_ASSIGN(auto server, CoordinatorServer::Start(Options()));
  JobClient client("127.0.0.1:" + std::to_string(server->port()), std::chrono::seconds(5));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, client.Get(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_WAITING_FOR_WORKERS);
  EXPECT_GT(job.shards_size(), 0);
}

TEST_F(CoordinatorServerTest, StartErrorsAreClear) {
  CoordinatorServerOptions no_dir = Options();
  no_dir.coordinator.data_dir = "";
  EXPECT_THAT(CoordinatorServer::Start(no_dir),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("data_dir")));
  CoordinatorServerOptions bad_port_file = Options();
  bad_port_file.port_file = dir_.Join("no/such/dir/port");
  EXPECT_FALSE(CoordinatorServer::Start(bad_port_file).ok());
}

// One coordinator per data directory and per port; listen addresses are checked.
TEST_F(CoordinatorServerTest, OneCoordinatorPerDataDirectoryAndPerPort) {
  ASSERT_OK_AND_ASSIGN(auto first, CoordinatorServer::Start(Options()));
  // The same data directory: refused, naming the holder's PID.
  CoordinatorServerOptions same_dir = Options();
  same_dir.port_file = "";
  EXPECT_THAT(CoordinatorServer::Start(same_dir),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::AllOf(HasSubstr("another coordinator uses this --data_dir"),
                                        HasSubstr("LOCK is locked by process " +
                                                  std::to_string(::getpid())))));
  // The same port, another directory: refused (no port sharing).
  CoordinatorServerOptions same_port = Options();
  same_port.coordinator.data_dir = dir_.Join("coord2");
  same_port.port_file = "";
  same_port.listen = "127.0.0.1:" + std::to_string(first->port());
  EXPECT_THAT(CoordinatorServer::Start(same_port),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot listen")));
  // Ports out of range and malformed addresses.
  for (const std::string bad : {"127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:", ":7400",
                                "127.0.0.1:74x0", "127.0.0.1"}) {
    CoordinatorServerOptions o = same_port;
    o.listen = bad;
    EXPECT_THAT(CoordinatorServer::Start(o),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--listen " + bad)))
        << bad;
  }
  // The first still serves; once it is gone, its directory can be opened again.
  EXPECT_OK(JoinOverGrpc(first->port()));
  first.reset();
  EXPECT_OK(CoordinatorServer::Start(Options()));
}

// tandem-coordinator takes `--name value` and `--name=value` (and dashes for underscores),
// explains bad flags, and shuts down cleanly on SIGTERM.
TEST_F(CoordinatorServerTest, BinaryTakesBothFlagFormsAndStopsOnSigterm) {
  const std::string bin = testing::BinDir() + "/tandem-coordinator";
  testing::ChildProcess help({bin, "--help"}, dir_.Join("help.out"));
  ASSERT_EQ(help.Wait(std::chrono::seconds(30)), 0);
  EXPECT_THAT(testing::ReadText(dir_.Join("help.out")),
              ::testing::ContainsRegex("--worker_timeout_ms MS +a worker silent this long is "
                                       "declared lost"));
  EXPECT_THAT(testing::ReadText(dir_.Join("help.out")),
              ::testing::AllOf(HasSubstr("--tls_ca FILE"), HasSubstr("--client_token_file [USER=]FILE"),
                               HasSubstr("--insecure")));
  testing::ChildProcess bad({bin, "--heartbeat_ms", "soon"}, dir_.Join("bad.out"));
  ASSERT_EQ(bad.Wait(std::chrono::seconds(30)), 2);
  EXPECT_THAT(testing::ReadText(dir_.Join("bad.out")),
              HasSubstr("--heartbeat_ms: expected an integer"));

  testing::ChildProcess coordinator(
      {bin, "--data-dir", dir_.Join("coord"), "--listen", "127.0.0.1:0",
       "--metrics_listen=", "--port_file=" + dir_.Join("port"), "--heartbeat_ms", "300"},
      dir_.Join("coordinator.log"));
  ASSERT_TRUE(testing::WaitFor([&] { return !testing::ReadText(dir_.Join("port")).empty(); },
                               std::chrono::seconds(30)))
      << testing::ReadText(dir_.Join("coordinator.log"));
  ASSERT_OK_AND_ASSIGN(const v1::JoinResponse joined,
                       JoinOverGrpc(std::stoi(testing::ReadText(dir_.Join("port")))));
  EXPECT_EQ(joined.heartbeat_interval_ms(), 300u);
  coordinator.Kill(SIGTERM);
  EXPECT_EQ(coordinator.Wait(std::chrono::seconds(30)), 0)
      << testing::ReadText(dir_.Join("coordinator.log"));
}

}  // namespace
}  // namespace tandem
