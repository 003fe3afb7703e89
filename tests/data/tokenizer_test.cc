// Real SentencePiece through the module seam (no mocks).
#include "data/tokenizer.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(TokenizerTest, TrainEncodeDecodeRoundTrip) {
  testing::TempDir dir;
  testing::WriteToyCorpus(dir.path(), 500);
  TokenizerTrainOptions o;
  o.input_files = {dir.Join("train.en")};
  o.model_prefix = dir.Join("m");
  o.vocab_size = 40;
  ASSERT_OK(TrainTokenizer(o));
  auto tok = Tokenizer::Load(dir.Join("m.model"));
  ASSERT_OK(tok);
  EXPECT_EQ((*tok)->vocab_size(), 40);
  EXPECT_EQ((*tok)->IdToPiece(kPadId), "<pad>");
  EXPECT_EQ((*tok)->IdToPiece(kBosId), "<s>");
  EXPECT_EQ((*tok)->IdToPiece(kEosId), "</s>");
  EXPECT_EQ((*tok)->IdToPiece(kUnkId), "<unk>");
  auto ids = (*tok)->Encode("the big dog sings");
  ASSERT_OK(ids);
  EXPECT_FALSE(ids->empty());
  for (int id : *ids) EXPECT_GT(id, kUnkId);
  auto text = (*tok)->Decode(*ids);
  ASSERT_OK(text);
  EXPECT_EQ(*text, "the big dog sings");
  auto pieces = (*tok)->EncodePieces("the dog");
  ASSERT_OK(pieces);
  EXPECT_GE(pieces->size(), 2u);
  EXPECT_THAT((*tok)->Encode(""), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT((*tok)->Decode({99999}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tokenizer: id 99999 is outside the vocabulary [0, 40)")));
}

TEST(TokenizerTest, SameInputAndSeedGiveTheSameModel) {
  testing::TempDir dir;
  testing::WriteToyCorpus(dir.path(), 300);
  TokenizerTrainOptions o;
  o.input_files = {dir.Join("train.es")};
  o.vocab_size = 40;
  o.model_prefix = dir.Join("a");
  ASSERT_OK(TrainTokenizer(o));
  o.model_prefix = dir.Join("b");
  ASSERT_OK(TrainTokenizer(o));
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
  EXPECT_THAT(
      TrainTokenizer(o),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("tokenizer.vocab_size: 5000 is larger than this corpus allows"),
                     HasSubstr("at most"))));
}

TEST(TokenizerTest, LoadErrorsNameThePath) {
  testing::TempDir dir;
  EXPECT_THAT(Tokenizer::Load(dir.Join("none.model")),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("cannot read tokenizer model " + dir.Join("none.model"))));
  testing::WriteText(dir.Join("junk.model"), "not a model");
  EXPECT_THAT(Tokenizer::Load(dir.Join("junk.model")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot load tokenizer model " + dir.Join("junk.model"))));
}

// The module is loaded once per process, so each of these runs in a child process of its own
// (re-executed, not forked: the module is loaded with dlmopen).
TEST(TokenizerDeathTest, ExplicitModulePathIsTriedFirst) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  testing::TempDir dir;
  const std::string copy = dir.Join("libtandem_spm.so");
  testing::WriteText(copy, testing::ReadText(testing::BinDir() + "/libtandem_spm.so"));
  EXPECT_EXIT(
      {
        SetSentencePieceModulePath(copy);
        const absl::StatusOr<std::string> path = SpmModulePath();
        std::exit(path.ok() && *path == copy ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(TokenizerDeathTest, MissingExplicitModulePathFallsBackToTheDefaults) {
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(
      {
        SetSentencePieceModulePath("/nonexistent/libtandem_spm.so");
        const absl::StatusOr<std::string> path = SpmModulePath();
        std::exit(path.ok() && *path != "/nonexistent/libtandem_spm.so" ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace tandem
