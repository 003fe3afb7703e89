// The attention heatmap SVG: shape checks, escaping, well-formedness.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/attention_svg.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Checks that every start tag has a matching end tag in order (self-closing tags, the XML
// declaration and comments aside), and that no raw '<' or '&' sits in text or attributes.
bool WellFormed(const std::string& xml, std::string* why) {
  std::vector<std::string> stack;
  size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      const std::string entity = xml.substr(i, semi == std::string::npos ? 1 : semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;") {
        *why = "bad entity " + entity;
        return false;
      }
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) {
      *why = "unterminated tag";
      return false;
    }
    std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) {
      *why = "'<' inside tag " + tag;
      return false;
    }
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag.back() == '/') continue;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) {
        *why = "unbalanced </" + name + ">";
        return false;
      }
      stack.pop_back();
      continue;
    }
    stack.push_back(tag.substr(0, tag.find_first_of(" \n\t")));
  }
  if (!stack.empty()) {
    *why = "unclosed <" + stack.back() + ">";
    return false;
  }
  return true;
}

TEST(AttentionSvgTest, WellFormedWithCellsLabelsAndLegend) {
  std::vector<std::string> src = {
      "\xE2\x96\x81"
      "the",
      "\xE2\x96\x81"
      "cat",
      "s", "."};
  std::vector<std::string> tgt = {
      "\xE2\x96\x81"
      "los",
      "\xE2\x96\x81"
      "gatos",
      "</s>"};
  std::vector<std::vector<float>> w = {
      {0.9f, 0.05f, 0.05f, 0.0f}, {0.0f, 0.7f, 0.3f, 0.0f}, {0.0f, 0.0f, 0.1f, 0.9f}};
  absl::StatusOr<std::string> svg = AttentionHeatmapSvg(src, tgt, w, "en \xE2\x86\x92 es");
  ASSERT_OK(svg);
  std::string why;
  EXPECT_TRUE(WellFormed(*svg, &why)) << why;
  EXPECT_THAT(*svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(*svg, HasSubstr("rotate(-90)"));
  EXPECT_THAT(*svg, HasSubstr("linearGradient"));
  // Word-start marks are dropped, continuation pieces get a middle dot, "</s>" is escaped.
  EXPECT_THAT(*svg, HasSubstr(">cat</text>"));
  EXPECT_THAT(*svg, HasSubstr(">\xC2\xB7s</text>"));
  EXPECT_THAT(*svg, HasSubstr(">&lt;/s&gt;</text>"));
  // 12 cells: weight 0.9 is dark grey, 0 is white.
  size_t cells = 0;
  for (size_t p = svg->find("<rect x="); p != std::string::npos; p = svg->find("<rect x=", p + 1)) {
    ++cells;
  }
  EXPECT_EQ(cells, 12u + 2u);                        // cells, grid frame, legend bar
  EXPECT_THAT(*svg, HasSubstr("fill=\"#1a1a1a\""));  // 255 * 0.1 = 25.5 -> 26
  EXPECT_THAT(*svg, HasSubstr("fill=\"#ffffff\"><title>"));
}

TEST(AttentionSvgTest, EscapesMarkupInLabelsAndTitle) {
  std::vector<std::string> src = {"<b>", "a&b", "\"q\"", "it's"};
  std::vector<std::string> tgt = {"x<y",
                                  "\x01"
                                  "ctl"};
  std::vector<std::vector<float>> w = {{0.25f, 0.25f, 0.25f, 0.25f}, {1, 0, 0, 0}};
  absl::StatusOr<std::string> svg = AttentionHeatmapSvg(src, tgt, w, "<script>&\"");
  ASSERT_OK(svg);
  std::string why;
  EXPECT_TRUE(WellFormed(*svg, &why)) << why;
  EXPECT_THAT(*svg, Not(HasSubstr("<b>")));
  EXPECT_THAT(*svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(*svg, HasSubstr("&lt;b&gt;"));
  EXPECT_THAT(*svg, HasSubstr("a&amp;b"));
  EXPECT_THAT(*svg, HasSubstr("&quot;q&quot;"));
  EXPECT_THAT(*svg, HasSubstr("it&apos;s"));
  EXPECT_THAT(*svg, HasSubstr("&lt;script&gt;&amp;&quot;"));
  EXPECT_THAT(*svg, Not(HasSubstr("\x01")));  // control character replaced
}

TEST(AttentionSvgTest, BlueScaleAndClamping) {
  AttentionSvgOptions options;
  options.colors = AttentionColors::kBlues;
  absl::StatusOr<std::string> svg =
      AttentionHeatmapSvg({"a", "b"}, {"c"}, {{1.5f, -0.2f}}, "", options);
  ASSERT_OK(svg);
  EXPECT_THAT(*svg, HasSubstr("fill=\"#08306b\""));  // clamped to 1
  EXPECT_THAT(*svg, HasSubstr("fill=\"#f7fbff\""));  // clamped to 0
}

TEST(AttentionSvgTest, ShapeMismatchIsAnError) {
  EXPECT_THAT(AttentionHeatmapSvg({"a", "b"}, {"x", "y"}, {{0.5f, 0.5f}}, "t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("1 rows but there are 2 target tokens")));
  EXPECT_THAT(AttentionHeatmapSvg({"a", "b"}, {"x", "y"}, {{0.5f, 0.5f}, {1.0f}}, "t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("row 1 has 1 columns but there are 2 source")));
  EXPECT_THAT(AttentionHeatmapSvg({}, {"x"}, {{}}, "t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at least one source and one target token; got 0 source")));
  EXPECT_THAT(AttentionHeatmapSvg({"a"}, {"x"}, {{std::nanf("")}}, "t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("attention weight [0][0] is not finite")));
}

TEST(AttentionSvgTest, DisplaySubword) {
  EXPECT_EQ(DisplaySubword("\xE2\x96\x81"
                           "the",
                           true),
            "the");
  EXPECT_EQ(DisplaySubword("ing", true),
            "\xC2\xB7"
            "ing");
  EXPECT_EQ(DisplaySubword("ing", false), "ing");
  EXPECT_EQ(DisplaySubword("\xE2\x96\x81", true), "\xE2\x96\x81");
  EXPECT_EQ(DisplaySubword(".", true), ".");
  EXPECT_EQ(DisplaySubword("<unk>", true), "<unk>");
}

}  // namespace
}  // namespace tandem
