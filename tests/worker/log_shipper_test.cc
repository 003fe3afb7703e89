// LogShipper: what a worker's logging sends with its heartbeats (as the process's LogSink).
#include "worker/log_shipper.h"

#include "common/log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Texts(const std::vector<v1::LogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text());
  return out;
}

TEST(LogShipperTest, KeepsLinesLoggedOnAJobTaggedWithIt) {
  LogShipper shipper(100, [] { return int64_t{42}; });
  shipper.Send(LogLevel::kInfo, "idle: not kept");
  shipper.SetJob("job-7");
  shipper.Send(LogLevel::kInfo, "a");
  shipper.Send(LogLevel::kWarning, "b");
  std::vector<v1::LogLine> lines = shipper.Take(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text(), "a");
  EXPECT_EQ(lines[0].job_id(), "job-7");
  EXPECT_EQ(lines[0].unix_ms(), 42);
  EXPECT_THAT(Texts(shipper.Take(10)), ElementsAre("b"));
  EXPECT_THAT(shipper.Take(10), IsEmpty());
  shipper.SetJob("");
  shipper.Send(LogLevel::kInfo, "idle again");
  EXPECT_THAT(shipper.Take(10), IsEmpty());
}

TEST(LogShipperTest, BoundedDroppingTheOldestAndSayingHowMany) {
  LogShipper shipper(3);
  shipper.SetJob("job-1");
  for (const char* t : {"1", "2", "3", "4", "5"}) shipper.Send(LogLevel::kInfo, t);
  std::vector<v1::LogLine> lines = shipper.Take(10);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0].text(), HasSubstr("2 log lines dropped on the worker"));
  EXPECT_THAT(Texts(lines), ::testing::ElementsAre(::testing::_, "3", "4", "5"));
  EXPECT_THAT(shipper.Take(10), IsEmpty()) << "the count is reported once";
}

TEST(LogShipperTest, LinesOfAFailedHeartbeatGoBackInFront) {
  LogShipper shipper(4);
  shipper.SetJob("job-1");
  shipper.Send(LogLevel::kInfo, "1");
  shipper.Send(LogLevel::kInfo, "2");
  std::vector<v1::LogLine> taken = shipper.Take(10);
  shipper.Send(LogLevel::kInfo, "3");
  shipper.Send(LogLevel::kInfo, "4");
  shipper.Send(LogLevel::kInfo, "5");
  shipper.Return(std::move(taken));  // room for one of the two: the newer stays
  std::vector<v1::LogLine> lines = shipper.Take(10);
  EXPECT_THAT(Texts(lines), ElementsAre(HasSubstr("1 log lines dropped"), "2", "3", "4", "5"));
}

TEST(LogShipperTest, InstalledAsTheSinkItReceivesLoggedLines) {
  LogShipper shipper;
  shipper.SetJob("job-1");
  SetLogSink(&shipper);
  TANDEM_LOG(WARNING) << "shipped " << 7;
  TANDEM_LOG(DEBUG) << "below the threshold: not written, not shipped";
  SetLogSink(nullptr);
  TANDEM_LOG(WARNING) << "after removal";
  std::vector<v1::LogLine> lines = shipper.Take(10);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0].text(), HasSubstr(" W log_shipper_test.cc:"));
  EXPECT_THAT(lines[0].text(), ::testing::EndsWith("] shipped 7"));
}

}  // namespace
}  // namespace tandem
