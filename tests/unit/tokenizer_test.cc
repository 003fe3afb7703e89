// Real SentencePiece through the module seam (no mocks).
#include "data/tokenizer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::HasSubstr;

TEST(TokenizerTest, TrainEncodeDecodeRoundTrip) {
  testing::TempDir dir;
  testing::WriteToyCorpus(dir.path(), 500);
  TokenizerTrainOptions o;
  o.input_files = {dir.Join("train.en")};
  o.model_prefix = dir.Join("m");
  o.vocab_size = 40;
  ASSERT_TRUE(TrainTokenizer(o).ok());
  auto tok = Tokenizer::Load(dir.Join("m.model"));
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->vocab_size(), 40);
  EXPECT_EQ((*tok)->IdToPiece(kPadId), "<pad>");
  EXPECT_EQ((*tok)->IdToPiece(kBosId), "<s>");
  EXPECT_EQ((*tok)->IdToPiece(kEosId), "</s>");
  EXPECT_EQ((*tok)->IdToPiece(kUnkId), "<unk>");
  auto ids = (*tok)->Encode("the big dog sings");
  ASSERT_TRUE(ids.ok());
  EXPECT_FALSE(ids->empty());
  for (int id : *ids) EXPECT_GT(id, kUnkId);
  auto text = (*tok)->Decode(*ids);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "the big dog sings");
  auto pieces = (*tok)->EncodePieces("the dog");
  ASSERT_TRUE(pieces.ok());
  EXPECT_GE(pieces->size(), 2u);
  EXPECT_TRUE((*tok)->Encode("")->empty());
  EXPECT_FALSE((*tok)->Decode({99999}).ok());
}

TEST(TokenizerTest, SameInputAndSeedGiveTheSameModel) {
  testing::TempDir dir;
  testing::WriteToyCorpus(dir.path(), 300);
  TokenizerTrainOptions o;
  o.input_files = {dir.Join("train.es")};
  o.vocab_size = 40;
  o.model_prefix = dir.Join("a");
  ASSERT_TRUE(TrainTokenizer(o).ok());
  o.model_prefix = dir.Join("b");
  ASSERT_TRUE(TrainTokenizer(o).ok());
  // The .model file records its own paths; the vocabulary with its scores must be identical.
  const std::string vocab = testing::ReadText(dir.Join("a.vocab"));
  EXPECT_FALSE(vocab.empty());
  EXPECT_EQ(vocab, testing::ReadText(dir.Join("b.vocab")));
}

TEST(TokenizerTest, VocabularyLargerThanTheCorpusAllowsNamesTheField) {
  testing::TempDir dir;
  testing::WriteToyCorpus(dir.path(), 50);
  TokenizerTrainOptions o;
  o.input_files = {dir.Join("train.en")};
  o.model_prefix = dir.Join("m");
  o.vocab_size = 5000;
  absl::Status s = TrainTokenizer(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("tokenizer.vocab_size: 5000 is larger than this corpus allows"));
  EXPECT_THAT(s.message(), HasSubstr("at most"));
}

TEST(TokenizerTest, LoadErrorsNameThePath) {
  testing::TempDir dir;
  auto missing = Tokenizer::Load(dir.Join("none.model"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("none.model"));
  testing::WriteText(dir.Join("junk.model"), "not a model");
  auto junk = Tokenizer::Load(dir.Join("junk.model"));
  EXPECT_EQ(junk.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(junk.status().message(), HasSubstr("junk.model"));
}

}  // namespace
}  // namespace tandem
