// Security by default (DESIGN.md section 8) across real processes on 127.0.0.1 with real
// certificates (scripts/make-certs.sh): a coordinator with TLS, client tokens and a join
// token; workers with mutual TLS to it and to each other. Every refusal leaves the jobs as
// they were.
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "client/job_client.h"
#include "common/grpc_util.h"
#include "common/secrets.h"
#include "common/transport_security.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tandem/v1/control_service.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::ChildProcess;
using testing::StatusIs;
using testing::WaitFor;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::MakeCertificates(certs_.path()));
    ASSERT_TRUE(testing::MakeCertificates(dir_.Join("other-ca")));
    testing::WriteToyCorpus(dir_.path(), 1500);
    client_token_ = *ReadTokenFile(Cert("client.token"));  // user "client"
    testing::WriteText(dir_.Join("bob.token"), bob_token_);
    testing::WriteText(dir_.Join("ops.token"), admin_token_);
    join_token_ = *ReadTokenFile(Cert("join.token"));
    StartCoordinator();
  }

  std::string Cert(const std::string& name) const { return certs_.Join(name); }

  std::vector<std::string> Tls(const std::string& who) const {
    return {"--tls_ca=" + Cert("ca.pem"), "--tls_cert=" + Cert(who + ".pem"),
            "--tls_key=" + Cert(who + ".key")};
  }

  void StartCoordinator() {
    std::vector<std::string> argv = {testing::BinDir() + "/tandem-coordinator",
                                     "--data_dir=" + dir_.Join("coord"),
                                     "--listen=127.0.0.1:0",
                                     "--port_file=" + dir_.Join("port"),
                                     "--metrics_listen=127.0.0.1:0",
                                     "--heartbeat_ms=200",
                                     "--client_token_file=" + Cert("client.token"),
                                     "--client_token_file=bob=" + dir_.Join("bob.token"),
                                     "--admin_token_file=" + dir_.Join("ops.token"),
                                     "--join_token_file=" + Cert("join.token")};
    for (const auto& f : Tls("coordinator")) argv.push_back(f);
    coordinator_ = std::make_unique<ChildProcess>(argv, dir_.Join("coordinator.log"));
    ASSERT_TRUE(WaitFor([&] { return !testing::ReadText(dir_.Join("port")).empty(); },
                        std::chrono::seconds(20)))
        << testing::ReadText(dir_.Join("coordinator.log"));
    address_ = "127.0.0.1:" + std::to_string(std::stoi(testing::ReadText(dir_.Join("port"))));
    client_ = Client(client_token_);
  }

  TransportSecurity Security(const std::string& ca_dir, const std::string& who) const {
    const std::string base = ca_dir.empty() ? certs_.path() : ca_dir;
    TlsFiles files{base + "/ca.pem", who.empty() ? "" : base + "/" + who + ".pem",
                   who.empty() ? "" : base + "/" + who + ".key"};
    auto s = TransportSecurity::Load(files, false, false);
    EXPECT_OK(s);
    return s.ok() ? *s : TransportSecurity();
  }

  std::unique_ptr<JobClient> Client(const std::string& token,
                                    const TransportSecurity* security = nullptr) const {
    return std::make_unique<JobClient>(address_, std::chrono::seconds(5),
                                       security ? *security : Security("", ""), token);
  }

  std::unique_ptr<ChildProcess> StartWorker(const std::string& name) {
    std::vector<std::string> argv = {testing::BinDir() + "/tandem-worker",
                                     "--coordinator=" + address_, "--cache_dir=" + dir_.Join(name),
                                     "--threads=1", "--join_token_file=" + Cert("join.token")};
    for (const auto& f : Tls("worker")) argv.push_back(f);
    return std::make_unique<ChildProcess>(argv, dir_.Join(name + ".log"));
  }

  v1::JobSpec TinySpec(uint32_t max_steps) {
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_source(dir_.Join("train.en"));
    spec.mutable_corpus()->set_train_target(dir_.Join("train.es"));
    spec.mutable_tokenizer()->set_vocab_size(40);
    spec.mutable_workers()->set_min(2);
    spec.mutable_workers()->set_max(2);
    spec.mutable_model()->set_embedding_dim(16);
    spec.mutable_model()->set_hidden_dim(16);
    spec.mutable_training()->set_batch_tokens(300);
    spec.mutable_training()->set_max_steps(max_steps);
    spec.mutable_training()->set_checkpoint_interval_steps(5);
    return spec;
  }

  // The jobs as a client with the right token sees them: id, whether it ended, generation
  // (nothing trains in these tests: a job moves on only through preparation).
  std::vector<std::string> Jobs() {
    std::vector<std::string> out;
    auto jobs = client_->List();
    EXPECT_OK(jobs);
    if (!jobs.ok()) return out;
    for (const auto& j : *jobs) {
      const bool ended = j.state() == v1::JOB_STATE_CANCELLED || j.state() == v1::JOB_STATE_FAILED;
      out.push_back(j.id() + (ended ? ":ended:" : ":live:") + std::to_string(j.generation()));
    }
    return out;
  }

  // /metrics as the admin sees it (with several users a user's own token may not read it).
  std::string Metrics(const std::string& token = "") {
    std::smatch m;
    const std::string log = testing::ReadText(dir_.Join("coordinator.log"));
    if (!std::regex_search(log, m, std::regex("https://127.0.0.1:([0-9]+)/metrics"))) return "";
    return testing::HttpsRequest(std::stoi(m[1]), Cert("ca.pem"),
                                 "GET /metrics HTTP/1.1\r\nAuthorization: Bearer " +
                                     (token.empty() ? admin_token_ : token) + "\r\n\r\n");
  }

  // A ControlService stub through `security` (nullptr: plaintext).
  std::unique_ptr<v1::ControlService::Stub> Control(const TransportSecurity* security) {
    return v1::ControlService::NewStub(
        MakeChannel(address_, security ? *security : TransportSecurity()));
  }

  testing::TempDir certs_, dir_;
  std::string client_token_, join_token_, address_;
  const std::string bob_token_ = "bob-token-0123456789abcdef";
  const std::string admin_token_ = "ops-token-0123456789abcdef";
  std::unique_ptr<ChildProcess> coordinator_;
  std::unique_ptr<JobClient> client_;
};

TEST_F(SecurityTest, ClientsNeedTheClientToken) {
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(TinySpec(10)));
  const std::vector<std::string> before = Jobs();
  for (const std::string& token : {std::string(), std::string("not-the-token-at-all"),
                                   join_token_, client_token_.substr(1)}) {
    auto c = Client(token);
    EXPECT_THAT(c->List(), StatusIs(absl::StatusCode::kUnauthenticated)) << token.size();
    EXPECT_THAT(c->Cancel(id), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(c->Submit(TinySpec(10)), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(c->Workers(), StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(c->DownloadModel(id, dir_.Join("dl")), StatusIs(absl::StatusCode::kUnauthenticated));
  }
  EXPECT_EQ(Jobs(), before);
  // A client that does not trust the deployment's CA, or speaks plaintext, does not connect.
  const TransportSecurity other = Security(dir_.Join("other-ca"), "");
  EXPECT_THAT(Client(client_token_, &other)->List(), StatusIs(absl::StatusCode::kUnavailable));
  const TransportSecurity plain;
  EXPECT_THAT(Client(client_token_, &plain)->List(), StatusIs(absl::StatusCode::kUnavailable));
  // Refusals are counted by reason; the log names the caller and never a token.
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("tandem_refused_calls_total{reason=\"no_token\"} 5"));
  EXPECT_THAT(metrics, HasSubstr("tandem_refused_calls_total{reason=\"wrong_token\"} 15"));
  EXPECT_THAT(metrics, HasSubstr("tandem_insecure 0"));
  const std::string log = testing::ReadText(dir_.Join("coordinator.log"));
  EXPECT_THAT(log, HasSubstr("refused CancelJob from ipv4:127.0.0.1:"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(client_token_.substr(1))));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(join_token_)));
}

// Client tokens stand for users: a user sees and acts on its own jobs only; an admin token
// and a read token see every job. Each refusal leaves the other user's job as it was.
TEST_F(SecurityTest, UsersActOnlyOnTheirOwnJobs) {
  v1::JobSpec named = TinySpec(10);
  named.set_name("alices-job");
  ASSERT_OK_AND_ASSIGN(const std::string alices, client_->Submit(named));
  auto bob = Client(bob_token_);
  ASSERT_OK_AND_ASSIGN(const std::string bobs, bob->Submit(TinySpec(10)));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo alices_job, client_->Get(alices));
  EXPECT_EQ(alices_job.owner(), "client");  // the token file's base name
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo bobs_job, bob->Get(bobs));
  EXPECT_EQ(bobs_job.owner(), "bob");
  const std::vector<std::string> before = Jobs();
  EXPECT_EQ(before.size(), 1u);  // alice lists her own job only

  // Bob cannot read, change or use Alice's job, by any call.
  const auto denied = StatusIs(absl::StatusCode::kPermissionDenied,
                               HasSubstr("job " + alices + " belongs to another user"));
  EXPECT_THAT(bob->Get(alices), denied);
  EXPECT_THAT(bob->Cancel(alices), denied);
  EXPECT_THAT(bob->Delete(alices), denied);
  EXPECT_THAT(bob->Events(alices, 0, 100), denied);
  EXPECT_THAT(bob->Logs(alices, std::nullopt, 0), denied);
  EXPECT_THAT(bob->Metrics(alices), denied);
  EXPECT_THAT(bob->DownloadModel(alices, dir_.Join("stolen")), denied);
  v1::TranslateRequest translate;
  translate.set_job_id(alices);
  translate.add_sentences("hello");
  EXPECT_THAT(bob->Translate(translate), denied);
  // Nor find it: not in his listing, not in his events of all jobs, not by its name.
  ASSERT_OK_AND_ASSIGN(const auto bobs_list, bob->List());
  ASSERT_EQ(bobs_list.size(), 1u);
  EXPECT_EQ(bobs_list[0].id(), bobs);
  ASSERT_OK_AND_ASSIGN(const auto bobs_events, bob->Events("", 0, 1000));
  ASSERT_FALSE(bobs_events.empty());
  for (const auto& e : bobs_events) EXPECT_EQ(e.job_id(), bobs) << e.message();
  EXPECT_THAT(bob->Submit(named), StatusIs(absl::StatusCode::kAlreadyExists,
                                           ::testing::AllOf(HasSubstr("another user's job"),
                                                            ::testing::Not(HasSubstr(alices)))));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo alices_after, client_->Get(alices));
  EXPECT_NE(alices_after.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(Jobs().size(), 1u);

  // The admin sees both and may cancel Bob's; a read token sees both and changes nothing.
  auto ops = Client(admin_token_);
  ASSERT_OK_AND_ASSIGN(const auto all, ops->List());
  EXPECT_EQ(all.size(), 2u);
  ASSERT_OK_AND_ASSIGN(const auto all_events, ops->Events("", 0, 1000));
  EXPECT_GT(all_events.size(), bobs_events.size());
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo cancelled, ops->Cancel(bobs));
  EXPECT_EQ(cancelled.state(), v1::JOB_STATE_CANCELLED);
  ASSERT_OK(client_->Get(alices));

  // The refusals are counted and logged with the user, never a token; the CLI says 7.
  EXPECT_THAT(Metrics(), HasSubstr("tandem_refused_calls_total{reason=\"other_users_job\"} 8"));
  // /metrics lists every job: a user's own token may not read it while there are others.
  EXPECT_THAT(Metrics(bob_token_), ::testing::StartsWith("HTTP/1.1 403"));
  const std::string log = testing::ReadText(dir_.Join("coordinator.log"));
  EXPECT_THAT(log, HasSubstr("user 'bob' may act only on the jobs it submitted"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(bob_token_)));
  testing::WriteText(dir_.Join("bob.cli.token"), bob_token_);
  ChildProcess cancel({testing::BinDir() + "/tandem", "cancel", alices, "--coordinator",
                       address_, "--tls_ca", Cert("ca.pem"), "--token_file",
                       dir_.Join("bob.cli.token")},
                      dir_.Join("cancel.out"));
  EXPECT_EQ(cancel.Wait(std::chrono::seconds(30)), 7) << testing::ReadText(dir_.Join("cancel.out"));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo alices_last, client_->Get(alices));
  EXPECT_NE(alices_last.state(), v1::JOB_STATE_CANCELLED);
}

TEST_F(SecurityTest, TheCliExitsWithNotAuthorised) {
  const std::string tandem = testing::BinDir() + "/tandem";
  ChildProcess no_token({tandem, "list", "--coordinator", address_, "--tls_ca", Cert("ca.pem")},
                        dir_.Join("no_token.out"));
  EXPECT_EQ(no_token.Wait(std::chrono::seconds(30)), 7);
  EXPECT_THAT(testing::ReadText(dir_.Join("no_token.out")), HasSubstr("TANDEM_TOKEN"));
  ChildProcess ok({tandem, "list", "--coordinator", address_, "--tls_ca", Cert("ca.pem"),
                   "--token_file", Cert("client.token")},
                  dir_.Join("ok.out"));
  EXPECT_EQ(ok.Wait(std::chrono::seconds(30)), 0) << testing::ReadText(dir_.Join("ok.out"));
  ChildProcess bad_file({tandem, "list", "--coordinator", address_, "--tls_ca", Cert("ca.pem"),
                         "--token_file", dir_.Join("missing.token")},
                        dir_.Join("bad_file.out"));
  EXPECT_EQ(bad_file.Wait(std::chrono::seconds(30)), 2);
  EXPECT_THAT(testing::ReadText(dir_.Join("bad_file.out")), HasSubstr("missing.token"));
}

TEST_F(SecurityTest, WorkerCallsNeedAWorkerCertificateTheJoinTokenAndTheSession) {
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(TinySpec(10)));
  const std::vector<std::string> before = Jobs();
  v1::JoinRequest join;
  join.set_address("127.0.0.1:1");
  auto try_join = [&](const TransportSecurity* security, const std::string& token) {
    auto stub = Control(security);
    auto ctx = ContextWithDeadline(std::chrono::seconds(5));
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    v1::JoinResponse resp;
    return FromGrpcStatus(stub->Join(ctx.get(), join, &resp));
  };
  const TransportSecurity no_cert = Security("", "");
  const TransportSecurity client_cert = Security("", "client");
  const TransportSecurity worker_cert = Security("", "worker");
  const TransportSecurity foreign_worker = Security(dir_.Join("other-ca"), "worker");
  EXPECT_THAT(try_join(nullptr, join_token_), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(try_join(&no_cert, join_token_), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(try_join(&client_cert, join_token_),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("presented: client")));
  EXPECT_FALSE(try_join(&foreign_worker, join_token_).ok());
  EXPECT_THAT(try_join(&worker_cert, ""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(try_join(&worker_cert, client_token_), StatusIs(absl::StatusCode::kUnauthenticated));

  // A worker with everything joins; its id alone (which clients can list) is not enough.
  auto stub = Control(&worker_cert);
  auto ctx = ContextWithDeadline(std::chrono::seconds(5));
  ctx->AddMetadata("authorization", "Bearer " + join_token_);
  v1::JoinResponse joined;
  ASSERT_TRUE(stub->Join(ctx.get(), join, &joined).ok());
  EXPECT_EQ(joined.session_token().size(), 64u);
  v1::HeartbeatRequest beat;
  beat.set_worker_id(joined.worker_id());
  v1::HeartbeatResponse beat_resp;
  auto hb = [&](const TransportSecurity* security, const std::string& session) {
    auto s = Control(security);
    auto c = ContextWithDeadline(std::chrono::seconds(5));
    if (!session.empty()) c->AddMetadata("tandem-session", session);
    return FromGrpcStatus(s->Heartbeat(c.get(), beat, &beat_resp));
  };
  EXPECT_OK(hb(&worker_cert, joined.session_token()));
  EXPECT_THAT(hb(&worker_cert, ""), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(hb(&worker_cert, std::string(64, 'a')), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(hb(&client_cert, joined.session_token()),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // Fetching a shard and reporting progress need the same.
  for (const TransportSecurity* security : {&no_cert, &client_cert}) {
    auto s = Control(security);
    auto c = ContextWithDeadline(std::chrono::seconds(5));
    c->AddMetadata("tandem-session", joined.session_token());
    v1::FetchArtifactRequest fetch;
    fetch.set_worker_id(joined.worker_id());
    fetch.set_job_id(id);
    fetch.set_name("shard/0");
    auto reader = s->FetchArtifact(c.get(), fetch);
    v1::ArtifactChunk chunk;
    EXPECT_FALSE(reader->Read(&chunk));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    auto c = ContextWithDeadline(std::chrono::seconds(5));
    v1::ProgressReport report;
    report.set_worker_id(joined.worker_id());
    report.set_job_id(id);
    report.set_error("injected");
    v1::ProgressResponse resp;
    EXPECT_EQ(stub->ReportProgress(c.get(), report, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(Jobs(), before);
  EXPECT_THAT(Metrics(), HasSubstr("tandem_refused_calls_total{reason=\"wrong_session\"}"));
}

// The whole path with TLS: two workers with mutual TLS to the coordinator and to each other
// (collective streams admitted by the generation's key) train a job to the end.
TEST_F(SecurityTest, TwoWorkersTrainAJobOverMutualTls) {
  auto w1 = StartWorker("w1");
  auto w2 = StartWorker("w2");
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(TinySpec(12)));
  ASSERT_TRUE(WaitFor([&] { return client_->Get(id)->state() == v1::JOB_STATE_SUCCEEDED; },
                      std::chrono::seconds(120)))
      << client_->Get(id)->message() << testing::ReadText(dir_.Join("w1.log"));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, client_->Get(id));
  EXPECT_EQ(job.generation(), 1u);  // no collective failure re-formed it
  EXPECT_TRUE(job.progress().model_ready());
  ASSERT_OK(client_->DownloadModel(id, dir_.Join("model")));
  EXPECT_THAT(testing::ReadText(dir_.Join("w1.log")),
              ::testing::Not(HasSubstr("refusing collective stream")));
}

TEST_F(SecurityTest, PlaintextOffLoopbackIsRefusedUnlessInsecure) {
  const std::string coordinator = testing::BinDir() + "/tandem-coordinator";
  ChildProcess plain({coordinator, "--data_dir=" + dir_.Join("c2"), "--listen=0.0.0.0:0"},
                     dir_.Join("plain.out"));
  EXPECT_EQ(plain.Wait(std::chrono::seconds(30)), 1);
  EXPECT_THAT(testing::ReadText(dir_.Join("plain.out")),
              ::testing::AllOf(HasSubstr("--listen 0.0.0.0:0"), HasSubstr("--insecure"),
                               HasSubstr("make-certs.sh")));
  // TLS without tokens off loopback is refused too.
  std::vector<std::string> argv = {coordinator, "--data_dir=" + dir_.Join("c3"),
                                   "--listen=0.0.0.0:0"};
  for (const auto& f : Tls("coordinator")) argv.push_back(f);
  ChildProcess no_tokens(argv, dir_.Join("no_tokens.out"));
  EXPECT_EQ(no_tokens.Wait(std::chrono::seconds(30)), 1);
  EXPECT_THAT(testing::ReadText(dir_.Join("no_tokens.out")), HasSubstr("--client_token_file"));
  ChildProcess metrics({coordinator, "--data_dir=" + dir_.Join("c4"), "--metrics_listen=0.0.0.0:0"},
                       dir_.Join("metrics.out"));
  EXPECT_EQ(metrics.Wait(std::chrono::seconds(30)), 1);
  EXPECT_THAT(testing::ReadText(dir_.Join("metrics.out")), HasSubstr("--metrics_listen"));
  ChildProcess worker({testing::BinDir() + "/tandem-worker", "--listen=0.0.0.0:0",
                       "--coordinator=" + address_},
                      dir_.Join("worker.out"));
  EXPECT_EQ(worker.Wait(std::chrono::seconds(30)), 1);
  EXPECT_THAT(testing::ReadText(dir_.Join("worker.out")), HasSubstr("--insecure"));

  // With --insecure it starts, says so in its log and in /metrics.
  ChildProcess insecure({coordinator, "--data_dir=" + dir_.Join("c5"), "--listen=0.0.0.0:0",
                         "--port_file=" + dir_.Join("insecure.port"), "--insecure"},
                        dir_.Join("insecure.out"));
  ASSERT_TRUE(WaitFor([&] { return !testing::ReadText(dir_.Join("insecure.port")).empty(); },
                      std::chrono::seconds(20)))
      << testing::ReadText(dir_.Join("insecure.out"));
  const std::string log = testing::ReadText(dir_.Join("insecure.out"));
  EXPECT_THAT(log, HasSubstr("--insecure"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("http://127.0.0.1:([0-9]+)/metrics")));
  EXPECT_THAT(testing::HttpRequest(std::stoi(m[1]), "GET /metrics HTTP/1.1\r\n\r\n"),
              HasSubstr("tandem_insecure 1"));
}

}  // namespace
}  // namespace tandem
