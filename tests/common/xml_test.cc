#include "common/xml.h"

#include <string>

#include "gtest/gtest.h"

namespace tandem {
namespace {

TEST(XmlEscapeTest, EmptyStaysEmpty) { EXPECT_EQ(XmlEscape(""), ""); }

TEST(XmlEscapeTest, PlainTextUnchanged) {
  EXPECT_EQ(XmlEscape("loss 1.5 / step"), "loss 1.5 / step");
}

TEST(XmlEscapeTest, AllFiveSpecialCharacters) {
  EXPECT_EQ(XmlEscape("&<>\"'"), "&amp;&lt;&gt;&quot;&apos;");
  EXPECT_EQ(XmlEscape("a<b> & \"c\" 'd'"), "a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;");
}

TEST(XmlEscapeTest, EntitiesAreEscapedAgain) {
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;");
}

TEST(XmlEscapeTest, MultiByteUtf8Untouched) {
  const std::string text = "pájaro € \xF0\x9F\x98\x80 \xE2\x96\x81un";
  EXPECT_EQ(XmlEscape(text), text);
  EXPECT_EQ(XmlEscape("ñ<€>"), "ñ&lt;€&gt;");
}

TEST(XmlEscapeTest, InvalidUtf8AndControlBytesCopiedAsTheyAre) {
  // Cleaning is the caller's job (attention_svg.cc replaces them with U+FFFD first).
  const std::string bad("a\xFF\xC3<\x01\x00z", 7);
  EXPECT_EQ(XmlEscape(bad), std::string("a\xFF\xC3&lt;\x01\x00z", 10));
}

}  // namespace
}  // namespace tandem
