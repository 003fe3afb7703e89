// LogStore on a real directory: lines kept in order, cleaned, paged, filtered by rank, and
// bounded per job with one marker line.
#include "coordinator/log_store.h"

#include <fstream>

#include "common/files.h"
#include "common/log.h"
#include "coordinator/job_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::LogLine Line(uint32_t rank, const std::string& text) {
  v1::LogLine l;
  l.set_unix_ms(1000 + rank);
  l.set_rank(rank);
  l.set_worker_id("w-00000" + std::to_string(rank));
  l.set_text(text);
  return l;
}

std::vector<std::string> Texts(const LogStore::Page& page) {
  std::vector<std::string> out;
  for (const auto& l : page.lines) out.push_back(l.text());
  return out;
}

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(MakeDirs(JobDir(dir_.path(), "job-1"))); }
  testing::TempDir dir_;
};

TEST_F(LogStoreTest, LinesComeBackInOrderWithTheirFieldsAndByRank) {
  LogStore store(dir_.path(), 1 << 20);
  ASSERT_OK_AND_ASSIGN(LogStore::Page empty, store.Read("job-1", std::nullopt, 0));
  EXPECT_THAT(empty.lines, IsEmpty());
  EXPECT_EQ(empty.next_offset, 0u);
  ASSERT_OK(store.Append("job-1", {Line(0, "a"), Line(1, "b\tc\nd"), Line(0, "")}));
  ASSERT_OK(store.Append("job-1", {}));
  ASSERT_OK_AND_ASSIGN(LogStore::Page all, store.Read("job-1", std::nullopt, 0));
  EXPECT_THAT(Texts(all), ElementsAre("a", "b c d", ""));
  EXPECT_EQ(all.lines[1].rank(), 1u);
  EXPECT_EQ(all.lines[1].worker_id(), "w-000001");
  EXPECT_EQ(all.lines[1].unix_ms(), 1001);
  EXPECT_EQ(all.lines[1].job_id(), "job-1");
  EXPECT_FALSE(all.more);
  ASSERT_OK_AND_ASSIGN(LogStore::Page rank0, store.Read("job-1", 0u, 0));
  EXPECT_THAT(Texts(rank0), ElementsAre("a", ""));
  ASSERT_OK_AND_ASSIGN(LogStore::Page after, store.Read("job-1", std::nullopt, all.next_offset));
  EXPECT_THAT(after.lines, IsEmpty());
  EXPECT_EQ(after.next_offset, all.next_offset);
  ASSERT_OK_AND_ASSIGN(LogStore::Page past, store.Read("job-1", std::nullopt, 1 << 30));
  EXPECT_THAT(past.lines, IsEmpty());
}

TEST_F(LogStoreTest, PagesHoldWholeLinesAndATornLastLineWaits) {
  LogStore store(dir_.path(), 1 << 20);
  std::vector<v1::LogLine> lines;
  for (int i = 0; i < 50; ++i) lines.push_back(Line(0, "line " + std::to_string(i)));
  ASSERT_OK(store.Append("job-1", lines));
  std::vector<std::string> read;
  uint64_t offset = 0;
  int pages = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(LogStore::Page page, store.Read("job-1", std::nullopt, offset, 100));
    for (auto& t : Texts(page)) read.push_back(t);
    offset = page.next_offset;
    ++pages;
    if (!page.more) break;
  }
  ASSERT_EQ(read.size(), 50u);
  EXPECT_EQ(read[49], "line 49");
  EXPECT_GT(pages, 10);
  // A line still being written (no newline yet) is not returned until it is whole.
  {
    std::ofstream f(JobDir(dir_.path(), "job-1") + "/worker.log", std::ios::app);
    f << "1\t0\tw-1\thalf";
  }
  ASSERT_OK_AND_ASSIGN(LogStore::Page torn, store.Read("job-1", std::nullopt, offset));
  EXPECT_THAT(torn.lines, IsEmpty());
  EXPECT_EQ(torn.next_offset, offset);
}

TEST_F(LogStoreTest, ALongLineIsCutOnACharacterBoundary) {
  std::string text;
  for (size_t i = 0; i < kMaxLogLineBytes; ++i) text += "\xc3\xa9";
  const std::string clean = LogStore::CleanText(text);
  EXPECT_LE(clean.size(), kMaxLogLineBytes);
  EXPECT_THAT(clean, ::testing::EndsWith("\xc3\xa9..."));
  EXPECT_EQ(LogStore::CleanText("ok"), "ok");
}

TEST_F(LogStoreTest, AJobsLogStopsAtItsLimitWithOneMarker) {
  LogStore store(dir_.path(), 200);
  for (int i = 0; i < 20; ++i) ASSERT_OK(store.Append("job-1", {Line(0, "0123456789")}));
  ASSERT_OK_AND_ASSIGN(LogStore::Page page, store.Read("job-1", std::nullopt, 0));
  ASSERT_GE(page.lines.size(), 2u);
  EXPECT_THAT(page.lines.back().text(), HasSubstr("reached its limit of 200 bytes"));
  int markers = 0;
  for (const auto& l : page.lines) markers += l.text().find("limit") != std::string::npos;
  EXPECT_EQ(markers, 1);
  // A new LogStore (a restarted coordinator) sees the file is full too.
  LogStore again(dir_.path(), 200);
  ASSERT_OK(again.Append("job-1", {Line(0, "more")}));
  ASSERT_OK_AND_ASSIGN(LogStore::Page after, again.Read("job-1", std::nullopt, 0));
  EXPECT_EQ(after.lines.size(), page.lines.size());
}

}  // namespace
}  // namespace tandem
