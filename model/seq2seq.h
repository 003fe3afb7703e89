// Seq2Seq: the attention encoder-decoder (LibTorch module). Architecture: model_config.h and
// model/README.md; for R1Config() it is exactly R1.md section 1.
//
// Error contract: the public methods return absl::Status(Or) and never let a c10::Error
// escape. Methods in the "internal" block below may throw c10::Error; decode.cc and the tests
// call them inside a try.
#ifndef TANDEM_MODEL_SEQ2SEQ_H_
#define TANDEM_MODEL_SEQ2SEQ_H_

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/batch.h"
#include "model/loss.h"
#include "model/model_config.h"

namespace tandem::model {

// Output projection z = W x + b. A module of its own so that W can be the target embedding
// matrix (tie_embeddings): then only `bias` is registered here.
class OutputLayerImpl : public torch::nn::Module {
 public:
  OutputLayerImpl(int64_t in, int64_t out, const torch::Tensor& tied_weight);
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]
};
TORCH_MODULE(OutputLayer);

// Everything the decoder needs from the encoder for one batch; computed once per batch.
struct EncoderOutput {
  torch::Tensor annotations;    // [B, S, A] h_j = [forward; backward]; zero at padding
  torch::Tensor keys;           // bahdanau: W_k h_j [B,S,attention_dim]; luong_general:
                                // W_k h_j [B,S,D]; luong_dot: = annotations; none: undefined
  torch::Tensor pad_mask;       // [B, S] bool, true at padding; undefined if nothing is padded
  torch::Tensor fixed_weights;  // none only: [B, S] uniform weights over the real positions
  torch::Tensor fixed_context;  // none only: [B, A] mean of the annotations (the bottleneck)
  std::vector<torch::Tensor> init_h;  // per decoder layer, [B, D]
  std::vector<torch::Tensor> init_c;  // lstm only: per decoder layer, [B, D] (zeros)
  // Transformer (annotations: the encoder's final layer norm output [B, S, E], zero at
  // padding; keys, fixed_*, init_* undefined): per decoder layer the cross-attention keys
  // and values, [B, heads, S, E / heads], computed once in Encode.
  std::vector<torch::Tensor> cross_k;
  std::vector<torch::Tensor> cross_v;
};

// State of the decoder between steps. Every tensor has the batch in dimension 0, so beam
// search reorders a state by index_select(0, rows) on each (decode.cc SelectState).
struct DecoderState {
  std::vector<torch::Tensor> h;  // rnn: per layer [B, D]; h.back() is s_t
  std::vector<torch::Tensor> c;  // rnn: lstm cell states, per layer
  // Transformer: per decoder layer the self-attention keys and values of the steps so far,
  // [B, heads, position, E / heads] (undefined before the first step), and the position of
  // the next step (the same for every row).
  std::vector<torch::Tensor> self_k;
  std::vector<torch::Tensor> self_v;
  int64_t position = 0;
  // Step with the bfloat16 weights (Seq2SeqImpl::PrepareBf16Decoding: the RNN's step matrices,
  // the transformer's output layer); ignored if they were not prepared.
  bool bf16 = false;
  // The output layer in int8 (Seq2SeqImpl::PrepareInt8Decoding; model/int8_linear.h); ignored
  // if it was not prepared.
  bool int8 = false;
};

class Transformer;  // transformer.h
class Int8Linear;   // int8_linear.h

// Dropout from Seq2SeqImpl's generator and mode, for the transformer code: the call applies
// inverted dropout (bernoulli_, as torch::dropout); `keep_mask` gives a bool mask like its
// argument (true where kept; transformer_ops.h KeepMask, seeded by one draw), undefined when
// dropout is off (eval mode or rate 0); `keep` is 1 - rate.
struct DropoutFn {
  std::function<torch::Tensor(const torch::Tensor&)> apply;
  std::function<torch::Tensor(const torch::Tensor&)> keep_mask;
  double keep = 1.0;
  torch::Tensor operator()(const torch::Tensor& x) const { return apply(x); }
};

class Seq2SeqImpl : public torch::nn::Module {
 public:
  // `config` must pass Validate() (use CreateSeq2Seq, which checks and seeds).
  explicit Seq2SeqImpl(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }

  // Teacher-forced forward pass over a batch with targets: logits [B, T, tgt_vocab]
  // (contiguous). Dropout is active in training mode (module.train()), off in eval mode.
  // If `attention` is given it receives the attention weights [B, T, S] (rows sum to one,
  // exactly zero at source padding).
  absl::StatusOr<torch::Tensor> Forward(const Batch& batch, torch::Tensor* attention = nullptr);

  // Teacher-forced attention maps per head, [B, heads, T, S]: for the transformer, the last
  // decoder layer's cross-attention of each head (their mean over heads is Forward's
  // `attention`); for the RNN, its single map as one head, [B, 1, T, S].
  absl::StatusOr<torch::Tensor> HeadAttention(const Batch& batch);

  // Teacher-forced forward pass and label-smoothed loss in one, for training: the value,
  // token count and gradients of LabelSmoothedLoss(*Forward(batch), batch.tgt_out,
  // label_smoothing, config().pad_id), but the output layer and the loss are fused
  // (FusedOutputLoss), so the [B, T, V] logits never exist and, when gradients are wanted,
  // the output layer's gradients are computed during this call (backward only scales them).
  // Under NoGradGuard (validation) only the loss is computed.
  absl::StatusOr<LossSum> ForwardLoss(const Batch& batch, double label_smoothing);

  // Dropout masks come from the model's own generator (not the process-wide one), seeded
  // here: the trainer seeds it from (job seed, step, stream) before each forward, so a
  // stream's masks are the same in whichever process, thread or generation runs it.
  void SetDropoutSeed(uint64_t seed);

  // Teacher-forced passes of a Bahdanau, one-layer GRU decoder run as one fused node
  // (fused_decoder.h) unless turned off here; off gives the step-by-step autograd path with
  // the same mathematics (tests compare the two; other configurations always use it). The
  // transformer never uses it (its teacher-forced pass has no time loop). Off also sends
  // decoding's Bahdanau attention steps through LibTorch's operators instead of
  // AdditiveAttentionStep (the benchmark's "before").
  void SetFusedDecoder(bool on) { fused_decoder_ = on; }

  // Makes bfloat16 copies of the decoder's step matrices (input and recurrent weights of the
  // cells, the attention query, the pre-output and output layers; for the transformer the
  // output layer only), for decoding steps with
  // DecoderState::bf16: steps of up to kSmallAffineMaxRows rows (greedy, or beam search over a
  // sentence or two: the latency path) then read half the bytes (SmallAffineBf16, sums in
  // float32), each weight rounded to 8 bits of mantissa (BENCHMARKS.md, issue [12]: speed and
  // BLEU). Call once, after the weights are loaded and before any thread decodes (the copies
  // are then read-only; a model whose weights change is a new model: inference/trained_model.h).
  // Training, the encoder and steps of more rows are unchanged.
  void PrepareBf16Decoding();

  // Quantizes to int8, for decoding steps with DecoderState::int8, the output layer (used at
  // every row count) and, for the RNN, the step matrices of PrepareBf16Decoding (used for
  // steps of more than kSmallAffineMaxRows rows: beam search over several sentences, greedy
  // over many). model/int8_linear.h: oneDNN's kernel, several times float32's rate, about 1 %
  // of the largest output in error. Same contract as PrepareBf16Decoding: once, after
  // loading, before any thread decodes. Unavailable where LibTorch has no such kernel.
  absl::Status PrepareInt8Decoding();
  bool HasInt8Decoding() const { return int8_.out != nullptr; }

  // Parameters in the fixed registration order (model/README.md; R1.md 1.4 for R1Config()),
  // and their names ("src_emb.weight", "encoder.weight_ih_l0", ...). The trainer packs
  // gradient buckets and checkpoints in this order.
  std::vector<torch::Tensor> OrderedParameters() const;
  std::vector<std::string> OrderedParameterNames() const;
  int64_t NumParameters() const;

  // ---- internal: may throw c10::Error -------------------------------------------------
  torch::Tensor ForwardOrThrow(const torch::Tensor& src, const torch::Tensor& src_lengths,
                               bool src_padded, const torch::Tensor& tgt_in,
                               torch::Tensor* attention);
  // Everything of ForwardOrThrow before the output layer: the pre-output features
  // drop(o_t), [B, T, preoutput_dim] (logits = linear(features, out.weight, out.bias)); for
  // the transformer, the decoder's final layer norm output [B, T, embedding_dim].
  torch::Tensor PreOutputOrThrow(const torch::Tensor& src, const torch::Tensor& src_lengths,
                                 bool src_padded, const torch::Tensor& tgt_in,
                                 torch::Tensor* attention);
  EncoderOutput Encode(const torch::Tensor& src, const torch::Tensor& src_lengths,
                       bool src_padded);
  // One decoder step for decoding: previous tokens [B] -> logits [B, V]; updates `state`;
  // `attention` (optional) receives [B, S] (transformer: the last decoder layer's
  // cross-attention averaged over heads). Transformer: incremental, with the key/value
  // caches of `state`; equal, up to rounding, to the teacher-forced logits.
  torch::Tensor Step(const EncoderOutput& enc, DecoderState& state,
                     const torch::Tensor& prev_tokens, torch::Tensor* attention);
  DecoderState InitialState(const EncoderOutput& enc) const;

 private:
  // Context vector and attention weights [B, S] for query s_{t-1} [B, D]. Bahdanau: `q_proj`
  // is W_q s_{t-1} when the caller already has it (else computed here).
  torch::Tensor Attend(const EncoderOutput& enc, const torch::Tensor& query,
                       const torch::Tensor& q_proj, torch::Tensor* weights) const;
  // Runs all decoder layers one step. `gi0` is layer 0's input projection W_ih x + b_ih
  // ([B, G*D]) for x = [w_t; c_t]; `gh_top` (optional) the top layer's W_hh h + b_hh.
  // Updates `state`.
  void CellsStep(const torch::Tensor& gi0, DecoderState& state,
                 const torch::Tensor& gh_top = {}) const;
  // The output layer of a decoding step: int8, bfloat16 or float32 as `state` asks and the
  // prepared copies allow. [B, in] -> [B, V].
  torch::Tensor OutputStep(const torch::Tensor& o, const DecoderState& state) const;
  torch::Tensor Dropout(const torch::Tensor& x);
  // A bool keep mask like x (KeepMask seeded from the generator); undefined when off.
  torch::Tensor DropoutKeepMask(const torch::Tensor& x);
  // Dropout as functions, for the transformer code (the same generator and mode).
  DropoutFn DropFn();

  ModelConfig config_;
  at::Generator dropout_generator_;
  bool lstm_;
  bool fused_decoder_ = true;
  int64_t gates_;  // 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o)

  torch::nn::Embedding src_emb_{nullptr};
  torch::nn::GRU encoder_gru_{nullptr};
  torch::nn::LSTM encoder_lstm_{nullptr};
  torch::nn::Linear bridge_{nullptr};
  torch::nn::Embedding tgt_emb_{nullptr};
  torch::nn::Linear att_q_{nullptr}, att_k_{nullptr}, att_v_{nullptr};
  // Decoder cells: their parameters (weight_ih, weight_hh, bias_ih, bias_hh, PyTorch gate
  // order); the step arithmetic is ours (CellsStep) so that the embedding part of the input
  // projection can be done once for all steps.
  std::vector<torch::nn::GRUCell> gru_cells_;
  std::vector<torch::nn::LSTMCell> lstm_cells_;
  std::vector<torch::Tensor> w_ih_, w_hh_, b_ih_, b_hh_;  // per decoder layer
  torch::nn::Linear pre_out_{nullptr};
  // architecture "transformer": everything but the output layer (the RNN members above are
  // then all null).
  std::shared_ptr<Transformer> tf_;
  OutputLayer out_{nullptr};
  // UseBf16Decoding: bfloat16 copies of the step matrices (undefined when off).
  struct Bf16Weights {
    std::vector<torch::Tensor> w_ih, w_hh;  // per decoder layer
    torch::Tensor att_q, pre_out, out;
  } bf16_;
  // PrepareInt8Decoding: int8 copies of the output layer (every step) and, for the RNN, of
  // the step matrices (steps of more than kSmallAffineMaxRows rows); null when off.
  struct Int8Weights {
    std::vector<std::shared_ptr<const Int8Linear>> w_ih, w_hh;  // per decoder layer
    std::shared_ptr<const Int8Linear> att_q, pre_out, out;
  } int8_;
};
TORCH_MODULE(Seq2Seq);

// Validates `config`, seeds LibTorch's global CPU generator with `seed` (initial parameters
// are a function of the seed) and builds the model in float32, training mode.
absl::StatusOr<Seq2Seq> CreateSeq2Seq(const ModelConfig& config, uint64_t seed);

// Converts a c10::Error (or std::exception) into a Status: "<what>: <message>".
absl::Status TorchError(const char* what, const std::exception& e);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_SEQ2SEQ_H_
