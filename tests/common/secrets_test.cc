#include "common/secrets.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::IsOkAndHolds;
using testing::StatusIs;

TEST(CheckTokenTest, LengthAndCharactersAreBounded) {
  EXPECT_TRUE(CheckToken("t", std::string(16, 'a')).ok());
  EXPECT_TRUE(CheckToken("t", std::string(4096, '~')).ok());
  EXPECT_THAT(CheckToken("TANDEM_TOKEN", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("TANDEM_TOKEN")));
  EXPECT_THAT(CheckToken("t", std::string(15, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not 15")));
  EXPECT_THAT(CheckToken("t", std::string(4097, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not 4097")));
  EXPECT_THAT(CheckToken("t", "abcdefgh ijklmnopq"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("printable")));
  EXPECT_THAT(CheckToken("t", std::string("abcdefghijklmnop\x01", 17)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckToken("t", "abcdefghijklmnop\xc3\xa9"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CheckTokenTest, ErrorsNeverContainTheToken) {
  const std::string secret = "secret secret secret";
  absl::Status s = CheckToken("TANDEM_TOKEN", secret);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("secret")));
}

TEST(ReadTokenFileTest, TrimsOneNewlineAndNamesThePath) {
  testing::TempDir dir;
  const std::string token = "0123456789abcdef0123456789abcdef";
  testing::WriteText(dir.Join("plain"), token);
  testing::WriteText(dir.Join("newline"), token + "\n");
  testing::WriteText(dir.Join("crlf"), token + "\r\n");
  EXPECT_THAT(ReadTokenFile(dir.Join("plain")), IsOkAndHolds(token));
  EXPECT_THAT(ReadTokenFile(dir.Join("newline")), IsOkAndHolds(token));
  EXPECT_THAT(ReadTokenFile(dir.Join("crlf")), IsOkAndHolds(token));

  testing::WriteText(dir.Join("empty"), "");
  testing::WriteText(dir.Join("just-newline"), "\n");
  testing::WriteText(dir.Join("two-lines"), token + "\n" + token + "\n");
  testing::WriteText(dir.Join("huge"), std::string(1 << 20, 'a'));
  EXPECT_THAT(ReadTokenFile(dir.Join("missing")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir.Join("missing"))));
  EXPECT_THAT(ReadTokenFile(dir.Join("empty")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ReadTokenFile(dir.Join("just-newline")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ReadTokenFile(dir.Join("two-lines")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(dir.Join("two-lines"))));
  EXPECT_THAT(ReadTokenFile(dir.Join("huge")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(dir.Join("huge"))));
  EXPECT_THAT(ReadTokenFile(dir.path()), Not(IsOkAndHolds(::testing::_)));
}

TEST(ReadTokenFilesTest, ReadsEachInOrderAndStopsAtTheFirstError) {
  testing::TempDir dir;
  testing::WriteText(dir.Join("a"), "aaaaaaaaaaaaaaaaaaaa\n");
  testing::WriteText(dir.Join("b"), "bbbbbbbbbbbbbbbbbbbb\n");
  EXPECT_THAT(ReadTokenFiles({}), IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(ReadTokenFiles({dir.Join("a"), dir.Join("b")}),
              IsOkAndHolds(::testing::ElementsAre("aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb")));
  EXPECT_THAT(ReadTokenFiles({dir.Join("a"), dir.Join("nope")}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST(TokensEqualTest, ComparesWholeValues) {
  EXPECT_TRUE(TokensEqual("", ""));
  EXPECT_TRUE(TokensEqual("abc", "abc"));
  EXPECT_FALSE(TokensEqual("abc", "abd"));
  EXPECT_FALSE(TokensEqual("abc", "abcd"));  // a prefix is not enough
  EXPECT_FALSE(TokensEqual("abcd", "abc"));
  EXPECT_FALSE(TokensEqual("", "a"));
  EXPECT_FALSE(TokensEqual(std::string("a\0b", 3), std::string("a\0c", 3)));  // past a NUL
}

TEST(RandomHexTest, HasTheLengthAndDoesNotRepeat) {
  EXPECT_EQ(RandomHex(0), "");
  EXPECT_EQ(RandomHex(1).size(), 2u);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string h = RandomHex(32);
    ASSERT_EQ(h.size(), 64u);
    ASSERT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
    seen.insert(h);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(HmacSha256HexTest, MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_NE(HmacSha256Hex("Jefe", "collective/j1/1"), HmacSha256Hex("Jefe", "collective/j1/2"));
  EXPECT_NE(HmacSha256Hex("Jefe", "x"), HmacSha256Hex("Jeff", "x"));
}

}  // namespace
}  // namespace tandem
