#include "common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace tandem {
namespace {

TEST(Utf8Test, ValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("pájaro canción ñ €"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
}

TEST(Utf8Test, InvalidSequencesAndTheirOffsets) {
  EXPECT_EQ(FindInvalidUtf8("ab\xFF"), 2u);          // never valid byte
  EXPECT_EQ(FindInvalidUtf8("\xC3"), 0u);            // truncated
  EXPECT_EQ(FindInvalidUtf8("x\xC0\xAF"), 1u);       // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);    // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\x80"), 2u);          // lone continuation
}

TEST(Utf8Test, DecodeAtReportsCodePointAndLength) {
  const std::string text = "a\xC3\xB1\xE2\x82\xAC\xF0\x9F\x98\x80";  // a ñ € U+1F600
  char32_t cp = 0;
  size_t len = 0;
  ASSERT_TRUE(DecodeUtf8At(text, 0, &cp, &len));
  EXPECT_EQ(cp, U'a');
  EXPECT_EQ(len, 1u);
  ASSERT_TRUE(DecodeUtf8At(text, 1, &cp, &len));
  EXPECT_EQ(cp, 0xF1u);
  EXPECT_EQ(len, 2u);
  ASSERT_TRUE(DecodeUtf8At(text, 3, &cp, &len));
  EXPECT_EQ(cp, 0x20ACu);
  EXPECT_EQ(len, 3u);
  ASSERT_TRUE(DecodeUtf8At(text, 6, &cp, &len));
  EXPECT_EQ(cp, 0x1F600u);
  EXPECT_EQ(len, 4u);
}

TEST(Utf8Test, DecodeAtStepsOneByteOverMalformedInput) {
  size_t len = 0;
  char32_t cp = 0;
  EXPECT_FALSE(DecodeUtf8At("\xE2\x82", 0, &cp, &len));  // truncated
  EXPECT_EQ(len, 1u);
  EXPECT_FALSE(DecodeUtf8At("\x80", 0, &cp, &len));
  EXPECT_EQ(len, 1u);
}

TEST(Utf8Test, DecodeReplacesEachBadByteWithReplacementCharacter) {
  std::u32string out;
  EXPECT_TRUE(DecodeUtf8("", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(DecodeUtf8("a\xC3\xB1", &out));
  EXPECT_EQ(out, U"a\u00F1");
  // A truncated 3-byte sequence: its lead and its one continuation byte each become U+FFFD.
  EXPECT_FALSE(DecodeUtf8("x\xE2\x82y", &out));
  EXPECT_EQ(out, U"x\uFFFD\uFFFDy");
}

TEST(Utf8Test, AppendRoundTripsEveryEncodingLength) {
  for (char32_t c : {U'\0', U'A', char32_t{0x7F}, char32_t{0x80}, char32_t{0x7FF},
                     char32_t{0x800}, char32_t{0xFFFD}, char32_t{0x10000}, char32_t{0x10FFFF}}) {
    std::string bytes;
    AppendUtf8(c, &bytes);
    std::u32string back;
    ASSERT_TRUE(DecodeUtf8(bytes, &back)) << static_cast<uint32_t>(c);
    EXPECT_EQ(back, std::u32string(1, c));
  }
  std::string s;
  AppendUtf8(0x20AC, &s);
  EXPECT_EQ(s, "\xE2\x82\xAC");
}

TEST(Utf8Test, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("ñ€\xF0\x9F\x98\x80"), 3u);
}

}  // namespace
}  // namespace tandem
