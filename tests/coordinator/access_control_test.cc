#include "coordinator/access_control.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

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
  AccessControl access({{kClient, kOtherClient}, {kJoin}, false});
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
  AccessControl plain({{kClient}, {kJoin}, false});
  EXPECT_OK(plain.CheckJoin(With(kJoin)));
  EXPECT_THAT(plain.CheckJoin(With(kClient)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("join token")));
  EXPECT_THAT(plain.CheckJoin(With("")), StatusIs(absl::StatusCode::kUnauthenticated));

  AccessControl tls({{kClient}, {kJoin}, true});
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

  AccessControl scoped({{kClient}, {kJoin}, false, {kScrape}});
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
  AccessControl access({{kClient}, {kJoin}, false, {}, {kRead}});
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

TEST(AccessControlTest, JoinTokensAloneLeaveClientCallsOpen) {
  AccessControl access({{}, {kJoin}, false});
  EXPECT_OK(access.CheckClient(With(""), "ListJobs", ClientAccess::kRead));
  EXPECT_THAT(access.CheckJoin(With("")), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace tandem
