#include "coordinator/access_control.h"

#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using testing::StatusIs;

constexpr char kClient[] = "client-token-0123456789";
constexpr char kOtherClient[] = "client-token-abcdefghij";
constexpr char kJoin[] = "join-token-0123456789";

Caller With(const std::string& bearer, const std::string& role = "") {
  Caller c;
  c.peer = "ipv4:127.0.0.1:5555";
  c.bearer = bearer;
  c.role = role;
  return c;
}

TEST(AccessControlTest, WithoutTokensEverythingIsOpen) {
  AccessControl access({});
  EXPECT_OK(access.CheckClient(With(""), "ListJobs", ClientAccess::kRead));
  EXPECT_OK(access.CheckClient(With("anything"), "ListJobs", ClientAccess::kRead));
  EXPECT_OK(access.CheckJoin(With("")));
  EXPECT_OK(access.CheckWorker(With(""), "Heartbeat"));
  EXPECT_THAT(access.Refusals(), IsEmpty());
}

TEST(AccessControlTest, ClientCallsNeedOneOfTheClientTokens) {
  AccessControl access({{{"alice", kClient}, {"bob", kOtherClient}}, {kJoin}, false});
  EXPECT_OK(access.CheckClient(With(kClient), "SubmitJob", ClientAccess::kChange));
  EXPECT_OK(access.CheckClient(With(kOtherClient), "SubmitJob", ClientAccess::kChange));
  EXPECT_THAT(access.CheckClient(With(""), "SubmitJob", ClientAccess::kChange),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("TANDEM_TOKEN")));
  EXPECT_THAT(access.CheckClient(With("client-token-012345678"), "CancelJob",  // a prefix
                                 ClientAccess::kChange),
              StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr("client-token"))));
  // A worker's join token is not a client token.
  EXPECT_THAT(access.CheckClient(With(kJoin), "CancelJob", ClientAccess::kChange),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(access.Refusals(), ElementsAre(Pair("no_token", 1), Pair("wrong_token", 2)));
}

TEST(AccessControlTest, JoiningNeedsTheJoinTokenAndWithTlsAWorkerCertificate) {
  AccessControl plain({{{"alice", kClient}}, {kJoin}, false});
  EXPECT_OK(plain.CheckJoin(With(kJoin)));
  EXPECT_THAT(plain.CheckJoin(With(kClient)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("join token")));
  EXPECT_THAT(plain.CheckJoin(With("")), StatusIs(absl::StatusCode::kUnauthenticated));

  AccessControl tls({{{"alice", kClient}}, {kJoin}, true});
  EXPECT_OK(tls.CheckJoin(With(kJoin, "worker")));
  EXPECT_THAT(tls.CheckJoin(With(kJoin, "client")),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("presented: client")));
  EXPECT_THAT(tls.CheckJoin(With(kJoin, "")),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("worker certificate")));
  EXPECT_THAT(tls.CheckJoin(With(kClient, "worker")), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(tls.CheckWorker(With("", "worker"), "Heartbeat"));
  EXPECT_THAT(tls.CheckWorker(With(kClient, "coordinator"), "Heartbeat"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(tls.Refusals(), ElementsAre(Pair("not_a_worker", 3), Pair("wrong_token", 1)));
}

TEST(AccessControlTest, MetricsNeedAMetricsOrClientTokenOnceEitherIsConfigured) {
  constexpr char kScrape[] = "scrape-token-0123456789";
  AccessControl open({{}, {kJoin}, false});
  EXPECT_OK(open.CheckMetrics(With("")));

  AccessControl scoped({{{"alice", kClient}}, {kJoin}, false, {kScrape}});
  EXPECT_OK(scoped.CheckMetrics(With(kScrape)));
  EXPECT_OK(scoped.CheckMetrics(With(kClient)));
  EXPECT_THAT(scoped.CheckMetrics(With("")),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("Authorization: Bearer")));
  EXPECT_THAT(scoped.CheckMetrics(With(kJoin)), StatusIs(absl::StatusCode::kUnauthenticated));
  // A scrape token is for /metrics only.
  EXPECT_THAT(scoped.CheckClient(With(kScrape), "ListJobs", ClientAccess::kRead),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(scoped.CheckJoin(With(kScrape)), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(scoped.Refusals(), ElementsAre(Pair("no_token", 1), Pair("wrong_token", 3)));

  // Metrics tokens alone protect /metrics and leave client calls as configured (open).
  AccessControl metrics_only({{}, {}, false, {kScrape}});
  EXPECT_THAT(metrics_only.CheckMetrics(With(kClient)),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(metrics_only.CheckClient(With(""), "ListJobs", ClientAccess::kRead));
}

TEST(AccessControlTest, ReadTokensReadButDoNotChange) {
  constexpr char kRead[] = "read-token-0123456789";
  AccessControl access({{{"alice", kClient}}, {kJoin}, false, {}, {kRead}});
  EXPECT_OK(access.CheckClient(With(kRead), "ListJobs", ClientAccess::kRead));
  EXPECT_OK(access.CheckClient(With(kRead), "DownloadModel", ClientAccess::kRead));
  EXPECT_OK(access.CheckMetrics(With(kRead)));
  EXPECT_THAT(access.CheckClient(With(kRead), "CancelJob", ClientAccess::kChange),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("CancelJob changes jobs"),
                                        Not(HasSubstr(kRead)))));
  EXPECT_THAT(access.CheckJoin(With(kRead)), StatusIs(absl::StatusCode::kUnauthenticated));
  // Client tokens do both.
  EXPECT_OK(access.CheckClient(With(kClient), "CancelJob", ClientAccess::kChange));
  EXPECT_OK(access.CheckClient(With(kClient), "ListJobs", ClientAccess::kRead));
  EXPECT_THAT(access.Refusals(), ElementsAre(Pair("read_only_token", 1), Pair("wrong_token", 1)));

  // Read tokens alone: reading needs one, and nothing can change jobs.
  AccessControl read_only({{}, {}, false, {}, {kRead}});
  EXPECT_THAT(read_only.CheckClient(With(""), "ListJobs", ClientAccess::kRead),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(read_only.CheckClient(With(kRead), "ListJobs", ClientAccess::kRead));
  EXPECT_THAT(read_only.CheckClient(With(kRead), "SubmitJob", ClientAccess::kChange),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(AccessControlTest, AUserActsOnItsOwnJobsAnAdminAndReadTokensOnAll) {
  constexpr char kRead[] = "read-token-0123456789";
  constexpr char kAdmin[] = "admin-token-0123456789";
  AccessControl access(
      {{{"alice", kClient}, {"bob", kOtherClient}, {"ops", kAdmin, true}}, {kJoin}, false, {},
       {kRead}});
  ASSERT_OK_AND_ASSIGN(ClientIdentity alice,
                       access.CheckClient(With(kClient), "CancelJob", ClientAccess::kChange));
  EXPECT_EQ(alice.user, "alice");
  EXPECT_FALSE(alice.all_jobs);
  ASSERT_OK_AND_ASSIGN(ClientIdentity ops,
                       access.CheckClient(With(kAdmin), "CancelJob", ClientAccess::kChange));
  EXPECT_EQ(ops.user, "ops");
  EXPECT_TRUE(ops.all_jobs);
  ASSERT_OK_AND_ASSIGN(ClientIdentity reader,
                       access.CheckClient(With(kRead), "GetJob", ClientAccess::kRead));
  EXPECT_TRUE(reader.all_jobs);

  EXPECT_OK(access.CheckOwner(With(kClient), "CancelJob", alice, "job-000001", "alice"));
  EXPECT_OK(access.CheckOwner(With(kAdmin), "CancelJob", ops, "job-000002", "bob"));
  EXPECT_OK(access.CheckOwner(With(kRead), "GetJob", reader, "job-000002", "bob"));
  // A job from before tokens has no owner: every client may act on it.
  EXPECT_OK(access.CheckOwner(With(kClient), "CancelJob", alice, "job-000003", ""));
  EXPECT_THAT(access.CheckOwner(With(kClient), "CancelJob", alice, "job-000002", "bob"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("job job-000002 belongs to another user"),
                                        Not(HasSubstr("bob")), Not(HasSubstr(kClient)))));

  // The whole call: the owner is looked up only for a user that is not an admin, and an
  // unknown job passes (the call answers NotFound itself).
  int lookups = 0;
  auto owner_of = [&](const std::string& id) -> absl::StatusOr<std::string> {
    ++lookups;
    if (id == "job-000009") return absl::NotFoundError("no job");
    return std::string("bob");
  };
  EXPECT_THAT(access.CheckJobCall(With(kClient), "GetJob", ClientAccess::kRead, "job-000002",
                                  owner_of),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_OK(access.CheckJobCall(With(kOtherClient), "GetJob", ClientAccess::kRead, "job-000002",
                                owner_of));
  EXPECT_OK(access.CheckJobCall(With(kClient), "GetJob", ClientAccess::kRead, "job-000009",
                                owner_of));
  EXPECT_EQ(lookups, 3);
  EXPECT_OK(access.CheckJobCall(With(kAdmin), "CancelJob", ClientAccess::kChange, "job-000002",
                                owner_of));
  EXPECT_EQ(lookups, 3);
  // A wrong token is refused before any lookup.
  EXPECT_THAT(access.CheckJobCall(With("nobody-token-0123456789"), "GetJob", ClientAccess::kRead,
                                  "job-000002", owner_of),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(lookups, 3);
  EXPECT_THAT(access.Refusals(), ElementsAre(Pair("other_users_job", 2), Pair("wrong_token", 1)));
}

TEST(ClientTokensFromFlagsTest, UsersComeFromTheFlagOrTheFileName) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("alice.token"), std::string(kClient) + "\n");
  testing::WriteText(dir.Join("bob"), kOtherClient);
  testing::WriteText(dir.Join("root-key"), "admin-token-0123456789");
  ASSERT_OK_AND_ASSIGN(
      std::vector<ClientToken> tokens,
      ClientTokensFromFlags({dir.Join("alice.token"), "robert=" + dir.Join("bob")},
                            {dir.Join("root-key")}));
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].user, "alice");
  EXPECT_EQ(tokens[0].token, kClient);
  EXPECT_FALSE(tokens[0].admin);
  EXPECT_EQ(tokens[1].user, "robert");
  EXPECT_EQ(tokens[1].token, kOtherClient);
  EXPECT_EQ(tokens[2].user, "root-key");
  EXPECT_TRUE(tokens[2].admin);
  // One user may have two tokens (rotation).
  EXPECT_OK(ClientTokensFromFlags({"alice=" + dir.Join("alice.token"), "alice=" + dir.Join("bob")},
                                  {}));
  // An '=' inside a directory name is part of the path.
  ASSERT_EQ(mkdir(dir.Join("a=b").c_str(), 0700), 0);
  testing::WriteText(dir.Join("a=b/carol"), "carol-token-0123456789");
  ASSERT_OK_AND_ASSIGN(tokens, ClientTokensFromFlags({dir.Join("a=b/carol")}, {}));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].user, "carol");
}

TEST(ClientTokensFromFlagsTest, BadUsersFilesAndSharedTokensAreRefused) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("alice"), kClient);
  EXPECT_THAT(ClientTokensFromFlags({"al ice=" + dir.Join("alice")}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("--client_token_file al ice="),
                                        HasSubstr("user name 'al ice'"))));
  EXPECT_THAT(ClientTokensFromFlags({"=" + dir.Join("alice")}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("user name ''")));
  EXPECT_THAT(ClientTokensFromFlags({std::string(65, 'u') + "=" + dir.Join("alice")}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ClientTokensFromFlags({}, {"ops=" + dir.Join("missing")}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir.Join("missing"))));
  // One token for two users, or for a user and an admin, would make owners a guess.
  EXPECT_THAT(ClientTokensFromFlags({"alice=" + dir.Join("alice"), "bob=" + dir.Join("alice")}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("user 'bob'"), HasSubstr("user 'alice'"),
                                        Not(HasSubstr(kClient)))));
  EXPECT_THAT(ClientTokensFromFlags({dir.Join("alice")}, {"alice=" + dir.Join("alice")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("admin")));
}

TEST(AccessControlTest, JoinTokensAloneLeaveClientCallsOpen) {
  AccessControl access({{}, {kJoin}, false});
  EXPECT_OK(access.CheckClient(With(""), "ListJobs", ClientAccess::kRead));
  EXPECT_THAT(access.CheckJoin(With("")), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace tandem
