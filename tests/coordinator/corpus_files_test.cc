// Where a job's corpus files may come from: uploads, or regular files under the operator's
// corpus roots after resolving symbolic links (DESIGN.md section 8).
#include "coordinator/corpus_files.h"

#include <unistd.h>

#include <string>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

class CorpusFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(MakeDirs(dir_.Join("root/sub")));
    ASSERT_OK(MakeDirs(dir_.Join("outside")));
    testing::WriteText(dir_.Join("root/train.en"), "a\n");
    testing::WriteText(dir_.Join("root/sub/train.es"), "b\n");
    testing::WriteText(dir_.Join("outside/secret"), "s\n");
    ASSERT_EQ(::symlink(dir_.Join("outside/secret").c_str(), dir_.Join("root/link-out").c_str()), 0);
    ASSERT_EQ(::symlink(dir_.Join("root/train.en").c_str(), dir_.Join("root/link-in").c_str()), 0);
    ASSERT_OK_AND_ASSIGN(uploads_, UploadStore::Open(dir_.Join("uploads"), 1 << 20, 1 << 20));
    ASSERT_OK_AND_ASSIGN(roots_, ResolveCorpusRoots({dir_.Join("root")}));
  }

  // Resolves a spec whose train_source is `source` (train_target is a good file).
  absl::StatusOr<v1::JobSpec> Resolve(const std::string& source,
                                      const std::vector<std::string>* roots = nullptr) {
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_source(source);
    spec.mutable_corpus()->set_train_target(dir_.Join("root/sub/train.es"));
    const v1::JobSpec before = spec;
    absl::Status s = ResolveCorpusFiles(spec, *uploads_, roots ? *roots : roots_);
    if (!s.ok()) {
      EXPECT_EQ(spec.DebugString(), before.DebugString());  // unchanged on error
      return s;
    }
    return spec;
  }

  testing::TempDir dir_;
  std::unique_ptr<UploadStore> uploads_;
  std::vector<std::string> roots_;
};

TEST_F(CorpusFilesTest, RegularFilesUnderARootAreAccepted) {
  ASSERT_OK_AND_ASSIGN(v1::JobSpec spec, Resolve(dir_.Join("root/train.en")));
  EXPECT_EQ(spec.corpus().train_source(), roots_[0] + "/train.en");
  ASSERT_OK_AND_ASSIGN(spec, Resolve(dir_.Join("root/link-in")));  // a link that stays inside
  EXPECT_EQ(spec.corpus().train_source(), roots_[0] + "/train.en");
  ASSERT_OK_AND_ASSIGN(spec, Resolve(dir_.Join("root/sub/../train.en")));
  EXPECT_EQ(spec.corpus().train_source(), roots_[0] + "/train.en");
}

TEST_F(CorpusFilesTest, EverythingElseIsRefusedNamingTheField) {
  EXPECT_THAT(Resolve(dir_.Join("outside/secret")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("corpus.train_source"), HasSubstr("--corpus_root"))));
  EXPECT_THAT(Resolve(dir_.Join("root/link-out")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("outside")));
  EXPECT_THAT(Resolve(dir_.Join("root/../outside/secret")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Resolve(dir_.Join("root/sub")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  EXPECT_THAT(Resolve(dir_.Join("root/missing")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("corpus.train_source")));
  EXPECT_THAT(Resolve("train.en"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("absolute")));
  // A device file, under a root that allows /dev.
  ASSERT_OK_AND_ASSIGN(auto dev, ResolveCorpusRoots({"/dev"}));
  EXPECT_THAT(Resolve("/dev/zero", &dev),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  // No roots (the default): no server path at all, and the message says to upload.
  const std::vector<std::string> none;
  EXPECT_THAT(Resolve(dir_.Join("root/train.en"), &none),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("tandem submit uploads")));
}

TEST_F(CorpusFilesTest, UploadsAreNamedByChecksum) {
  const std::string data = "uploaded\n";
  const std::string sha = Sha256Hex(data);
  EXPECT_THAT(Resolve("upload:" + sha), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  HasSubstr("corpus.train_source")));
  EXPECT_THAT(Resolve("upload:../../etc/passwd"), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto w, uploads_->Begin(sha, data.size()));
  ASSERT_OK(w->Append(data));
  ASSERT_OK(w->Finish());
  ASSERT_OK_AND_ASSIGN(v1::JobSpec spec, Resolve("upload:" + sha));
  EXPECT_EQ(testing::ReadText(spec.corpus().train_source()), data);
}

TEST_F(CorpusFilesTest, RootsMustBeDirectories) {
  EXPECT_THAT(ResolveCorpusRoots({dir_.Join("root/train.en")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--corpus_root")));
  EXPECT_THAT(ResolveCorpusRoots({dir_.Join("nope")}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveCorpusRoots({}), testing::IsOkAndHolds(::testing::IsEmpty()));
}

}  // namespace
}  // namespace tandem
