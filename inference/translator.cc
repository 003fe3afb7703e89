#include "inference/translator.h"

#include <algorithm>
#include <utility>

#include "common/status.h"
#include "data/tokenizer.h"
#include "model/decode.h"
#include "model/seq2seq.h"

namespace tandem::inference {
namespace {

// Sentences decoded together: large enough to batch the arithmetic, small enough that a
// batch's memory stays small.
constexpr size_t kChunk = 32;

}  // namespace

Translator::Translator(model::Seq2SeqImpl* model, const Tokenizer* source, const Tokenizer* target,
                       int eos_id)
    : model_(model), source_(source), target_(target), eos_id_(eos_id) {}

absl::StatusOr<std::vector<std::string>> Translator::Translate(
    const std::vector<std::string>& sentences, int beam_size) {
  std::vector<std::vector<int>> src;
  for (const auto& s : sentences) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, source_->Encode(s));
    src.push_back(std::move(ids));
  }
  model::DecodeOptions options;
  options.beam_size = beam_size;
  // Chunks of sentences of similar lengths (by subwords, longest first): less padding, and
  // a chunk's rows finish at about the same step. Results go back to the input order.
  std::vector<size_t> order(src.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return src[a].size() > src[b].size(); });
  std::vector<std::string> out(src.size());
  for (size_t i = 0; i < order.size(); i += kChunk) {
    std::vector<std::vector<int>> part;
    for (size_t k = i; k < std::min(order.size(), i + kChunk); ++k) part.push_back(src[order[k]]);
    TANDEM_ASSIGN_OR_RETURN(std::vector<model::Hypothesis> hyps,
                            beam_size > 1 ? model::BeamSearch(*model_, part, options)
                                          : model::GreedyDecode(*model_, part, options));
    for (size_t k = 0; k < hyps.size(); ++k) {
      std::vector<int> ids;
      for (int t : hyps[k].tokens) {
        if (t != eos_id_) ids.push_back(t);
      }
      TANDEM_ASSIGN_OR_RETURN(out[order[i + k]], target_->Decode(ids));
    }
  }
  return out;
}

absl::StatusOr<Alignment> Translator::Attention(const std::string& sentence) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, source_->Encode(sentence));
  TANDEM_ASSIGN_OR_RETURN(std::vector<model::Hypothesis> hyps, model::GreedyDecode(*model_, {ids}));
  const model::Hypothesis& h = hyps.front();
  Alignment out;
  for (int id : ids) out.source_pieces.push_back(source_->IdToPiece(id));
  out.source_pieces.push_back("</s>");
  std::vector<int> text_ids;
  for (int t : h.tokens) {
    if (t == eos_id_) continue;
    out.target_pieces.push_back(target_->IdToPiece(t));
    text_ids.push_back(t);
  }
  // The decoder's last step, which emitted EOS, has an attention row too.
  if (h.attention.size() > out.target_pieces.size()) out.target_pieces.push_back("</s>");
  out.weights = h.attention;
  TANDEM_ASSIGN_OR_RETURN(out.translation, target_->Decode(text_ids));
  return out;
}

}  // namespace tandem::inference
