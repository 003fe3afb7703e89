#include "inference/translator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/ascii.h"
#include "common/status.h"
#include "data/tokenizer.h"
#include "model/decode.h"
#include "model/seq2seq.h"
#include "model/small_affine.h"

namespace tandem::inference {
namespace {

// Sentences decoded together: large enough to batch the arithmetic, small enough that a
// batch's memory stays small. Greedy steps have one row per sentence, so twice as many
// sentences still make smaller products than a beam's: 64 greedy chunks reached 0.61 of the
// matmul limit against 32's 0.41-0.56 (BENCHMARKS.md, issue [12], library run C).
constexpr size_t kGreedyChunk = 64;
constexpr size_t kBeamChunk = 32;
// And at most this many source subwords x beams in a chunk (a sentence longer than that
// alone: a chunk of one): the encoder states, attention keys and beams' states grow with it
// (about 3 KB per source subword per beam at the README's size, so some 50 MB), and long
// sentences would otherwise make a chunk of 32 hold tens of times the usual memory.
constexpr size_t kHypothesisTokenBudget = 16384;

}  // namespace

std::string ReplaceUnknown(const std::vector<std::string>& source_pieces,
                           const std::vector<std::string>& target_pieces,
                           const std::vector<int>& target_ids,
                           const std::vector<std::vector<float>>& attention, int unk_id) {
  static const std::string kWordStart = "\xe2\x96\x81";  // "▁"
  auto starts_word = [&](const std::string& p) { return absl::StartsWith(p, kWordStart); };
  std::string joined;
  for (size_t i = 0; i < target_pieces.size(); ++i) {
    if (i >= target_ids.size() || target_ids[i] != unk_id) {
      joined += target_pieces[i];
      continue;
    }
    const size_t cols =
        i < attention.size() ? std::min(source_pieces.size(), attention[i].size()) : 0;
    if (cols == 0) {
      joined += kWordStart + "\xe2\x81\x87";  // "▁⁇", as SentencePiece writes an unknown
      continue;
    }
    const std::vector<float>& row = attention[i];
    const size_t j = std::max_element(row.begin(), row.begin() + cols) - row.begin();
    const std::string& src = source_pieces[j];
    const bool word = starts_word(src);
    if (word && !absl::EndsWith(joined, kWordStart)) joined += kWordStart;
    joined += word ? src.substr(kWordStart.size()) : src;
  }
  std::string text = absl::StrReplaceAll(joined, {{kWordStart, " "}});
  return std::string(absl::StripAsciiWhitespace(text));
}

Translator::Translator(model::Seq2SeqImpl* model, const Tokenizer* source, const Tokenizer* target,
                       int eos_id)
    : model_(model), source_(source), target_(target), eos_id_(eos_id) {}

size_t Translator::ChunkSize(const TranslateOptions& options) {
  // bf16 steps serve at most kSmallAffineMaxRows hypotheses: chunks that fit, so that every
  // step of the request reads the bfloat16 weights.
  const int beam = std::max(1, options.beam_size);
  if (options.bf16 && !options.int8 && beam <= model::kSmallAffineMaxRows) {
    return static_cast<size_t>(model::kSmallAffineMaxRows / beam);
  }
  return beam == 1 ? kGreedyChunk : kBeamChunk;
}

std::vector<size_t> Translator::ChunkEnds(const std::vector<size_t>& lengths,
                                          const TranslateOptions& options) {
  const size_t most = ChunkSize(options);
  const size_t beam = static_cast<size_t>(std::max(1, options.beam_size));
  std::vector<size_t> ends;
  size_t end = 0;
  while (end < lengths.size()) {
    const size_t start = end;
    size_t tokens = 0;
    while (end < lengths.size() && end - start < most) {
      const size_t cost = (lengths[end] + 1) * beam;  // EOS appended to the source
      if (end > start && tokens + cost > kHypothesisTokenBudget) break;
      tokens += cost;
      ++end;
    }
    ends.push_back(end);
  }
  return ends;
}

absl::StatusOr<std::vector<std::vector<Candidate>>> Translator::Translate(
    const std::vector<std::string>& sentences, const TranslateOptions& options,
    const CandidatesDone& on_done) {
  if (options.int8 && !model_->HasInt8Decoding()) {
    return absl::FailedPreconditionError(
        "int8: this model has no int8 output layer (LibTorch without oneDNN's int8 kernel)");
  }
  std::vector<std::vector<int>> src;
  std::vector<std::vector<std::string>> src_pieces;  // with replace_unk only
  for (const auto& s : sentences) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, source_->Encode(s));
    src.push_back(std::move(ids));
    if (options.replace_unk) {
      TANDEM_ASSIGN_OR_RETURN(src_pieces.emplace_back(), SurfacePieces(s, src.back()));
    }
  }
  model::DecodeOptions decode;
  decode.beam_size = std::max(1, options.beam_size);
  decode.length_alpha = options.length_penalty;
  decode.n_best = options.n_best;
  decode.bf16 = options.bf16;
  decode.int8 = options.int8;
  // Chunks of sentences of similar lengths (by subwords, longest first): less padding, and
  // a chunk's rows finish at about the same step. Results go back to the input order.
  std::vector<size_t> order(src.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return src[a].size() > src[b].size(); });
  std::vector<std::vector<Candidate>> out(src.size());
  absl::Status text_error;
  std::vector<size_t> sorted_lengths;
  for (size_t n : order) sorted_lengths.push_back(src[n].size());
  size_t i = 0;
  for (const size_t end : ChunkEnds(sorted_lengths, options)) {
    std::vector<std::vector<int>> part;
    for (size_t k = i; k < end; ++k) part.push_back(src[order[k]]);
    // Each sentence's candidates become text as soon as the decoder says they are final.
    const model::SentenceDone done = [&](size_t k, const std::vector<model::Hypothesis>& hyps) {
      const size_t n = order[i + k];
      for (const model::Hypothesis& h : hyps) {
        Candidate& c = out[n].emplace_back();
        c.score = h.score;
        c.log_prob = h.log_prob;
        absl::StatusOr<std::string> text =
            Text(h, options.replace_unk ? &src_pieces[n] : nullptr);
        if (!text.ok()) {
          if (text_error.ok()) text_error = text.status();
          return;
        }
        c.text = *std::move(text);
      }
      if (on_done && text_error.ok()) on_done(n, out[n]);
    };
    absl::Status decoded =
        decode.beam_size > 1
            ? model::BeamSearchNBest(*model_, part, decode, done).status()
            : model::GreedyDecode(*model_, part, decode, done).status();
    TANDEM_RETURN_IF_ERROR(decoded);
    TANDEM_RETURN_IF_ERROR(text_error);
    i = end;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Translator::Translate(
    const std::vector<std::string>& sentences, int beam_size) {
  TranslateOptions options;
  options.beam_size = beam_size;
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::vector<Candidate>> all, Translate(sentences, options));
  std::vector<std::string> out;
  for (auto& candidates : all) out.push_back(std::move(candidates.front().text));
  return out;
}

absl::StatusOr<std::vector<std::string>> Translator::SurfacePieces(
    const std::string& sentence, const std::vector<int>& ids) const {
  // EncodePieces writes an unknown piece as its text, where IdToPiece says "<unk>".
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> surface, source_->EncodePieces(sentence));
  if (surface.size() == ids.size()) return surface;
  std::vector<std::string> pieces;
  for (int id : ids) pieces.push_back(source_->IdToPiece(id));
  return pieces;
}

absl::StatusOr<std::string> Translator::Text(const model::Hypothesis& h,
                                             const std::vector<std::string>* source_pieces) const {
  std::vector<int> ids;
  for (int t : h.tokens) {
    if (t != eos_id_) ids.push_back(t);
  }
  if (source_pieces == nullptr || std::find(ids.begin(), ids.end(), kUnkId) == ids.end()) {
    return target_->Decode(ids);
  }
  std::vector<std::string> pieces;
  for (int id : ids) pieces.push_back(target_->IdToPiece(id));
  return ReplaceUnknown(*source_pieces, pieces, ids, h.attention, kUnkId);
}

absl::StatusOr<Alignment> Translator::Attention(const std::string& sentence, bool replace_unk,
                                                bool heads) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, source_->Encode(sentence));
  TANDEM_ASSIGN_OR_RETURN(std::vector<model::Hypothesis> hyps, model::GreedyDecode(*model_, {ids}));
  const model::Hypothesis& h = hyps.front();
  Alignment out;
  for (int id : ids) out.source_pieces.push_back(source_->IdToPiece(id));
  std::vector<std::string> surface;
  if (replace_unk) {
    TANDEM_ASSIGN_OR_RETURN(surface, SurfacePieces(sentence, ids));
  }
  out.source_pieces.push_back("</s>");
  for (int t : h.tokens) {
    if (t != eos_id_) out.target_pieces.push_back(target_->IdToPiece(t));
  }
  // The decoder's last step, which emitted EOS, has an attention row too.
  if (h.attention.size() > out.target_pieces.size()) out.target_pieces.push_back("</s>");
  out.weights = h.attention;
  if (heads && model_->config().IsTransformer()) {
    TANDEM_ASSIGN_OR_RETURN(out.head_weights, model::HeadAttentionOf(*model_, ids, h));
  } else if (heads) {
    out.head_weights = {out.weights};  // the RNN's one attention
  }
  TANDEM_ASSIGN_OR_RETURN(out.translation, Text(h, replace_unk ? &surface : nullptr));
  return out;
}

}  // namespace tandem::inference
