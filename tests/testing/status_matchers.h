// gMock matchers for absl::Status and absl::StatusOr<T>, so that a failing check prints the
// status it got (code and message) instead of "Value of: s.ok() Actual: false":
//
//   EXPECT_THAT(store.Put(x), IsOk());
//   EXPECT_THAT(ParseJobFile(path), StatusIs(absl::StatusCode::kInvalidArgument,
//                                            HasSubstr("line 3")));
//   ASSERT_OK_AND_ASSIGN(auto job, coordinator->GetJob(id));
//   EXPECT_THAT(Parse("7"), IsOkAndHolds(7));
#ifndef TANDEM_TESTS_TESTING_STATUS_MATCHERS_H_
#define TANDEM_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem::testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace internal

// Matches an OK absl::Status or an absl::StatusOr<T> holding a value.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "which is " << status;
  return status.ok();
}

// Matches a status (or StatusOr) whose code is `code` and, with the second form, whose
// message matches `message_matcher` (a string or any string matcher such as HasSubstr).
MATCHER_P(StatusIs, code,
          std::string(negation ? "has no" : "has") + " code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "which is " << status;
  return status.code() == code;
}
MATCHER_P2(StatusIs, code, message_matcher,
           std::string(negation ? "is not" : "is") + " a status with code " +
               absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher, negation)) {
  const absl::Status& status = internal::GetStatus(arg);
  *result_listener << "which is " << status;
  return status.code() == code && ::testing::Matches(::testing::SafeMatcherCast<const std::string&>(
                                      message_matcher))(std::string(status.message()));
}

// Matches an absl::StatusOr<T> holding a value that matches `value_matcher`.
MATCHER_P(IsOkAndHolds, value_matcher,
          std::string(negation ? "is not" : "is") + " OK with a value that matches " +
              ::testing::PrintToString(value_matcher)) {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace tandem::testing

#define TANDEM_MATCHERS_CONCAT_INNER(a, b) a##b
#define TANDEM_MATCHERS_CONCAT(a, b) TANDEM_MATCHERS_CONCAT_INNER(a, b)

// Checks that a status (or StatusOr) is OK, printing it otherwise.
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::tandem::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::tandem::testing::IsOk())

// `lhs` = the value of the StatusOr `rexpr`; fails the test (printing the status) otherwise.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(TANDEM_MATCHERS_CONCAT(_status_or_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  ASSERT_THAT(tmp, ::tandem::testing::IsOk());     \
  lhs = std::move(tmp).value()

#endif  // TANDEM_TESTS_TESTING_STATUS_MATCHERS_H_
