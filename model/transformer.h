// Internal to tandem_seq2seq: the Transformer half of Seq2SeqImpl (ModelConfig::architecture
// "transformer"; model/README.md "Transformer"). Seq2SeqImpl owns the parameters (they are
// registered on it, in the documented order, by the constructor here), the output layer and
// the dropout generator; this class holds handles to the modules and does the arithmetic.
//
// Every method may throw c10::Error (Seq2SeqImpl's internal contract); Seq2SeqImpl's public
// methods convert. Dropout goes only through the `drop` function passed in (Seq2SeqImpl's
// generator), never through torch::nn::Dropout or the global generator: that is what makes
// a stream's masks the same in whichever process runs it.
#ifndef TANDEM_MODEL_TRANSFORMER_H_
#define TANDEM_MODEL_TRANSFORMER_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <vector>

#include "model/model_config.h"
#include "model/seq2seq.h"

namespace tandem::model {

// One pre-norm layer. Encoder layers: self-attention and feed-forward; decoder layers also
// cross-attention (between the two). Registration order = the order of the members below.
class TransformerLayerImpl : public torch::nn::Module {
 public:
  TransformerLayerImpl(int64_t d_model, int64_t ff_dim, bool cross);

  torch::nn::LayerNorm self_norm{nullptr};
  torch::nn::Linear self_qkv{nullptr};  // [3E, E]: rows q, k, v
  torch::nn::Linear self_out{nullptr};
  torch::nn::LayerNorm cross_norm{nullptr};  // decoder only
  torch::nn::Linear cross_q{nullptr};        // decoder only, [E, E]
  torch::nn::Linear cross_kv{nullptr};       // decoder only, [2E, E]: rows k, v
  torch::nn::Linear cross_out{nullptr};      // decoder only
  torch::nn::LayerNorm ffn_norm{nullptr};
  torch::nn::Linear ffn_in{nullptr};   // [F, E], ReLU after it
  torch::nn::Linear ffn_out{nullptr};  // [E, F]
};
TORCH_MODULE(TransformerLayer);

class Transformer {
 public:
  using DropFn = DropoutFn;

  // Registers every Transformer parameter on `owner` (README order) except the output layer,
  // which the owner registers after them. Uses the global generator (CreateSeq2Seq seeds it).
  Transformer(torch::nn::Module& owner, const ModelConfig& config);

  // The target embedding matrix [tgt_vocab, E] (the output layer's weight when tied).
  const torch::Tensor& TargetEmbedding() const { return tgt_emb_->weight; }

  // Encoder: `annotations` = the final layer norm's output [B, S, E] (zero at padding),
  // `pad_mask`, and per decoder layer the cross-attention keys and values.
  EncoderOutput Encode(const torch::Tensor& src, const torch::Tensor& src_lengths, bool src_padded,
                       const DropFn& drop) const;
  // Teacher-forced decoder: the final layer norm's output [B, T, E]. `attention` (optional):
  // the last layer's cross-attention averaged over heads, [B, T, S]; `head_attention`
  // (optional): the same per head, [B, heads, T, S].
  torch::Tensor Decode(const EncoderOutput& enc, const torch::Tensor& tgt_in,
                       torch::Tensor* attention, const DropFn& drop,
                       torch::Tensor* head_attention = nullptr) const;
  // Empty key/value caches at position 0.
  DecoderState InitialState() const;
  // One incremental step: the final layer norm's output [B, E] for `prev_tokens` [B] at
  // position state.position; appends this step's keys and values to the caches. Equal (up
  // to rounding) to row state.position of Decode. `attention` (optional): [B, S].
  torch::Tensor Step(const EncoderOutput& enc, DecoderState& state,
                     const torch::Tensor& prev_tokens, torch::Tensor* attention,
                     const DropFn& drop) const;

 private:
  // drop(E^(1/2) emb[ids] + position), ids [B, L] from position `start`.
  torch::Tensor Embed(const torch::nn::Embedding& emb, const torch::nn::Embedding& pos,
                      const torch::Tensor& ids, int64_t start, const DropFn& drop) const;

  ModelConfig config_;
  torch::nn::Embedding src_emb_{nullptr}, src_pos_{nullptr};  // pos: learned only
  std::vector<TransformerLayer> encoder_;
  torch::nn::LayerNorm enc_norm_{nullptr};
  torch::nn::Embedding tgt_emb_{nullptr}, tgt_pos_{nullptr};
  std::vector<TransformerLayer> decoder_;
  torch::nn::LayerNorm dec_norm_{nullptr};
};

class Int8Linear;  // int8_linear.h

// x W^T + b for a decoder step, x [B, in], with the fast paths for few rows (seq2seq.cc);
// `weight_bf16`, when defined, the weight in bfloat16 for those paths; `int8`, when given,
// the same affine map in int8 for steps of more rows.
torch::Tensor StepAffine(const torch::Tensor& x, const torch::Tensor& weight,
                         const torch::Tensor& bias,
                         const torch::Tensor& weight_bf16 = torch::Tensor(),
                         const Int8Linear* int8 = nullptr);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_TRANSFORMER_H_
