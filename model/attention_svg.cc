#include "model/attention_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"
#include "common/xml.h"

namespace tandem {
namespace {

constexpr char kWordMark[] = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK
constexpr int kFontPx = 12;
constexpr double kCharPx = 7.0;  // rough advance of one character at kFontPx

// Valid UTF-8 with characters XML 1.0 forbids (and other controls) replaced by U+FFFD, cut
// to `max_chars` code points with a trailing "…".
std::string CleanText(absl::string_view s, size_t max_chars) {
  std::u32string chars;
  DecodeUtf8(s, &chars);
  std::string out;
  size_t n = 0;
  for (char32_t c : chars) {
    if (n == max_chars) {
      AppendUtf8(0x2026, &out);
      break;
    }
    if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFE || c == 0xFFFF) c = 0xFFFD;
    AppendUtf8(c, &out);
    ++n;
  }
  return out;
}

struct Rgb {
  int r, g, b;
};

Rgb Colour(double v, AttentionColors colors) {
  v = std::clamp(v, 0.0, 1.0);
  if (colors == AttentionColors::kGrey) {
    const int level = static_cast<int>(std::lround(255.0 * (1.0 - v)));
    return {level, level, level};
  }
  // ColorBrewer "Blues" end points and middle, interpolated piecewise-linearly.
  static constexpr Rgb kStops[] = {{247, 251, 255}, {107, 174, 214}, {8, 48, 107}};
  const double x = v * 2.0;
  const int i = std::min(1, static_cast<int>(x));
  const double t = x - i;
  auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  return {mix(kStops[i].r, kStops[i + 1].r), mix(kStops[i].g, kStops[i + 1].g),
          mix(kStops[i].b, kStops[i + 1].b)};
}

std::string Hex(Rgb c) { return absl::StrFormat("#%02x%02x%02x", c.r, c.g, c.b); }

bool UsesWordMarks(const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) {
    if (absl::string_view(t).find(kWordMark) != absl::string_view::npos) return true;
  }
  return false;
}

// A piece that continues a word: starts with a letter or digit (any non-ASCII character
// counts as a letter) and is not a special token such as "</s>" or "<unk>".
bool ContinuesWord(absl::string_view t) {
  if (t.empty()) return false;
  if (t.size() >= 2 && t.front() == '<' && t.back() == '>') return false;
  const unsigned char c = static_cast<unsigned char>(t[0]);
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string DisplaySubword(const std::string& token, bool sequence_uses_word_marks) {
  absl::string_view t(token);
  std::string shown;
  if (t == kWordMark) {
    shown = kWordMark;
  } else if (absl::ConsumePrefix(&t, kWordMark)) {
    shown = std::string(t);
  } else if (sequence_uses_word_marks && ContinuesWord(t)) {
    shown = absl::StrCat("\xC2\xB7", t);  // U+00B7 MIDDLE DOT
  } else {
    shown = std::string(t);
  }
  return CleanText(shown, std::string::npos);
}

absl::StatusOr<std::string> AttentionHeatmapSvg(const std::vector<std::string>& source_tokens,
                                                const std::vector<std::string>& target_tokens,
                                                const std::vector<std::vector<float>>& weights,
                                                const std::string& title,
                                                const AttentionSvgOptions& options) {
  if (source_tokens.empty() || target_tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("attention heatmap needs at least one source and one target token; got ",
                     source_tokens.size(), " source and ", target_tokens.size(), " target tokens"));
  }
  if (source_tokens.size() > kMaxAttentionTokens || target_tokens.size() > kMaxAttentionTokens) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attention heatmap takes at most ", kMaxAttentionTokens, " tokens per axis; got ",
        source_tokens.size(), " source and ", target_tokens.size(), " target tokens"));
  }
  if (weights.size() != target_tokens.size()) {
    return absl::InvalidArgumentError(absl::StrCat("attention weights have ", weights.size(),
                                                   " rows but there are ", target_tokens.size(),
                                                   " target tokens"));
  }
  for (size_t t = 0; t < weights.size(); ++t) {
    if (weights[t].size() != source_tokens.size()) {
      return absl::InvalidArgumentError(absl::StrCat("attention weights row ", t, " has ",
                                                     weights[t].size(), " columns but there are ",
                                                     source_tokens.size(), " source tokens"));
    }
    for (size_t s = 0; s < weights[t].size(); ++s) {
      if (!std::isfinite(weights[t][s])) {
        return absl::InvalidArgumentError(
            absl::StrCat("attention weight [", t, "][", s, "] is not finite"));
      }
    }
  }
  if (options.cell_px < 8 || options.cell_px > 64) {
    return absl::InvalidArgumentError(absl::StrCat("cell_px must be 8..64, got ", options.cell_px));
  }
  const size_t max_chars = static_cast<size_t>(std::max(1, options.max_label_chars));

  auto labels = [max_chars](const std::vector<std::string>& tokens) {
    const bool marks = UsesWordMarks(tokens);
    std::vector<std::string> out;
    for (const std::string& t : tokens)
      out.push_back(CleanText(DisplaySubword(t, marks), max_chars));
    return out;
  };
  const std::vector<std::string> src = labels(source_tokens);
  const std::vector<std::string> tgt = labels(target_tokens);
  size_t src_chars = 1, tgt_chars = 1;
  for (const std::string& s : src) src_chars = std::max(src_chars, Utf8Length(s));
  for (const std::string& s : tgt) tgt_chars = std::max(tgt_chars, Utf8Length(s));

  const double cell = options.cell_px;
  const double pad = 12;
  const std::string clean_title = CleanText(title, 200);
  const double title_h = clean_title.empty() ? 0 : 28;
  const double gx = pad + tgt_chars * kCharPx + 8;
  const double gy = pad + title_h + src_chars * kCharPx + 8;
  const double grid_w = cell * source_tokens.size();
  const double grid_h = cell * target_tokens.size();
  const double legend_h = std::clamp(grid_h, 100.0, 240.0);
  const double legend_x = gx + grid_w + 24;
  const double legend_w = 14;
  const double width =
      std::max(legend_x + legend_w + 40 + pad, pad + Utf8Length(clean_title) * 9.5 + pad);  // bold 15 px title
  const double height = gy + std::max(grid_h, legend_h) + pad;

  std::string out;
  absl::StrAppendFormat(&out,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                        "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, "
                        "Helvetica, Arial, sans-serif\" font-size=\"%d\">\n",
                        std::ceil(width), std::ceil(height), std::ceil(width), std::ceil(height),
                        kFontPx);
  absl::StrAppend(&out, "<title>", XmlEscape(clean_title.empty() ? "attention" : clean_title),
                  "</title>\n");
  absl::StrAppend(&out, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
  if (!clean_title.empty()) {
    absl::StrAppendFormat(&out,
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\" "
                          "fill=\"#222222\">%s</text>\n",
                          pad, pad + 15, XmlEscape(clean_title));
  }

  // Source labels along the top, rotated to read upwards.
  absl::StrAppend(&out, "<g fill=\"#222222\">\n");
  for (size_t s = 0; s < src.size(); ++s) {
    const double x = gx + cell * s + cell / 2 + kFontPx * 0.35;
    absl::StrAppendFormat(&out, "<text transform=\"translate(%.1f %.1f) rotate(-90)\">%s</text>\n",
                          x, gy - 6, XmlEscape(src[s]));
  }
  // Target labels down the left, right-aligned against the grid.
  for (size_t t = 0; t < tgt.size(); ++t) {
    const double y = gy + cell * t + cell / 2 + kFontPx * 0.35;
    absl::StrAppendFormat(&out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                          gx - 6, y, XmlEscape(tgt[t]));
  }
  absl::StrAppend(&out, "</g>\n");

  // Cells.
  absl::StrAppend(&out, "<g shape-rendering=\"crispEdges\">\n");
  for (size_t t = 0; t < tgt.size(); ++t) {
    for (size_t s = 0; s < src.size(); ++s) {
      const double v = std::clamp(static_cast<double>(weights[t][s]), 0.0, 1.0);
      absl::StrAppendFormat(&out,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"%s\"><title>%s \xE2\x86\x92 %s: %.3f</title></rect>\n",
                            gx + cell * s, gy + cell * t, cell, cell,
                            Hex(Colour(v, options.colors)), XmlEscape(src[s]), XmlEscape(tgt[t]),
                            v);
    }
  }
  absl::StrAppend(&out, "</g>\n");
  absl::StrAppendFormat(&out,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                        "stroke=\"#888888\" stroke-width=\"1\"/>\n",
                        gx, gy, grid_w, grid_h);

  // Legend: a vertical bar from 0 (bottom) to 1 (top) with three ticks.
  absl::StrAppend(&out,
                  "<defs><linearGradient id=\"tandem-attention-legend\" x1=\"0\" y1=\"1\" "
                  "x2=\"0\" y2=\"0\">\n");
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    absl::StrAppendFormat(&out, "<stop offset=\"%.1f\" stop-color=\"%s\"/>\n", v,
                          Hex(Colour(v, options.colors)));
  }
  absl::StrAppend(&out, "</linearGradient></defs>\n");
  absl::StrAppendFormat(&out,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "fill=\"url(#tandem-attention-legend)\" stroke=\"#888888\" "
                        "stroke-width=\"1\"/>\n",
                        legend_x, gy, legend_w, legend_h);
  for (double v : {0.0, 0.5, 1.0}) {
    const double y = gy + legend_h * (1.0 - v);
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#888888\"/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\" fill=\"#222222\">%s</text>\n",
                          legend_x + legend_w, y, legend_x + legend_w + 4, y,
                          legend_x + legend_w + 7, y + kFontPx * 0.35,
                          v == 0.5 ? "0.5" : (v == 0 ? "0" : "1"));
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace tandem
