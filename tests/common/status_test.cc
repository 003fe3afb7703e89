// common/status.h: annotating and rewording a status keep what its payloads say (which peer
// broke: collective::kFromRankPayload travels from the transport to the worker's report).
#include "common/status.h"

#include "absl/strings/cord.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

TEST(StatusTest, AnnotateKeepsTheCodeAndThePayloads) {
  absl::Status broke = absl::UnavailableError("stream broke");
  broke.SetPayload("type.test/peer", absl::Cord("3"));
  broke.SetPayload("type.test/other", absl::Cord("x"));
  const absl::Status annotated = Annotate(broke, "rank 0");
  EXPECT_EQ(annotated.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(annotated.message(), "rank 0: stream broke");
  ASSERT_TRUE(annotated.GetPayload("type.test/peer").has_value());
  EXPECT_EQ(std::string(*annotated.GetPayload("type.test/peer")), "3");
  EXPECT_EQ(std::string(*annotated.GetPayload("type.test/other")), "x");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "rank 0").ok());
}

TEST(StatusTest, WithPayloadsOfRewordsWithoutLosingTheCause) {
  absl::Status broke = absl::UnavailableError("stream broke");
  broke.SetPayload("type.test/peer", absl::Cord("1"));
  const absl::Status aborted = WithPayloadsOf(absl::AbortedError("all-reduce failed"), broke);
  EXPECT_EQ(aborted.code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(aborted.GetPayload("type.test/peer").has_value());
  EXPECT_EQ(std::string(*aborted.GetPayload("type.test/peer")), "1");
  // OK stays OK (an OK status holds no payload); no payloads, nothing added.
  EXPECT_TRUE(WithPayloadsOf(absl::OkStatus(), broke).ok());
  EXPECT_FALSE(WithPayloadsOf(absl::AbortedError("x"), absl::InternalError("y"))
                   .GetPayload("type.test/peer")
                   .has_value());
}

}  // namespace
}  // namespace tandem
