// common/net.h: the address a worker advertises when --advertise_host is not set.
#include "common/net.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

// A listen address naming one host is what peers use, whatever the coordinator.
TEST(DefaultAdvertiseHostTest, AListenHostIsAdvertisedAsIs) {
  EXPECT_THAT(DefaultAdvertiseHost("127.0.0.1:0", "10.0.0.1:7400"), IsOkAndHolds("127.0.0.1"));
  EXPECT_THAT(DefaultAdvertiseHost("worker-3.example:7500", "c:7400"),
              IsOkAndHolds("worker-3.example"));
  EXPECT_THAT(DefaultAdvertiseHost("[fd00::5]:7500", "c:7400"), IsOkAndHolds("[fd00::5]"));
}

// A wildcard listen advertises the local address on the route to the coordinator: towards a
// loopback coordinator that is the loopback address.
TEST(DefaultAdvertiseHostTest, AWildcardListenTakesTheAddressTowardsTheCoordinator) {
  EXPECT_THAT(DefaultAdvertiseHost("0.0.0.0:7500", "127.0.0.1:7400"), IsOkAndHolds("127.0.0.1"));
  EXPECT_THAT(DefaultAdvertiseHost(":7500", "localhost:7400"),
              IsOkAndHolds(::testing::AnyOf("127.0.0.1", "[::1]")));
  EXPECT_THAT(DefaultAdvertiseHost("[::]:7500", "127.0.0.2:7400"), IsOkAndHolds("127.0.0.1"));
}

// A coordinator name that does not resolve is an error naming it and the way out.
TEST(DefaultAdvertiseHostTest, AnUnresolvableCoordinatorIsNamed) {
  EXPECT_THAT(DefaultAdvertiseHost("0.0.0.0:7500", "no-such-host.invalid:7400"),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::AllOf(HasSubstr("no-such-host.invalid"),
                                        HasSubstr("--advertise_host"))));
}

}  // namespace
}  // namespace tandem
