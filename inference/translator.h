// Translation with a model and its two tokenizers: text in, text out (beam search or greedy),
// and the alignment view (subwords on both sides with the attention weights). Used for
// validation BLEU during training (training/trainer.h), by the coordinator's Translate RPC and
// by `tandem translate --model` (inference/trained_model.h loads a model for them).
//
// A Translator borrows the model and tokenizers; they must outlive it. Not thread-safe: one
// thread decodes with a model at a time. Decoding runs without gradients and leaves the
// model's training mode as it was (model/decode.h).
#ifndef TANDEM_INFERENCE_TRANSLATOR_H_
#define TANDEM_INFERENCE_TRANSLATOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tandem {
class Tokenizer;
namespace model {
class Seq2SeqImpl;
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
};

class Translator {
 public:
  Translator(model::Seq2SeqImpl* model, const Tokenizer* source, const Tokenizer* target,
             int eos_id);

  // Translates sentences (beam search with `beam_size` beams; greedy if beam_size <= 1), in
  // chunks of 32 sentences decoded together.
  absl::StatusOr<std::vector<std::string>> Translate(const std::vector<std::string>& sentences,
                                                     int beam_size);
  // Translates one sentence greedily and returns its alignment.
  absl::StatusOr<Alignment> Attention(const std::string& sentence);

 private:
  model::Seq2SeqImpl* model_;
  const Tokenizer* source_;
  const Tokenizer* target_;
  int eos_id_;
};

}  // namespace tandem::inference

#endif  // TANDEM_INFERENCE_TRANSLATOR_H_
