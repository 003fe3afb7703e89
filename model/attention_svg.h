// The alignment figure of Bahdanau et al. (2015) as a standalone SVG: one square per
// (target, source) pair shaded by its attention weight, source subwords along the top
// (rotated labels), target subwords down the left, a colour legend on the right, and a
// tooltip (<title>) per cell with the pair and the weight. Torch-free.
#ifndef TANDEM_MODEL_ATTENTION_SVG_H_
#define TANDEM_MODEL_ATTENTION_SVG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem {

enum class AttentionColors {
  kGrey,   // white = 0, black = 1, as in Bahdanau et al.
  kBlues,  // light to dark blue (single hue)
};

struct AttentionSvgOptions {
  AttentionColors colors = AttentionColors::kGrey;
  int cell_px = 22;          // side of one cell, 8..64
  int max_label_chars = 20;  // longer labels are cut and end with "…"
};

// Largest number of tokens accepted on either axis.
inline constexpr size_t kMaxAttentionTokens = 1000;

// How a subword is shown: SentencePiece's word-start mark "▁" is dropped; when a sequence
// uses that mark, pieces that continue a word (starting with a letter or digit, not special
// tokens like "</s>") get a leading "·" ("▁un" "believ" "able" shows as "un" "·believ"
// "·able"; "." and "</s>" stay as they are); a lone "▁" shows as "▁". Control characters and
// malformed UTF-8 become U+FFFD. Not XML-escaped.
std::string DisplaySubword(const std::string& token, bool sequence_uses_word_marks);

// `weights[t][s]` is the attention of target token t on source token s, expected in [0, 1]
// (values outside are clamped). InvalidArgument when either token list is empty or longer
// than kMaxAttentionTokens, when the number of rows differs from the target tokens or a row's
// length from the source tokens, or when a weight is not finite. Labels and title are
// XML-escaped.
absl::StatusOr<std::string> AttentionHeatmapSvg(const std::vector<std::string>& source_tokens,
                                                const std::vector<std::string>& target_tokens,
                                                const std::vector<std::vector<float>>& weights,
                                                const std::string& title,
                                                const AttentionSvgOptions& options = {});

}  // namespace tandem

#endif  // TANDEM_MODEL_ATTENTION_SVG_H_
