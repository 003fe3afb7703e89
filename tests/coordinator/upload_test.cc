// Corpus upload end to end, in-process: a JobClient submits a job naming files on its own
// machine; they stream to a real CoordinatorServer on 127.0.0.1, are checked and
// deduplicated; server paths are accepted only under --corpus_root; limits hold before
// anything is stored, and the coordinator goes on serving.
#include <filesystem>
#include <fstream>
#include <memory>
#include <tuple>
#include <string>
#include <vector>

#include "client/job_client.h"
#include "common/files.h"
#include "common/grpc_util.h"
#include "coordinator/coordinator_server.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tandem/v1/job_service.grpc.pb.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

struct Reported {
  std::string file;
  uint64_t sent, total;
  bool skipped;
};

class UploadTest : public ::testing::Test {
 protected:
  void Start(uint64_t max_upload = 64 << 20, std::vector<std::string> roots = {}) {
    CoordinatorServerOptions o;
    o.coordinator.data_dir = dir_.Join("coord");
    o.coordinator.max_upload_bytes = max_upload;
    o.coordinator.corpus_roots = std::move(roots);
    o.listen = "127.0.0.1:0";
    o.metrics_listen = "";
    server_.reset();
    auto server = CoordinatorServer::Start(o);
    ASSERT_OK(server);
    server_ = *std::move(server);
    client_ = std::make_unique<JobClient>("127.0.0.1:" + std::to_string(server_->port()),
                                          std::chrono::seconds(10));
  }

  v1::JobSpec Spec(const std::string& dir) {
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_source(dir + "/train.en");
    spec.mutable_corpus()->set_train_target(dir + "/train.es");
    spec.mutable_tokenizer()->set_vocab_size(40);
    return spec;
  }

  JobClient::UploadProgress Record() {
    return [this](const std::string& f, uint64_t sent, uint64_t total, bool skipped) {
      reported_.push_back({f, sent, total, skipped});
    };
  }

  testing::TempDir dir_;
  std::unique_ptr<CoordinatorServer> server_;
  std::unique_ptr<JobClient> client_;
  std::vector<Reported> reported_;
};

TEST_F(UploadTest, SubmitUploadsTheCorpusOnceAndTheJobReadsIt) {
  Start();
  testing::WriteToyCorpus(dir_.Join("laptop"), 300);
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(Spec(dir_.Join("laptop")), Record()));
  ASSERT_EQ(reported_.size(), 2u);
  for (const Reported& r : reported_) {
    EXPECT_FALSE(r.skipped);
    EXPECT_EQ(r.sent, r.total);
  }
  // The stored job reads the uploads, not the client's paths.
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, client_->Get(id));
  const std::string uploads = dir_.Join("coord/uploads/");
  EXPECT_THAT(job.spec().corpus().train_source(), HasSubstr(uploads));
  ASSERT_OK_AND_ASSIGN(const std::string sha, Sha256OfFile(dir_.Join("laptop/train.en")));
  EXPECT_EQ(job.spec().corpus().train_source(), uploads + sha);
  EXPECT_EQ(testing::ReadText(uploads + sha), testing::ReadText(dir_.Join("laptop/train.en")));
  // Shown by the names the files had on the client's machine, not the storage paths.
  EXPECT_EQ(job.corpus_file_names().at("corpus.train_source"), "train.en");
  EXPECT_EQ(job.corpus_file_names().at("corpus.train_target"), "train.es");

  // The same files again: nothing is sent.
  reported_.clear();
  ASSERT_OK(client_->Submit(Spec(dir_.Join("laptop")), Record()));
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_TRUE(reported_[0].skipped && reported_[1].skipped);
  EXPECT_EQ(ListFiles(uploads, "").size(), 2u);
}

// SubmitJobRequest.file_names is bounded and only names uploads: a bad entry is refused and
// nothing is stored.
TEST_F(UploadTest, FileNamesFromTheNetworkAreCheckedBeforeTheJobIsStored) {
  Start();
  testing::WriteToyCorpus(dir_.Join("laptop"), 300);
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(Spec(dir_.Join("laptop")), Record()));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, client_->Get(id));
  // The raw RPC (JobClient would send only names it built itself), through the project's
  // channel: plaintext, as the coordinator allows on loopback.
  auto stub = v1::JobService::NewStub(MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
  v1::SubmitJobRequest req;
  ASSERT_OK_AND_ASSIGN(const std::string src_sha, Sha256OfFile(dir_.Join("laptop/train.en")));
  ASSERT_OK_AND_ASSIGN(const std::string tgt_sha, Sha256OfFile(dir_.Join("laptop/train.es")));
  req.mutable_spec()->mutable_corpus()->set_train_source("upload:" + src_sha);
  req.mutable_spec()->mutable_corpus()->set_train_target("upload:" + tgt_sha);
  req.mutable_spec()->mutable_tokenizer()->set_vocab_size(40);
  for (const auto& [field, name, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"corpus.valid_source", "v.en", "'corpus.valid_source' is not a corpus field naming"},
           {"spec.name", "x", "is not a corpus field naming an upload"},
           {"corpus.train_source", "", "not a file name of 1 to 255 bytes"},
           {"corpus.train_source", "../etc/passwd", "not a file name"},
           {"corpus.train_source", "a\nb", "not a file name"},
           {"corpus.train_source", std::string(256, 'n'), "not a file name"}}) {
    // (Bytes that are not UTF-8 never arrive: protobuf refuses them in a string field.)
    v1::SubmitJobRequest bad = req;
    (*bad.mutable_file_names())[field] = name;
    grpc::ClientContext ctx;
    v1::SubmitJobResponse resp;
    const grpc::Status s = stub->SubmitJob(&ctx, bad, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << " " << name;
    EXPECT_THAT(s.error_message(), HasSubstr(says)) << field;
  }
  ASSERT_OK_AND_ASSIGN(const auto all, client_->List());
  EXPECT_EQ(all.size(), 1u) << "nothing stored for the refused submissions";
  (*req.mutable_file_names())["corpus.train_source"] = "données.en";
  grpc::ClientContext ctx;
  v1::SubmitJobResponse resp;
  ASSERT_TRUE(stub->SubmitJob(&ctx, req, &resp).ok());
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo named, client_->Get(resp.job_id()));
  EXPECT_EQ(named.corpus_file_names().at("corpus.train_source"), "données.en");
  EXPECT_EQ(named.corpus_file_names().count("corpus.train_target"), 0u);
}

TEST_F(UploadTest, ServerPathsOnlyUnderACorpusRoot) {
  testing::WriteToyCorpus(dir_.Join("srv"), 100);
  Start();
  v1::JobSpec spec = Spec("server:" + dir_.Join("srv"));
  EXPECT_THAT(client_->Submit(spec),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       ::testing::AllOf(HasSubstr("corpus.train_source"), HasSubstr("--corpus_root"))));
  Start(64 << 20, {dir_.Join("srv")});
  ASSERT_OK_AND_ASSIGN(const std::string id, client_->Submit(spec));
  EXPECT_EQ(client_->Get(id)->spec().corpus().train_source(), dir_.Join("srv/train.en"));
  // Outside the root, even with a root set.
  testing::WriteToyCorpus(dir_.Join("elsewhere"), 100);
  EXPECT_THAT(client_->Submit(Spec("server:" + dir_.Join("elsewhere"))),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(client_->List()->size(), 1u);
}

TEST_F(UploadTest, AnOversizedUploadIsRefusedBeforeItIsStoredOrBuffered) {
  Start(/*max_upload=*/1 << 20);
  ASSERT_OK(MakeDirs(dir_.Join("big")));
  // 24 MiB per file: refused at the first chunk, from its announced size.
  const std::string line(999, 'w');
  std::string text;
  for (int i = 0; i < 24 * 1024; ++i) text += line + "\n";
  testing::WriteText(dir_.Join("big/train.en"), text);
  testing::WriteText(dir_.Join("big/train.es"), text);
  testing::ResetPeakRss();
  const long before = testing::PeakRssKiB();
  EXPECT_THAT(client_->Submit(Spec(dir_.Join("big"))),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("--max_upload_bytes")));
  // Client and coordinator share this process: its peak memory did not grow by the file
  // (24 MiB). The bound leaves room for what a first call costs besides (gRPC's threads and
  // arenas: 16.1 MiB was seen once under ctest -j2), not for a copy of the file.
  EXPECT_LT(testing::PeakRssKiB() - before, 20 * 1024) << "KiB";
  EXPECT_TRUE(ListFiles(dir_.Join("coord/uploads"), "").empty());
  EXPECT_TRUE(client_->List()->empty());
  // The coordinator still serves, and a small corpus still goes through.
  testing::WriteToyCorpus(dir_.Join("small"), 100);
  EXPECT_OK(client_->Submit(Spec(dir_.Join("small"))));
}

TEST_F(UploadTest, AnOverlongLineIsRefusedWhileReadingNotAfter) {
  Start(/*max_upload=*/256 << 20);
  testing::WriteToyCorpus(dir_.Join("ok"), 100);
  ASSERT_OK_AND_ASSIGN(const std::string good, client_->Submit(Spec(dir_.Join("ok"))));
  // 96 MiB without a newline on line 3 of the source.
  ASSERT_OK(MakeDirs(dir_.Join("long")));
  {
    std::ofstream out(dir_.Join("long/train.en"), std::ios::binary);
    out << "one\ntwo\n";
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 96; ++i) out << block;
    out << "\n";
  }
  testing::WriteText(dir_.Join("long/train.es"), "uno\ndos\ntres\n");
  // Uploaded first (streaming; AnOversizedUpload... checks its memory), so that what is
  // measured is the check at submit alone.
  ASSERT_OK(client_->Upload(dir_.Join("long/train.en")));
  ASSERT_OK(client_->Upload(dir_.Join("long/train.es")));
  testing::ResetPeakRss();
  const long before = testing::PeakRssKiB();
  // Refused at submit, naming the job's field and the line (not the coordinator's copy).
  EXPECT_THAT(client_->Submit(Spec(dir_.Join("long"))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("corpus.train_source:3: line is 100663296 bytes"),
                                        HasSubstr("more than the limit"),
                                        ::testing::Not(HasSubstr("uploads/")))));
  // Reading stopped at the limit: memory did not grow by the line.
  EXPECT_LT(testing::PeakRssKiB() - before, 16 * 1024) << "KiB";
  // The other job is untouched.
  ASSERT_OK_AND_ASSIGN(auto jobs, client_->List());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id(), good);
}

TEST_F(UploadTest, AnOversizedModelIsRefusedAtSubmitBeforeAnythingIsAllocated) {
  Start();
  testing::WriteToyCorpus(dir_.Join("ok"), 100);
  ASSERT_OK_AND_ASSIGN(const std::string good, client_->Submit(Spec(dir_.Join("ok"))));
  // Every dimension in range; the whole is tens of billions of parameters (hundreds of GB).
  v1::JobSpec spec = Spec(dir_.Join("ok"));
  spec.mutable_tokenizer()->set_vocab_size(64000);
  spec.mutable_model()->set_embedding_dim(4096);
  spec.mutable_model()->set_hidden_dim(4096);
  spec.mutable_model()->set_encoder_layers(8);
  spec.mutable_model()->set_decoder_layers(8);
  testing::ResetPeakRss();
  const long before = testing::PeakRssKiB();
  EXPECT_THAT(client_->Submit(spec),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("parameters"), HasSubstr("make the model smaller"))));
  EXPECT_LT(testing::PeakRssKiB() - before, 16 * 1024) << "KiB";
  ASSERT_OK_AND_ASSIGN(auto jobs, client_->List());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].id(), good);
}

TEST_F(UploadTest, UploadsOfFinishedJobsAreCollectedThoseOfJobsInProgressKept) {
  Start();
  testing::WriteToyCorpus(dir_.Join("a"), 120);
  testing::WriteToyCorpus(dir_.Join("b"), 130);
  ASSERT_OK_AND_ASSIGN(const std::string a, client_->Submit(Spec(dir_.Join("a"))));
  ASSERT_OK_AND_ASSIGN(const std::string b, client_->Submit(Spec(dir_.Join("b"))));
  ASSERT_OK(client_->Cancel(b));
  const std::string uploads = dir_.Join("coord/uploads");
  ASSERT_EQ(ListFiles(uploads, "").size(), 4u);
  // Unused for two days: past the default TTL of a day.
  for (const std::string& f : ListFiles(uploads, "")) {
    std::filesystem::last_write_time(
        f, std::filesystem::file_time_type::clock::now() - std::chrono::hours(48));
  }
  const uint64_t used = server_->coordinator().uploads().used_bytes();
  const uint64_t freed = server_->coordinator().CollectUploads();
  EXPECT_GT(freed, 0u);
  EXPECT_EQ(server_->coordinator().uploads().used_bytes(), used - freed);
  // Job a (in progress) keeps its two files; the cancelled job's are gone.
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job_a, client_->Get(a));
  EXPECT_THAT(ListFiles(uploads, ""),
              ::testing::UnorderedElementsAre(job_a.spec().corpus().train_source(),
                                              job_a.spec().corpus().train_target()));
  // Submitting b's files again uploads them again.
  reported_.clear();
  ASSERT_OK(client_->Submit(Spec(dir_.Join("b")), Record()));
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_FALSE(reported_[0].skipped || reported_[1].skipped);
}

TEST_F(UploadTest, AFileThatDoesNotMatchItsChecksumIsNotKept) {
  Start();
  testing::WriteToyCorpus(dir_.Join("c"), 50);
  ASSERT_OK_AND_ASSIGN(std::string ref, client_->Upload(dir_.Join("c/train.en")));
  EXPECT_THAT(ref, ::testing::StartsWith("upload:"));
  EXPECT_THAT(client_->Upload(dir_.Join("c/missing.en")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing.en")));
  // Naming an upload that was never made.
  v1::JobSpec spec = Spec(dir_.Join("c"));
  spec.mutable_corpus()->set_train_target("upload:" + std::string(64, 'a'));
  EXPECT_THAT(client_->Submit(spec),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("corpus.train_target")));
}

}  // namespace
}  // namespace tandem
