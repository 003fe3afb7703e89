#include "data/utf8.h"

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

}  // namespace
}  // namespace tandem
