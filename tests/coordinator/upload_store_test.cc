#include "coordinator/upload_store.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using ::testing::IsNull;
using ::testing::NotNull;
using testing::IsOkAndHolds;
using testing::StatusIs;

class UploadStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<UploadStore> Open(uint64_t max_file = 1 << 20, uint64_t quota = 4 << 20) {
    auto store = UploadStore::Open(dir_.Join("uploads"), max_file, quota);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }
  // The names in the uploads directory.
  std::vector<std::string> Files() {
    std::vector<std::string> out;
    for (const auto& p : ListFiles(dir_.Join("uploads"), "")) out.push_back(p.substr(p.rfind('/') + 1));
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(UploadStoreTest, StoresAFileUnderItsChecksumInChunks) {
  auto store = Open();
  const std::string data = "the cat sleeps\nthe dog sings\n";
  const std::string sha = Sha256Hex(data);
  EXPECT_FALSE(store->Has(sha));
  EXPECT_THAT(store->PathOf(sha), StatusIs(absl::StatusCode::kNotFound, HasSubstr("tandem submit")));
  ASSERT_OK_AND_ASSIGN(auto writer, store->Begin(sha, data.size()));
  ASSERT_THAT(writer, NotNull());
  ASSERT_OK(writer->Append(data.substr(0, 5)));
  ASSERT_OK(writer->Append(""));
  ASSERT_OK(writer->Append(data.substr(5)));
  ASSERT_OK(writer->Finish());
  EXPECT_TRUE(store->Has(sha));
  ASSERT_OK_AND_ASSIGN(const std::string path, store->PathOf(sha));
  EXPECT_EQ(testing::ReadText(path), data);
  EXPECT_EQ(store->used_bytes(), data.size());
  // The same file again: nothing to do.
  EXPECT_THAT(store->Begin(sha, data.size()), IsOkAndHolds(IsNull()));
  EXPECT_THAT(Files(), ::testing::ElementsAre(sha));
}

TEST_F(UploadStoreTest, AnEmptyFileIsAnUpload) {
  auto store = Open();
  const std::string sha = Sha256Hex("");
  ASSERT_OK_AND_ASSIGN(auto writer, store->Begin(sha, 0));
  ASSERT_OK(writer->Finish());
  EXPECT_TRUE(store->Has(sha));
}

TEST_F(UploadStoreTest, LimitsAreCheckedBeforeAnythingIsWritten) {
  auto store = Open(/*max_file=*/100, /*quota=*/150);
  const std::string sha = Sha256Hex("x");
  EXPECT_THAT(store->Begin(sha, 101),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("--max_upload_bytes")));
  ASSERT_OK_AND_ASSIGN(auto first, store->Begin(Sha256Hex(std::string(100, 'a')), 100));
  // The reservation of an upload in progress counts against the quota.
  EXPECT_THAT(store->Begin(sha, 51),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("--upload_quota_bytes")));
  EXPECT_THAT(store->Begin("../../etc/passwd", 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store->Begin(std::string(64, 'A'), 1), StatusIs(absl::StatusCode::kInvalidArgument));
  first.reset();  // abandoned: its reservation and its partial file go
  EXPECT_EQ(store->used_bytes(), 0u);
  EXPECT_TRUE(Files().empty());
  EXPECT_OK(store->Begin(sha, 51));
}

TEST_F(UploadStoreTest, AMismatchKeepsNothing) {
  auto store = Open();
  const std::string data = "0123456789";
  const std::string sha = Sha256Hex(data);
  {  // longer than announced
    ASSERT_OK_AND_ASSIGN(auto w, store->Begin(sha, 5));
    EXPECT_THAT(w->Append(data), StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(w->Finish(), StatusIs(absl::StatusCode::kFailedPrecondition));
  }
  {  // shorter
    ASSERT_OK_AND_ASSIGN(auto w, store->Begin(sha, data.size()));
    ASSERT_OK(w->Append(data.substr(0, 9)));
    EXPECT_THAT(w->Finish(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("9 of 10")));
  }
  {  // other bytes
    ASSERT_OK_AND_ASSIGN(auto w, store->Begin(sha, data.size()));
    ASSERT_OK(w->Append("abcdefghij"));
    EXPECT_THAT(w->Finish(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr(sha)));
  }
  EXPECT_FALSE(store->Has(sha));
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(store->used_bytes(), 0u);
}

TEST_F(UploadStoreTest, ReopeningCountsFilesAndDropsUnfinishedUploads) {
  const std::string data(1000, 'z');
  {
    auto store = Open();
    ASSERT_OK_AND_ASSIGN(auto w, store->Begin(Sha256Hex(data), data.size()));
    ASSERT_OK(w->Append(data));
    ASSERT_OK(w->Finish());
    ASSERT_OK_AND_ASSIGN(auto unfinished, store->Begin(Sha256Hex("y"), 1));
    testing::WriteText(dir_.Join("uploads/leftover.1234.part"), "half");
    unfinished.release();  // as if the process died mid-upload (leaks the fd: test only)
  }
  auto store = Open();
  EXPECT_EQ(store->used_bytes(), data.size());
  EXPECT_THAT(Files(), ::testing::ElementsAre(Sha256Hex(data)));
}

TEST_F(UploadStoreTest, TheSameFileTwiceAtOnceIsStoredOnce) {
  auto store = Open();
  const std::string data = "concurrent";
  const std::string sha = Sha256Hex(data);
  ASSERT_OK_AND_ASSIGN(auto a, store->Begin(sha, data.size()));
  ASSERT_OK_AND_ASSIGN(auto b, store->Begin(sha, data.size()));
  ASSERT_OK(a->Append(data));
  ASSERT_OK(b->Append(data));
  ASSERT_OK(a->Finish());
  ASSERT_OK(b->Finish());
  EXPECT_EQ(store->used_bytes(), data.size());
  EXPECT_THAT(Files(), ::testing::ElementsAre(sha));
}

// Uploads no job in progress names are collected once unused for the TTL; named or recently
// used ones stay, and the quota gets their bytes back.
TEST_F(UploadStoreTest, CollectRemovesOnlyOldUnreferencedUploads) {
  auto store = Open();
  auto put = [&store](const std::string& data) {
    const std::string sha = Sha256Hex(data);
    auto writer = store->Begin(sha, data.size());
    EXPECT_OK(writer);
    EXPECT_OK((*writer)->Append(data));
    EXPECT_OK((*writer)->Finish());
    return sha;
  };
  const std::string named = put("named by a job\n");
  const std::string old = put("nobody's\n");
  const std::string recent = put("just uploaded\n");
  const std::string asked = put("asked for again\n");
  // Three of them an hour old.
  auto age = [this](const std::string& sha) {
    const std::string path = dir_.Join("uploads/" + sha);
    std::filesystem::last_write_time(
        path, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  };
  age(named);
  age(old);
  age(asked);
  EXPECT_TRUE(store->Keep(asked));  // a client deduplicating: used now
  EXPECT_FALSE(store->Keep(Sha256Hex("never uploaded")));
  EXPECT_FALSE(store->Keep("../../etc/passwd"));
  const uint64_t used = store->used_bytes();
  // A .part file of an upload in progress is never touched.
  testing::WriteText(dir_.Join("uploads/" + old + ".abcd.part"), "partial");

  EXPECT_EQ(store->Collect({named}, std::chrono::minutes(30)), 9u);  // "nobody's\n"
  EXPECT_FALSE(store->Has(old));
  EXPECT_TRUE(store->Has(named) && store->Has(recent) && store->Has(asked));
  EXPECT_EQ(store->used_bytes(), used - 9);
  EXPECT_THAT(Files(), ::testing::Contains(old + ".abcd.part"));
  // Nothing more to do at once; with a TTL of 0 everything unnamed goes.
  EXPECT_EQ(store->Collect({named}, std::chrono::minutes(30)), 0u);
  store->Collect({named}, std::chrono::seconds(0));
  EXPECT_TRUE(store->Has(named));
  EXPECT_FALSE(store->Has(recent) || store->Has(asked));
}

}  // namespace
}  // namespace tandem
