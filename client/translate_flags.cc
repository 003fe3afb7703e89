#include "client/translate_flags.h"

#include <cstddef>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "model/attention_svg.h"

namespace tandem {

std::vector<FlagSpec> TranslateFlags() {
  return {{"beam", true, "beam size (1 = greedy; default 5)", "N"},
          {"length_penalty", true,
           "beam search ranks by log P / length^A: 0 favours short output, 1 (default) is the "
           "mean per subword, above 1 favours long output",
           "A"},
          {"n_best", true, "print the N best candidates of each sentence with their scores", "N"},
          {"replace_unk", false,
           "an unknown subword in the output becomes the source subword it attends to most"},
          {"bf16", false,
           "decode with the weights rounded to bfloat16: faster for one sentence at a time, at a "
           "small cost in BLEU (BENCHMARKS.md)"},
          {"int8", false,
           "decode with the output layer in int8: faster on large vocabularies at one thread, "
           "no measured BLEU cost (BENCHMARKS.md)"}};
}

absl::Status SetTranslateOptions(const ParsedArgs& a, v1::TranslateRequest* request) {
  uint32_t beam = 0;
  if (a.Has("beam") && (!absl::SimpleAtoi(a.Get("beam"), &beam) || beam < 1)) {
    return absl::InvalidArgumentError("--beam: expected a positive number");
  }
  request->set_beam_size(beam);
  if (a.Has("length_penalty")) {
    double alpha = 0;
    if (!absl::SimpleAtod(a.Get("length_penalty"), &alpha)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--length_penalty: expected a number, got '", a.Get("length_penalty"), "'"));
    }
    request->set_length_penalty(alpha);
  }
  uint32_t n_best = 0;
  if (a.Has("n_best") && (!absl::SimpleAtoi(a.Get("n_best"), &n_best) || n_best < 1)) {
    return absl::InvalidArgumentError("--n_best: expected a positive number");
  }
  request->set_n_best(n_best);
  request->set_replace_unk(a.Has("replace_unk"));
  request->set_bf16(a.Has("bf16"));
  request->set_int8(a.Has("int8"));
  return absl::OkStatus();
}

std::vector<std::string> TranslateArgs(const ParsedArgs& a) {
  std::vector<std::string> args;
  for (const char* name : {"beam", "length_penalty", "n_best"}) {
    if (a.Has(name)) args.insert(args.end(), {absl::StrCat("--", name), a.Get(name)});
  }
  if (a.Has("replace_unk")) args.push_back("--replace_unk");
  if (a.Has("bf16")) args.push_back("--bf16");
  if (a.Has("int8")) args.push_back("--int8");
  return args;
}

void PrintTranslateProgress(std::ostream& err, bool tty, size_t done, size_t total,
                            size_t per_request) {
  if (total <= per_request) return;
  err << (tty ? "\r\033[K" : "") << "tandem: translated " << done << " of " << total
      << " sentences" << (tty && done < total ? "" : "\n") << std::flush;
}

std::string FormatTranslations(const v1::TranslateResponse& response, size_t first) {
  std::string out;
  for (int i = 0; i < response.translations_size(); ++i) {
    const v1::Translation& t = response.translations(i);
    if (t.n_best().empty()) {
      absl::StrAppend(&out, t.text(), "\n");
      continue;
    }
    for (const v1::Candidate& c : t.n_best()) {
      absl::StrAppendFormat(&out, "%d ||| %s ||| %.4f\n", first + i, c.text(), c.score());
    }
  }
  return out;
}

FlagSpec HeadFlag() {
  return {"head", true,
          "draw attention head N (1 .. the model's heads) instead of their average "
          "(multi-head transformer models)",
          "N"};
}

absl::StatusOr<int> HeadOf(const ParsedArgs& a) {
  if (!a.Has("head")) return 0;
  TANDEM_ASSIGN_OR_RETURN(const int64_t head, a.GetInt("head", 1, kMaxHeadFlag));
  return static_cast<int>(head);
}

absl::StatusOr<std::string> AttentionSvgOf(const v1::Translation& t, int head,
                                           const std::string& sentence) {
  const size_t cols = t.source_pieces_size(), rows = t.target_pieces_size();
  const size_t heads = t.head_count();
  if (head > 0 && heads == 0) {
    return absl::UnimplementedError(
        absl::StrCat("--head ", head,
                     ": the translation came without per-head attention (a server older "
                     "than TranslateRequest.heads?)"));
  }
  if (head > 0 && heads == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--head ", head,
                     ": this model has a single attention map (an RNN model, or a "
                     "transformer with heads: 1), no separate heads; leave out --head to draw it"));
  }
  if (head > 0 && static_cast<size_t>(head) > heads) {
    return absl::InvalidArgumentError(absl::StrCat("--head ", head,
                                                   " is out of range: the model has ", heads,
                                                   " attention heads (--head 1..", heads, ")"));
  }
  const auto& all = head > 0 ? t.head_weights() : t.weights();
  const size_t first = head > 0 ? (static_cast<size_t>(head) - 1) * rows * cols : 0;
  if (static_cast<size_t>(all.size()) != (head > 0 ? heads : 1) * rows * cols) {
    return absl::InternalError(
        absl::StrCat("the translation has ", all.size(), " attention weights for ", rows, " x ",
                     cols, " subwords", head > 0 ? absl::StrCat(" x ", heads, " heads") : ""));
  }
  std::vector<std::vector<float>> weights(rows);
  for (size_t r = 0; r < rows; ++r) {
    const auto row = all.begin() + static_cast<std::ptrdiff_t>(first + r * cols);
    weights[r].assign(row, row + static_cast<std::ptrdiff_t>(cols));
  }
  std::string title = sentence + "  →  " + t.text();
  if (head > 0) absl::StrAppend(&title, "  (head ", head, " of ", heads, ")");
  return AttentionHeatmapSvg({t.source_pieces().begin(), t.source_pieces().end()},
                             {t.target_pieces().begin(), t.target_pieces().end()}, weights, title);
}

}  // namespace tandem
