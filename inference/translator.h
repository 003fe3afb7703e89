// Translation with a model and its two tokenizers: text in, text out (beam search or greedy),
// and the alignment view (subwords on both sides with the attention weights). Used for
// validation BLEU during training (training/trainer.h), by the coordinator's Translate RPC and
// by `tandem translate --model` (inference/trained_model.h loads a model for them).
//
// A Translator borrows the model and tokenizers; they must outlive it. Decoding runs without
// gradients and leaves the model's training mode as it was (model/decode.h): with a model
// already in eval mode (a loaded TrainedModel) it only reads, so several threads may translate
// with one Translator at once (the coordinator's model server does); a model in training mode
// is switched to eval and back, one thread at a time.
#ifndef TANDEM_INFERENCE_TRANSLATOR_H_
#define TANDEM_INFERENCE_TRANSLATOR_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem {
class Tokenizer;
namespace model {
class Seq2SeqImpl;
struct Hypothesis;
}  // namespace model
}  // namespace tandem

namespace tandem::inference {

// Subwords on both sides of one translation and the attention weights
// [target piece][source piece]; the source side ends with "</s>", and so does the target
// side when the decoder emitted EOS (its attention row is the last one).
struct Alignment {
  std::vector<std::string> source_pieces, target_pieces;
  std::vector<std::vector<float>> weights;
  std::string translation;
  // Only when asked for (Translator::Attention's `heads`): each head's weights
  // [head][target piece][source piece] for the same output, teacher-forced over its pieces
  // (model::HeadAttentionOf). A transformer has model.heads of them, the last decoder layer's
  // cross-attention, whose mean is `weights` up to float rounding; an RNN model has one
  // attention, given as a single head equal to `weights`.
  std::vector<std::vector<std::vector<float>>> head_weights;
};

struct TranslateOptions {
  int beam_size = 5;  // 1 (or less): greedy
  // Beam search ranks hypotheses by log P / length^length_penalty (length in subwords, EOS
  // included): 0 ranks by raw log-probability (favours short output), 1 by the mean
  // log-probability per subword, above 1 favours longer output. In [0, 10].
  double length_penalty = 1.0;
  int n_best = 1;  // candidates per sentence, best first: 1 .. beam_size (1 when greedy)
  // An unknown subword in the output (SentencePiece's "⁇") becomes the source subword it
  // attends to most (ReplaceUnknown).
  bool replace_unk = false;
  // Decoder steps read bfloat16 weights (TranslateRequest.bf16; model/decode.h).
  bool bf16 = false;
  // The output layer in int8 (TranslateRequest.int8; model/int8_linear.h). A model without
  // it prepared (Seq2SeqImpl::PrepareInt8Decoding) refuses the request.
  bool int8 = false;
};

// One candidate translation and its scores (model/decode.h's Hypothesis): `score` is what the
// beam ranks by, log_prob / length^length_penalty (greedy: log_prob).
struct Candidate {
  std::string text;
  double score = 0.0;
  double log_prob = 0.0;
};

// The text of `target_pieces` (SentencePiece pieces, "▁" marking a word's start) with every
// piece whose id in `target_ids` is `unk_id` replaced by the source piece its attention row
// weighs most (`attention[i]` is the row of target piece i; its last column, the source's
// EOS, is not a candidate). The replacement keeps a word break before it when the source
// piece starts a word. Rows or sources missing (no attention row, an empty source) leave the
// unknown piece as SentencePiece writes it ("⁇").
std::string ReplaceUnknown(const std::vector<std::string>& source_pieces,
                           const std::vector<std::string>& target_pieces,
                           const std::vector<int>& target_ids,
                           const std::vector<std::vector<float>>& attention, int unk_id);

class Translator {
 public:
  Translator(model::Seq2SeqImpl* model, const Tokenizer* source, const Tokenizer* target,
             int eos_id);

  // Called with a sentence's index in the request and its candidates as soon as they are
  // final, before the rest of its chunk ends (model::SentenceDone); on the decoding thread.
  using CandidatesDone = std::function<void(size_t sentence, const std::vector<Candidate>&)>;

  // Translates sentences (beam search, or greedy when options.beam_size <= 1) in chunks
  // (ChunkEnds) of sentences of similar lengths decoded together: up to options.n_best
  // candidates per sentence, best first (model::BeamSearchNBest: those that ended, or the
  // best cut at the length limit when none did). `on_done`, when set, hears of each
  // sentence when it ends.
  absl::StatusOr<std::vector<std::vector<Candidate>>> Translate(
      const std::vector<std::string>& sentences, const TranslateOptions& options,
      const CandidatesDone& on_done = nullptr);
  // Sentences decoded together: 64 greedy, 32 with a beam (a step's product has 32 x beam
  // rows), or with bf16 as many as keep a step within the bf16 kernel's rows (16 / beam).
  static size_t ChunkSize(const TranslateOptions& options);
  // How Translate cuts sentences of subword `lengths` (longest first) into chunks: the end
  // index of each chunk. A chunk holds at most ChunkSize sentences and at most 16,384 source
  // subwords (EOS included) times the beam, so that its memory is bounded by tokens, not by
  // a sentence count; a sentence over that alone is a chunk of one.
  static std::vector<size_t> ChunkEnds(const std::vector<size_t>& lengths,
                                       const TranslateOptions& options);
  // The best translation of each sentence (beam search with `beam_size` beams; greedy if
  // beam_size <= 1), with the default length penalty.
  absl::StatusOr<std::vector<std::string>> Translate(const std::vector<std::string>& sentences,
                                                     int beam_size);
  // Translates one sentence greedily and returns its alignment; with `heads`, also each
  // attention head's weights (Alignment::head_weights).
  absl::StatusOr<Alignment> Attention(const std::string& sentence, bool replace_unk = false,
                                      bool heads = false);

 private:
  // The pieces of `sentence` (encoded as `ids`) as its text shows them, for ReplaceUnknown.
  absl::StatusOr<std::vector<std::string>> SurfacePieces(const std::string& sentence,
                                                         const std::vector<int>& ids) const;
  // A hypothesis' text (EOS dropped); with `source_pieces`, unknown pieces replaced from them.
  absl::StatusOr<std::string> Text(const model::Hypothesis& h,
                                   const std::vector<std::string>* source_pieces) const;

  model::Seq2SeqImpl* model_;
  const Tokenizer* source_;
  const Tokenizer* target_;
  int eos_id_;
};

}  // namespace tandem::inference

#endif  // TANDEM_INFERENCE_TRANSLATOR_H_
