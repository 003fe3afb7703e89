#include "model/seq2seq.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/nn/init.h>
#include <torch/nn/utils/rnn.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "model/fused_decoder.h"
#include "model/int8_linear.h"
#include "model/small_affine.h"
#include "model/transformer.h"
#include "model/transformer_ops.h"

namespace tandem::model {

namespace F = torch::nn::functional;
using torch::Tensor;

namespace {

// Bahdanau's energies e = tanh(keys + q) v, [B, S] from keys [B, S, A], q [B, 1, A], v [A],
// for ModelConfig::recompute_attention. Autograd would keep tanh(keys + q) of every decoder
// step for backward (R1: 46 steps x 5.8 MB at S = 44, the largest holder of a step's memory);
// this Function keeps only its inputs (keys are shared by all steps) and recomputes the tanh
// in backward (R1: about 10 % more time per step).
class AdditiveEnergies : public torch::autograd::Function<AdditiveEnergies> {
 public:
  static Tensor forward(torch::autograd::AutogradContext* ctx, const Tensor& keys,
                        const Tensor& q, const Tensor& v) {
    ctx->save_for_backward({keys, q, v});
    return torch::matmul(torch::tanh(keys + q), v);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const Tensor& keys = saved[0];
    const Tensor& q = saved[1];
    const Tensor& v = saved[2];
    Tensor t = (keys + q).tanh_();  // [B, S, A]
    // dv = sum over (b, s) of g t; d(keys + q) = g v (1 - t^2).
    Tensor dv = torch::matmul(grad_output[0].reshape({1, -1}), t.reshape({-1, t.size(2)}))
                    .reshape(v.sizes());
    Tensor dpre = at::tanh_backward(grad_output[0].unsqueeze(2) * v, t);
    Tensor dq = dpre.sum(1, /*keepdim=*/true);
    return {dpre, dq, dv};
  }
};

}  // namespace

// x W^T + b for a decoder step, x [B, in]. BLAS's matrix-matrix path copies (packs) the
// whole weight matrix on every call, which for a few rows costs more than the product (the
// 512 x 8,000 output layer: 16 MB copied per step). Up to kSmallAffineMaxRows rows without
// gradients (greedy or beam search over a sentence or two: the latency case) go through
// SmallAffine, which reads the weights once (faster than BLAS's matrix-vector product for one
// row too: BENCHMARKS.md, issue [12]); more through BLAS, where the copy pays for itself.
// `bias` may be undefined (none). Under gradients (training) it is addmm, or matmul without a
// bias (what linear computes), so training's arithmetic is unchanged; without gradients and
// at most 16 rows (decoding, and tiny validation batches) it is SmallAffine, reading
// `weight_bf16` instead (Seq2SeqImpl::PrepareBf16Decoding) when that is defined. Beyond 16
// rows without gradients, `int8` (Seq2SeqImpl::PrepareInt8Decoding), when given, computes
// it: oneDNN's int8 kernel pays from there on, while for a few rows SmallAffine's one read of
// the float32 weights is as fast (BENCHMARKS.md, issue [12]).
Tensor StepAffine(const Tensor& x, const Tensor& weight, const Tensor& bias,
                  const Tensor& weight_bf16, const Int8Linear* int8) {
  const int64_t rows = x.size(0);
  if (int8 != nullptr && rows > kSmallAffineMaxRows && !torch::GradMode::is_enabled()) {
    return int8->Forward(x);  // its own copy of weight and bias, in int8
  }
  const bool small =
      rows <= kSmallAffineMaxRows && !torch::GradMode::is_enabled() &&
      x.scalar_type() == torch::kFloat &&
      (!bias.defined() || (bias.scalar_type() == torch::kFloat && bias.is_contiguous()));
  const bool bf16 = small && weight_bf16.defined();
  if (bf16 || (small && weight.scalar_type() == torch::kFloat && weight.is_contiguous())) {
    const Tensor xc = x.contiguous();
    const Tensor& w = bf16 ? weight_bf16 : weight;
    Tensor out = torch::empty({rows, w.size(0)}, x.options());
    const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
    if (bf16) {
      SmallAffineBf16(xc.data_ptr<float>(), rows, x.size(1),
                      reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>()), b,
                      w.size(0), out.data_ptr<float>());
    } else {
      SmallAffine(xc.data_ptr<float>(), rows, x.size(1), w.data_ptr<float>(), b, w.size(0),
                  out.data_ptr<float>());
    }
    return out;
  }
  return bias.defined() ? torch::addmm(bias, x, weight.t()) : torch::matmul(x, weight.t());
}

absl::Status TorchError(const char* what, const std::exception& e) {
  if (const auto* ce = dynamic_cast<const c10::Error*>(&e)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", ce->what_without_backtrace()));
  }
  return absl::InternalError(absl::StrCat(what, ": ", e.what()));
}

OutputLayerImpl::OutputLayerImpl(int64_t in, int64_t out, const Tensor& tied_weight) {
  // Same initialisation as torch::nn::Linear: U(-1/sqrt(in), 1/sqrt(in)) for W and b.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  if (tied_weight.defined()) {
    weight = tied_weight;  // owned (and registered) by the target embedding
  } else {
    weight = register_parameter("weight", torch::empty({out, in}));
    torch::NoGradGuard no_grad;
    weight.uniform_(-bound, bound);
  }
  bias = register_parameter("bias", torch::empty({out}));
  torch::NoGradGuard no_grad;
  bias.uniform_(-bound, bound);
}

Seq2SeqImpl::Seq2SeqImpl(const ModelConfig& config)
    : config_(config),
      dropout_generator_(at::make_generator<at::CPUGeneratorImpl>(0)),
      lstm_(config.cell == "lstm"),
      gates_(lstm_ ? 4 : 3) {
  const ModelConfig& c = config_;
  if (c.IsTransformer()) {
    // Registration order == parameter order (README.md "Transformer parameter order"): the
    // Transformer's parameters, then the output layer. Tied: the output matrix is the target
    // embedding as initialised there (N(0, 1/sqrt(E)), already the output layer's scale).
    tf_ = std::make_shared<Transformer>(*this, c);
    out_ = register_module("out", OutputLayer(c.embedding_dim, c.tgt_vocab,
                                              c.tie_embeddings ? tf_->TargetEmbedding()
                                                               : Tensor()));
    return;
  }
  const int64_t E = c.embedding_dim, H = c.hidden_dim, A = c.AnnotationDim(),
                D = c.DecoderHidden();
  // Registration order == parameter order (README.md, R1.md 1.4). Do not reorder.
  src_emb_ = register_module("src_emb", torch::nn::Embedding(c.src_vocab, E));
  if (lstm_) {
    encoder_lstm_ = register_module(
        "encoder", torch::nn::LSTM(torch::nn::LSTMOptions(E, H)
                                       .num_layers(c.encoder_layers)
                                       .bidirectional(true)
                                       .batch_first(true)));
  } else {
    encoder_gru_ = register_module(
        "encoder", torch::nn::GRU(torch::nn::GRUOptions(E, H)
                                      .num_layers(c.encoder_layers)
                                      .bidirectional(true)
                                      .batch_first(true)));
  }
  bridge_ = register_module("bridge", torch::nn::Linear(H, c.decoder_layers * D));
  tgt_emb_ = register_module("tgt_emb", torch::nn::Embedding(c.tgt_vocab, E));
  if (c.attention == "bahdanau") {
    att_q_ = register_module(
        "att_q", torch::nn::Linear(torch::nn::LinearOptions(D, c.attention_dim).bias(false)));
    att_k_ = register_module(
        "att_k", torch::nn::Linear(torch::nn::LinearOptions(A, c.attention_dim).bias(false)));
    att_v_ = register_module(
        "att_v", torch::nn::Linear(torch::nn::LinearOptions(c.attention_dim, 1).bias(false)));
  } else if (c.attention == "luong_general") {
    att_k_ = register_module("att_k",
                             torch::nn::Linear(torch::nn::LinearOptions(A, D).bias(false)));
  }
  for (int64_t l = 0; l < c.decoder_layers; ++l) {
    const std::string name = l == 0 ? "cell" : absl::StrCat("cell_l", l);
    const int64_t in = l == 0 ? E + A : D;
    if (lstm_) {
      auto cell = register_module(name, torch::nn::LSTMCell(in, D));
      lstm_cells_.push_back(cell);
      w_ih_.push_back(cell->weight_ih);
      w_hh_.push_back(cell->weight_hh);
      b_ih_.push_back(cell->bias_ih);
      b_hh_.push_back(cell->bias_hh);
    } else {
      auto cell = register_module(name, torch::nn::GRUCell(in, D));
      gru_cells_.push_back(cell);
      w_ih_.push_back(cell->weight_ih);
      w_hh_.push_back(cell->weight_hh);
      b_ih_.push_back(cell->bias_ih);
      b_hh_.push_back(cell->bias_hh);
    }
  }
  pre_out_ = register_module("pre_out", torch::nn::Linear(D + A + E, c.preoutput_dim));
  Tensor tied;
  if (c.tie_embeddings) {
    // N(0, 1) embeddings would give logits of standard deviation ~sqrt(P) when used as the
    // output matrix; tied matrices get the output layer's U(-1/sqrt(P), 1/sqrt(P)) instead.
    torch::NoGradGuard no_grad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(c.preoutput_dim));
    tgt_emb_->weight.uniform_(-bound, bound);
    tied = tgt_emb_->weight;
  }
  out_ = register_module("out", OutputLayer(c.preoutput_dim, c.tgt_vocab, tied));
}

std::vector<Tensor> Seq2SeqImpl::OrderedParameters() const { return parameters(true); }

std::vector<std::string> Seq2SeqImpl::OrderedParameterNames() const {
  std::vector<std::string> names;
  for (const auto& item : named_parameters(true)) names.push_back(item.key());
  return names;
}

int64_t Seq2SeqImpl::NumParameters() const {
  int64_t n = 0;
  for (const auto& p : parameters(true)) n += p.numel();
  return n;
}

void Seq2SeqImpl::SetDropoutSeed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(dropout_generator_.mutex());
  dropout_generator_.set_current_seed(seed);
}

// Inverted dropout, as torch::dropout computes it on CPU, with the model's generator.
Tensor Seq2SeqImpl::Dropout(const Tensor& x) {
  if (!is_training() || config_.dropout == 0.0) return x;
  const double keep = 1.0 - config_.dropout;
  Tensor mask = torch::empty_like(x).bernoulli_(keep, dropout_generator_).div_(keep);
  return x * mask;
}

// One 64-bit draw of the model's generator seeds the whole mask (transformer_ops.h KeepMask).
Tensor Seq2SeqImpl::DropoutKeepMask(const Tensor& x) {
  if (!is_training() || config_.dropout == 0.0) return Tensor();
  uint64_t seed;
  {
    std::lock_guard<std::mutex> lock(dropout_generator_.mutex());
    seed = dropout_generator_.get<at::CPUGeneratorImpl>()->random64();
  }
  return KeepMask(x.sizes(), 1.0 - config_.dropout, seed);
}

DropoutFn Seq2SeqImpl::DropFn() {
  DropoutFn fn;
  fn.apply = [this](const Tensor& x) { return Dropout(x); };
  fn.keep_mask = [this](const Tensor& x) { return DropoutKeepMask(x); };
  fn.keep = 1.0 - config_.dropout;
  return fn;
}

EncoderOutput Seq2SeqImpl::Encode(const Tensor& src, const Tensor& src_lengths,
                                  bool src_padded) {
  if (tf_) return tf_->Encode(src, src_lengths, src_padded, DropFn());
  const ModelConfig& c = config_;
  const int64_t B = src.size(0), S = src.size(1);
  EncoderOutput enc;
  Tensor u = Dropout(src_emb_(src));  // [B, S, E]
  Tensor h_n;                         // [2 * layers, B, H]
  if (src_padded) {
    // Packed sequences so that each direction reads exactly the real tokens of each
    // sentence: the backward GRU starts at the last real token, not at padding.
    auto packed = torch::nn::utils::rnn::pack_padded_sequence(u, src_lengths,
                                                              /*batch_first=*/true,
                                                              /*enforce_sorted=*/false);
    auto unpack = [&](const torch::nn::utils::rnn::PackedSequence& out) {
      return std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(
          out, /*batch_first=*/true, /*padding_value=*/0.0, /*total_length=*/S));
    };
    if (lstm_) {
      auto r = encoder_lstm_->forward_with_packed_input(packed);
      enc.annotations = unpack(std::get<0>(r));
      h_n = std::get<0>(std::get<1>(r));
    } else {
      auto r = encoder_gru_->forward_with_packed_input(packed);
      enc.annotations = unpack(std::get<0>(r));
      h_n = std::get<1>(r);
    }
    enc.pad_mask = torch::arange(S, src_lengths.options()).unsqueeze(0) >=
                   src_lengths.unsqueeze(1);  // [B, S]
  } else if (lstm_) {
    auto r = encoder_lstm_->forward(u);
    enc.annotations = std::get<0>(r);
    h_n = std::get<0>(std::get<1>(r));
  } else {
    std::tie(enc.annotations, h_n) = encoder_gru_->forward(u);
  }
  // s_0 = tanh(W_b g_1 + b_b): g_1 is the top layer's backward state after reading x_1.
  Tensor s0 = torch::tanh(bridge_(h_n[2 * c.encoder_layers - 1]));  // [B, layers * D]
  enc.init_h = s0.chunk(c.decoder_layers, 1);
  if (lstm_) {
    for (int64_t l = 0; l < c.decoder_layers; ++l) {
      enc.init_c.push_back(torch::zeros_like(enc.init_h[l]));
    }
  }
  if (c.attention == "bahdanau" || c.attention == "luong_general") {
    enc.keys = att_k_(enc.annotations);  // once per batch
  } else if (c.attention == "luong_dot") {
    enc.keys = enc.annotations;
  } else {  // none: the fixed-length bottleneck, mean of the annotations
    Tensor len = src_lengths.to(enc.annotations.dtype()).unsqueeze(1);  // [B, 1]
    enc.fixed_weights = torch::ones({B, S}, enc.annotations.options()) / len;
    if (src_padded) enc.fixed_weights = enc.fixed_weights.masked_fill(enc.pad_mask, 0.0);
    enc.fixed_context =
        torch::bmm(enc.fixed_weights.unsqueeze(1), enc.annotations).squeeze(1);  // [B, A]
  }
  return enc;
}

DecoderState Seq2SeqImpl::InitialState(const EncoderOutput& enc) const {
  if (tf_) return tf_->InitialState();
  DecoderState state;
  state.h = enc.init_h;
  state.c = enc.init_c;
  return state;
}

Tensor Seq2SeqImpl::Attend(const EncoderOutput& enc, const Tensor& query, const Tensor& q_proj,
                           Tensor* weights) const {
  if (config_.attention == "none") {
    if (weights) *weights = enc.fixed_weights;
    return enc.fixed_context;
  }
  Tensor e;  // [B, S] energies
  if (config_.attention == "bahdanau") {
    // e_j = v . tanh(W_q s + k_j)
    Tensor q = (q_proj.defined() ? q_proj : StepAffine(query, att_q_->weight, Tensor()))
                   .unsqueeze(1);  // [B, 1, att]
    const Tensor v = att_v_->weight.squeeze(0);
    // Decoding: the fused loops of training's decoder, without the [B, S, att] temporary
    // (tanh by FastTanh, within 3e-7 of LibTorch's).
    if (fused_decoder_ && !torch::GradMode::is_enabled() &&
        enc.keys.scalar_type() == torch::kFloat &&
        enc.keys.is_contiguous() && enc.annotations.is_contiguous() &&
        (!enc.pad_mask.defined() || enc.pad_mask.is_contiguous())) {
      return AdditiveAttentionStep(enc.keys, q.contiguous(), v.contiguous(), enc.pad_mask,
                                   enc.annotations, weights);
    }
    e = config_.recompute_attention ? AdditiveEnergies::apply(enc.keys, q, v)
                                    : torch::matmul(torch::tanh(enc.keys + q), v);  // [B, S]
  } else {
    // luong_dot: e_j = s . h_j ; luong_general: e_j = s . (W_k h_j)
    e = torch::bmm(enc.keys, query.unsqueeze(2)).squeeze(2);  // [B, S]
  }
  if (enc.pad_mask.defined()) {
    // -inf energies give exactly zero weight (exp(-inf) = 0) and zero gradient.
    e = e.masked_fill(enc.pad_mask, -std::numeric_limits<double>::infinity());
  }
  Tensor a = torch::softmax(e, 1);
  if (weights) *weights = a;
  return torch::bmm(a.unsqueeze(1), enc.annotations).squeeze(1);  // [B, A]
}

void Seq2SeqImpl::CellsStep(const Tensor& gi0, DecoderState& state, const Tensor& gh_top) const {
  const int64_t D = config_.DecoderHidden();
  Tensor gi = gi0;
  for (int64_t l = 0; l < config_.decoder_layers; ++l) {
    const auto bf16 = [&](const std::vector<Tensor>& w) {
      return w.empty() || !state.bf16 ? Tensor() : w[static_cast<size_t>(l)];
    };
    const auto int8 = [&](const std::vector<std::shared_ptr<const Int8Linear>>& w) {
      return w.empty() || !state.int8 ? nullptr : w[static_cast<size_t>(l)].get();
    };
    if (l > 0) {
      gi = StepAffine(state.h[l - 1], w_ih_[l], b_ih_[l], bf16(bf16_.w_ih), int8(int8_.w_ih));
    }
    const Tensor& h = state.h[l];
    Tensor gh = l + 1 == config_.decoder_layers && gh_top.defined()
                    ? gh_top
                    : StepAffine(h, w_hh_[l], b_hh_[l], bf16(bf16_.w_hh),
                                 int8(int8_.w_hh));  // [B, G*D]
    if (!lstm_) {
      // PyTorch GRU: r, z = sigmoid(...); n = tanh(gi_n + r * gh_n); h' = n + z * (h - n).
      Tensor rz = torch::sigmoid(gi.narrow(1, 0, 2 * D) + gh.narrow(1, 0, 2 * D));
      Tensor r = rz.narrow(1, 0, D), z = rz.narrow(1, D, D);
      Tensor n = torch::tanh(torch::addcmul(gi.narrow(1, 2 * D, D), r, gh.narrow(1, 2 * D, D)));
      state.h[l] = torch::addcmul(n, z, h - n);
    } else {
      // PyTorch LSTM gate order i, f, g, o.
      Tensor g = gi + gh;
      Tensor i_f = torch::sigmoid(g.narrow(1, 0, 2 * D));
      Tensor cand = torch::tanh(g.narrow(1, 2 * D, D));
      Tensor o = torch::sigmoid(g.narrow(1, 3 * D, D));
      Tensor c_new = torch::addcmul(i_f.narrow(1, D, D) * state.c[l], i_f.narrow(1, 0, D), cand);
      state.c[l] = c_new;
      state.h[l] = o * torch::tanh(c_new);
    }
  }
}

Tensor Seq2SeqImpl::PreOutputOrThrow(const Tensor& src, const Tensor& src_lengths,
                                     bool src_padded, const Tensor& tgt_in, Tensor* attention) {
  if (tf_) {
    const EncoderOutput enc = tf_->Encode(src, src_lengths, src_padded, DropFn());
    return tf_->Decode(enc, tgt_in, attention, DropFn());  // [B, T, E]
  }
  const ModelConfig& c = config_;
  const int64_t E = c.embedding_dim, A = c.AnnotationDim();
  const int64_t T = tgt_in.size(1);
  EncoderOutput enc = Encode(src, src_lengths, src_padded);
  DecoderState state = InitialState(enc);

  Tensor w = Dropout(tgt_emb_(tgt_in));  // [B, T, E]: one mask, used twice (cell and pre-out)
  // Layer 0's input projection is W_ih [w_t; c_t] + b_ih = (W_iw w_t + b_ih) + W_ic c_t. The
  // first term does not depend on the recurrence: one matmul for all steps, time-major so
  // that each step reads a contiguous [B, G*D] slice.
  Tensor w_iw = w_ih_[0].narrow(1, 0, E), w_ic_t = w_ih_[0].narrow(1, E, A).t();
  const Tensor gi_w_all = torch::linear(w.transpose(0, 1), w_iw, b_ih_[0]);  // [T, B, G*D]
  if (fused_decoder_ && c.attention == "bahdanau" && !lstm_ && c.decoder_layers == 1) {
    // The whole loop as one node with a hand-written backward (fused_decoder.h). It always
    // recomputes the attention tanh in backward: with its vectorised loops that costs no
    // measurable time (R1, 1 and 2 threads) and saves the [T, B, S, att] array (R1: ~250 MB).
    FusedDecoderOutput out =
        BahdanauGruDecode(gi_w_all, state.h[0], enc.keys, enc.annotations, enc.pad_mask,
                          att_q_->weight, w_hh_[0], b_hh_[0], att_v_->weight.squeeze(0),
                          w_ic_t.t());
    if (attention) *attention = out.weights.transpose(0, 1);  // [B, T, S]
    Tensor features = torch::cat(
        {out.states.transpose(0, 1), out.contexts.transpose(0, 1), w}, 2);  // [B, T, D+A+E]
    return Dropout(torch::tanh(pre_out_(features)));
  }
  // Bahdanau: W_q s_{t-1} (attention) and W_hh s_{t-1} + b_hh (top decoder cell) read the
  // same s_{t-1}; one [B, D] x [D, att + G*D] matmul per step does both (fewer, larger GEMMs
  // forward and backward).
  const bool fuse = c.attention == "bahdanau";
  const int64_t att = c.attention_dim, GD = gates_ * c.DecoderHidden();
  Tensor w_qh_t, b_qh;
  if (fuse) {
    const int64_t top = c.decoder_layers - 1;
    w_qh_t = torch::cat({att_q_->weight, w_hh_[top]}, 0).t();  // [D, att + G*D]
    b_qh = torch::cat({torch::zeros({att}, b_hh_[top].options()), b_hh_[top]});
  }

  // unbind, not gi_w[t]: select's backward would build a zero [T, B, G*D] gradient per
  // step and add them up (O(T^2) work); unbind's backward stacks the T slices once.
  const std::vector<Tensor> gi_w = gi_w_all.unbind(0);  // T x [B, G*D]

  std::vector<Tensor> states, contexts, weights;
  states.reserve(T);
  contexts.reserve(T);
  if (attention) weights.reserve(T);
  for (int64_t t = 0; t < T; ++t) {
    Tensor a, q, gh_top;
    if (fuse) {
      Tensor qh = torch::addmm(b_qh, state.h.back(), w_qh_t);
      q = qh.narrow(1, 0, att);
      gh_top = qh.narrow(1, att, GD);
    }
    Tensor ctx = Attend(enc, state.h.back(), q, attention ? &a : nullptr);  // uses s_{t-1}
    CellsStep(torch::addmm(gi_w[t], ctx, w_ic_t), state, gh_top);
    states.push_back(state.h.back());
    contexts.push_back(ctx);
    if (attention) weights.push_back(a);
  }
  if (attention) *attention = torch::stack(weights, 1);  // [B, T, S]
  // Deep output for all steps at once: o_t = tanh(W_o [s_t; c_t; w_t] + b_o), batch-major.
  Tensor features = torch::cat({torch::stack(states, 1), torch::stack(contexts, 1), w}, 2);
  return Dropout(torch::tanh(pre_out_(features)));  // [B, T, P]
}

Tensor Seq2SeqImpl::ForwardOrThrow(const Tensor& src, const Tensor& src_lengths, bool src_padded,
                                   const Tensor& tgt_in, Tensor* attention) {
  Tensor o = PreOutputOrThrow(src, src_lengths, src_padded, tgt_in, attention);  // [B, T, P]
  return torch::linear(o, out_->weight, out_->bias);                             // [B, T, V]
}

namespace {

absl::Status CheckBatch(const Batch& batch, const char* what) {
  if (!batch.src.defined() || !batch.tgt_in.defined() || batch.src.dim() != 2 ||
      batch.tgt_in.dim() != 2 || batch.src.size(0) != batch.tgt_in.size(0) ||
      batch.src.size(0) == 0 || batch.src.size(1) == 0 || batch.tgt_in.size(1) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": batch needs src [B,S] and tgt_in [B,T]"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Tensor> Seq2SeqImpl::Forward(const Batch& batch, Tensor* attention) {
  if (absl::Status s = CheckBatch(batch, "Seq2Seq::Forward"); !s.ok()) return s;
  try {
    return ForwardOrThrow(batch.src, batch.src_lengths, batch.src_padded, batch.tgt_in,
                          attention);
  } catch (const std::exception& e) {
    return TorchError("Seq2Seq::Forward", e);
  }
}

absl::StatusOr<Tensor> Seq2SeqImpl::HeadAttention(const Batch& batch) {
  if (absl::Status s = CheckBatch(batch, "Seq2Seq::HeadAttention"); !s.ok()) return s;
  try {
    Tensor heads;
    if (tf_) {
      const EncoderOutput enc = tf_->Encode(batch.src, batch.src_lengths, batch.src_padded,
                                            DropFn());
      tf_->Decode(enc, batch.tgt_in, /*attention=*/nullptr, DropFn(), &heads);
    } else {
      ForwardOrThrow(batch.src, batch.src_lengths, batch.src_padded, batch.tgt_in, &heads);
      heads = heads.unsqueeze(1);
    }
    return heads;
  } catch (const std::exception& e) {
    return TorchError("Seq2Seq::HeadAttention", e);
  }
}

absl::StatusOr<LossSum> Seq2SeqImpl::ForwardLoss(const Batch& batch, double label_smoothing) {
  if (absl::Status s = CheckBatch(batch, "Seq2Seq::ForwardLoss"); !s.ok()) return s;
  if (!batch.tgt_out.defined() || batch.tgt_out.sizes() != batch.tgt_in.sizes()) {
    return absl::InvalidArgumentError(
        "Seq2Seq::ForwardLoss: batch needs tgt_out [B,T] (the shape of tgt_in)");
  }
  if (!(label_smoothing >= 0.0 && label_smoothing < 1.0)) {  // before the forward pass
    return absl::InvalidArgumentError(absl::StrCat(
        "label smoothing epsilon must be in [0, 1), got ", label_smoothing));
  }
  Tensor features;
  try {
    features = PreOutputOrThrow(batch.src, batch.src_lengths, batch.src_padded, batch.tgt_in,
                                /*attention=*/nullptr);
  } catch (const std::exception& e) {
    return TorchError("Seq2Seq::ForwardLoss", e);
  }
  return FusedOutputLoss(features, out_->weight, out_->bias, batch.tgt_out, label_smoothing,
                         config_.pad_id);
}

Tensor Seq2SeqImpl::Step(const EncoderOutput& enc, DecoderState& state, const Tensor& prev_tokens,
                         Tensor* attention) {
  if (tf_) {
    const Tensor o = tf_->Step(enc, state, prev_tokens, attention, DropFn());  // [B, E]
    return OutputStep(o, state);  // [B, V]
  }
  Tensor w = Dropout(tgt_emb_(prev_tokens));  // [B, E]
  const bool bf16 = state.bf16 && bf16_.out.defined();
  const bool int8 = state.int8 && int8_.out != nullptr;
  // Bahdanau's query projection W_q s_{t-1}, here so that it may read a reduced copy.
  const Tensor q_proj =
      att_q_ && (bf16 || int8)
          ? StepAffine(state.h.back(), att_q_->weight, Tensor(), bf16 ? bf16_.att_q : Tensor(),
                       int8 ? int8_.att_q.get() : nullptr)
          : Tensor();
  Tensor ctx = Attend(enc, state.h.back(), q_proj, attention);
  Tensor gi = StepAffine(torch::cat({w, ctx}, 1), w_ih_[0], b_ih_[0],
                         bf16 ? bf16_.w_ih[0] : Tensor(), int8 ? int8_.w_ih[0].get() : nullptr);
  CellsStep(gi, state);
  Tensor o = Dropout(torch::tanh(StepAffine(torch::cat({state.h.back(), ctx, w}, 1),
                                            pre_out_->weight, pre_out_->bias,
                                            bf16 ? bf16_.pre_out : Tensor(),
                                            int8 ? int8_.pre_out.get() : nullptr)));
  return OutputStep(o, state);  // [B, V]
}

Tensor Seq2SeqImpl::OutputStep(const Tensor& o, const DecoderState& state) const {
  if (state.int8 && int8_.out) return int8_.out->Forward(o);
  return StepAffine(o, out_->weight, out_->bias, state.bf16 ? bf16_.out : Tensor());
}

absl::Status Seq2SeqImpl::PrepareInt8Decoding() {
  Int8Weights q;
  const auto make = [](const Tensor& w, const Tensor& b,
                       std::shared_ptr<const Int8Linear>* out) -> absl::Status {
    TANDEM_ASSIGN_OR_RETURN(Int8Linear l, Int8Linear::Create(w, b));
    *out = std::make_shared<const Int8Linear>(std::move(l));
    return absl::OkStatus();
  };
  TANDEM_RETURN_IF_ERROR(make(out_->weight, out_->bias, &q.out));
  if (!tf_) {  // the transformer's own matrices stay float32, as with bf16
    for (size_t l = 0; l < w_ih_.size(); ++l) {
      TANDEM_RETURN_IF_ERROR(make(w_ih_[l], b_ih_[l], &q.w_ih.emplace_back()));
      TANDEM_RETURN_IF_ERROR(make(w_hh_[l], b_hh_[l], &q.w_hh.emplace_back()));
    }
    if (att_q_) TANDEM_RETURN_IF_ERROR(make(att_q_->weight, Tensor(), &q.att_q));
    TANDEM_RETURN_IF_ERROR(make(pre_out_->weight, pre_out_->bias, &q.pre_out));
  }
  int8_ = std::move(q);
  return absl::OkStatus();
}

void Seq2SeqImpl::PrepareBf16Decoding() {
  torch::NoGradGuard no_grad;
  bf16_ = Bf16Weights();
  const auto copy = [](const Tensor& w) {
    return w.detach().to(torch::kBFloat16).contiguous();
  };
  bf16_.out = copy(out_->weight);
  if (tf_) return;  // the transformer's own matrices stay float32 (transformer.cc)
  for (const Tensor& w : w_ih_) bf16_.w_ih.push_back(copy(w));
  for (const Tensor& w : w_hh_) bf16_.w_hh.push_back(copy(w));
  if (att_q_) bf16_.att_q = copy(att_q_->weight);
  bf16_.pre_out = copy(pre_out_->weight);
}

absl::StatusOr<Seq2Seq> CreateSeq2Seq(const ModelConfig& config, uint64_t seed) {
  if (absl::Status s = Validate(config); !s.ok()) return s;
  try {
    torch::manual_seed(seed);
    Seq2Seq model(config);
    model->train();
    return model;
  } catch (const std::exception& e) {
    return TorchError("CreateSeq2Seq", e);
  }
}

}  // namespace tandem::model
