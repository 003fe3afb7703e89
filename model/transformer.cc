#include "model/transformer.h"

#include <torch/nn/init.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "model/fused_attention.h"
#include "model/transformer_ops.h"

namespace tandem::model {

namespace F = torch::nn::functional;
using torch::Tensor;

namespace {

// Linear layers: Xavier-uniform weights and zero biases (the usual Transformer
// initialisation; PyTorch's nn.Transformer does the same for its projections).
torch::nn::Linear MakeLinear(torch::nn::Module& owner, const char* name, int64_t in, int64_t out) {
  auto layer = owner.register_module(name, torch::nn::Linear(in, out));
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(layer->weight);
  layer->bias.zero_();
  return layer;
}

torch::nn::LayerNorm MakeNorm(torch::nn::Module& owner, const std::string& name, int64_t d) {
  // weight 1, bias 0 (LayerNorm's own initialisation); epsilon 1e-5.
  return owner.register_module(name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
}

// N(0, d^(-1/2)): after the sqrt(d) scaling of Embed the inputs have unit variance, and the
// matrix used as the (tied) output layer gives logits of about unit variance.
torch::nn::Embedding MakeEmbedding(torch::nn::Module& owner, const char* name, int64_t rows,
                                   int64_t d) {
  auto emb = owner.register_module(name, torch::nn::Embedding(rows, d));
  torch::NoGradGuard no_grad;
  emb->weight.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(d)));
  return emb;
}

// Sinusoidal positions (Vaswani et al. 2017) for positions start .. start + length - 1:
// [length, d], PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(p / 10000^(2i/d)).
// Computed in double, element by element, so a position's row is the same whether it is
// computed alone (Step) or with the others (Decode).
Tensor Sinusoid(int64_t start, int64_t length, int64_t d, const torch::TensorOptions& options) {
  const Tensor pos = torch::arange(start, start + length, torch::kDouble).unsqueeze(1);
  const Tensor freq = torch::exp(torch::arange(0, d, 2, torch::kDouble) * (-std::log(10000.0) / d));
  const Tensor angle = pos * freq;  // [length, ceil(d / 2)]
  Tensor pe = torch::empty({length, d}, torch::kDouble);
  pe.slice(1, 0, d, 2).copy_(angle.sin());
  pe.slice(1, 1, d, 2).copy_(angle.cos().narrow(1, 0, d / 2));
  return pe.to(options.dtype());
}

// Scaled dot-product attention over heads: q [B, h, Tq, dk], k and v [B, h, Tk, dk]; `mask`
// (optional, bool, broadcast to [B, h, Tq, Tk]) is true where a key must not be seen: its
// weight is exactly zero. Returns [B, Tq, h * dk]; `avg` (optional) receives the weights
// averaged over heads, [B, Tq, Tk], and `per_head` (optional) each head's, [B, h, Tq, Tk].
Tensor MultiHead(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, Tensor* avg,
                 Tensor* per_head = nullptr) {
  const int64_t B = q.size(0), h = q.size(1), Tq = q.size(2), dk = q.size(3);
  Tensor s = torch::matmul(q * (1.0 / std::sqrt(static_cast<double>(dk))), k.transpose(2, 3));
  if (mask.defined()) s = s.masked_fill(mask, -std::numeric_limits<double>::infinity());
  const Tensor p = torch::softmax(s, -1);
  if (avg) *avg = p.mean(1);
  if (per_head) *per_head = p;
  return torch::matmul(p, v).transpose(1, 2).reshape({B, Tq, h * dk});
}

// MultiHead for the teacher-forced passes: FusedAttention (one autograd node, no head-split
// copies) when it takes the inputs, else the composite. `causal`: query i sees keys 0 .. i;
// `pad_mask` [B, Tk] (true at padding) or undefined.
Tensor Attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                 const Tensor& pad_mask, Tensor* avg, Tensor* per_head = nullptr) {
  if (FusedAttentionSupports(q, k, v)) {
    Tensor p;
    Tensor out = FusedAttention(q, k, v, causal, pad_mask, avg || per_head ? &p : nullptr);
    if (avg) *avg = p.mean(1);
    if (per_head) *per_head = p;
    return out;
  }
  const int64_t Tq = q.size(2), Tk = k.size(2);
  Tensor mask;
  if (causal) mask = torch::ones({Tq, Tk}, torch::TensorOptions().dtype(torch::kBool)).triu(1);
  if (pad_mask.defined()) {
    const Tensor keys = pad_mask.view({pad_mask.size(0), 1, 1, pad_mask.size(1)});
    mask = mask.defined() ? mask.logical_or(keys) : keys;
  }
  return MultiHead(q, k, v, mask, avg, per_head);
}

// The modules' arithmetic, callable on const handles (ModuleHolder::operator() is not const).
Tensor Lin(const torch::nn::Linear& layer, const Tensor& x) {
  return Affine(x, layer->weight, layer->bias);  // torch::linear's arithmetic (transformer_ops.h)
}
Tensor Norm(const torch::nn::LayerNorm& norm, const Tensor& x) {
  return torch::layer_norm(x, norm->options.normalized_shape(), norm->weight, norm->bias,
                           norm->options.eps());
}

// linear(layer_norm(x)) as one node that does not keep the normalised x (transformer_ops.h).
Tensor NormLin(const torch::nn::LayerNorm& norm, const torch::nn::Linear& layer, const Tensor& x) {
  return NormLinear(x, norm->weight, norm->bias, norm->options.eps(), layer->weight, layer->bias);
}

// x + drop(y) with a bool mask of the same draws (transformer_ops.h).
Tensor AddDropped(const Tensor& x, const Tensor& y, const DropoutFn& drop) {
  const Tensor mask = drop.keep_mask(y);
  return ResidualDropout(x, y, mask, drop.keep);
}

// The feed-forward sublayer's output W_2 relu(W_1 LN(x) + b_1) + b_2, on [B * T, E] rows
// so that the relu can work in place (no second [B * T, F] tensor).
Tensor FeedForward(const TransformerLayer& layer, const Tensor& x) {
  const Tensor rows = x.reshape({-1, x.size(-1)});
  Tensor hidden = NormLin(layer->ffn_norm, layer->ffn_in, rows);
  hidden.relu_();
  return Lin(layer->ffn_out, hidden).view(x.sizes());
}

// [B, T, E] -> [B, h, T, E / h].
Tensor SplitHeads(const Tensor& x, int64_t heads) {
  const int64_t B = x.size(0), T = x.size(1), E = x.size(2);
  return x.reshape({B, T, heads, E / heads}).transpose(1, 2);
}

Tensor KeyMask(const EncoderOutput& enc) {
  if (!enc.pad_mask.defined()) return Tensor();
  return enc.pad_mask.view({enc.pad_mask.size(0), 1, 1, enc.pad_mask.size(1)});
}

}  // namespace

TransformerLayerImpl::TransformerLayerImpl(int64_t E, int64_t F, bool cross) {
  // Registration order = parameter order (README.md). Do not reorder.
  self_norm = MakeNorm(*this, "self_norm", E);
  self_qkv = MakeLinear(*this, "self_qkv", E, 3 * E);
  self_out = MakeLinear(*this, "self_out", E, E);
  if (cross) {
    cross_norm = MakeNorm(*this, "cross_norm", E);
    cross_q = MakeLinear(*this, "cross_q", E, E);
    cross_kv = MakeLinear(*this, "cross_kv", E, 2 * E);
    cross_out = MakeLinear(*this, "cross_out", E, E);
  }
  ffn_norm = MakeNorm(*this, "ffn_norm", E);
  ffn_in = MakeLinear(*this, "ffn_in", E, F);
  ffn_out = MakeLinear(*this, "ffn_out", F, E);
}

Transformer::Transformer(torch::nn::Module& owner, const ModelConfig& config) : config_(config) {
  const ModelConfig& c = config_;
  const int64_t E = c.embedding_dim;
  const bool learned = c.positions == "learned";
  // Registration order = parameter order (README.md "Transformer parameter order").
  src_emb_ = MakeEmbedding(owner, "src_emb", c.src_vocab, E);
  if (learned) src_pos_ = MakeEmbedding(owner, "src_pos", kMaxLearnedPositions, E);
  for (int64_t l = 0; l < c.encoder_layers; ++l) {
    encoder_.push_back(owner.register_module(absl::StrCat("enc_l", l),
                                             TransformerLayer(E, c.ff_dim, /*cross=*/false)));
  }
  enc_norm_ = MakeNorm(owner, "enc_norm", E);
  tgt_emb_ = MakeEmbedding(owner, "tgt_emb", c.tgt_vocab, E);
  if (learned) tgt_pos_ = MakeEmbedding(owner, "tgt_pos", kMaxLearnedPositions, E);
  for (int64_t l = 0; l < c.decoder_layers; ++l) {
    decoder_.push_back(owner.register_module(absl::StrCat("dec_l", l),
                                             TransformerLayer(E, c.ff_dim, /*cross=*/true)));
  }
  dec_norm_ = MakeNorm(owner, "dec_norm", E);
}

Tensor Transformer::Embed(const torch::nn::Embedding& emb, const torch::nn::Embedding& pos,
                          const Tensor& ids, int64_t start, const DropFn& drop) const {
  const int64_t E = config_.embedding_dim, L = ids.size(1);
  Tensor x = torch::embedding(emb->weight, ids) * std::sqrt(static_cast<double>(E));  // [B, L, E]
  if (!pos.is_empty()) {
    TORCH_CHECK(start + L <= kMaxLearnedPositions, "model.positions learned: position ",
                start + L - 1, " is beyond the table of ", kMaxLearnedPositions,
                " learned positions (sentences may have at most ", kMaxLearnedPositions,
                " tokens, EOS included; use positions sinusoidal for longer ones)");
    x = x + pos->weight.narrow(0, start, L);
  } else {
    x = x + Sinusoid(start, L, E, x.options());
  }
  return drop(x);
}

EncoderOutput Transformer::Encode(const Tensor& src, const Tensor& src_lengths, bool src_padded,
                                  const DropFn& drop) const {
  const ModelConfig& c = config_;
  const int64_t S = src.size(1), h = c.heads;
  EncoderOutput enc;
  if (src_padded) {
    enc.pad_mask =
        torch::arange(S, src_lengths.options()).unsqueeze(0) >= src_lengths.unsqueeze(1);  // [B, S]
  }
  Tensor x = Embed(src_emb_, src_pos_, src, 0, drop);  // [B, S, E]
  for (const TransformerLayer& layer : encoder_) {
    const std::vector<Tensor> qkv = NormLin(layer->self_norm, layer->self_qkv, x).chunk(3, 2);
    const Tensor a = Attention(SplitHeads(qkv[0], h), SplitHeads(qkv[1], h), SplitHeads(qkv[2], h),
                               /*causal=*/false, enc.pad_mask, nullptr);
    x = AddDropped(x, Lin(layer->self_out, a), drop);
    x = AddDropped(x, FeedForward(layer, x), drop);
  }
  Tensor memory = Norm(enc_norm_, x);
  if (enc.pad_mask.defined()) memory = memory.masked_fill(enc.pad_mask.unsqueeze(2), 0.0);
  enc.annotations = memory;
  // Cross-attention keys and values: once per batch, for every decoder layer. Contiguous
  // for decoding (Step reads them at every step); when differentiating (the teacher-forced
  // pass, where FusedAttention reads any row stride) views of the projection, no copies.
  const bool views = at::GradMode::is_enabled();
  for (const TransformerLayer& layer : decoder_) {
    const std::vector<Tensor> kv = Lin(layer->cross_kv, memory).chunk(2, 2);
    Tensor k = SplitHeads(kv[0], h), v = SplitHeads(kv[1], h);
    enc.cross_k.push_back(views ? k : k.contiguous());
    enc.cross_v.push_back(views ? v : v.contiguous());
  }
  return enc;
}

Tensor Transformer::Decode(const EncoderOutput& enc, const Tensor& tgt_in, Tensor* attention,
                           const DropFn& drop, Tensor* head_attention) const {
  const ModelConfig& c = config_;
  const int64_t h = c.heads;
  Tensor x = Embed(tgt_emb_, tgt_pos_, tgt_in, 0, drop);  // [B, T, E]
  for (size_t l = 0; l < decoder_.size(); ++l) {
    const TransformerLayer& layer = decoder_[l];
    const std::vector<Tensor> qkv = NormLin(layer->self_norm, layer->self_qkv, x).chunk(3, 2);
    // Position t sees positions 0 .. t only.
    x = AddDropped(x,
                   Lin(layer->self_out, Attention(SplitHeads(qkv[0], h), SplitHeads(qkv[1], h),
                                                  SplitHeads(qkv[2], h), /*causal=*/true,
                                                  Tensor(), nullptr)),
                   drop);
    const bool last = l + 1 == decoder_.size();
    const Tensor q = SplitHeads(NormLin(layer->cross_norm, layer->cross_q, x), h);
    x = AddDropped(x,
                   Lin(layer->cross_out,
                       Attention(q, enc.cross_k[l], enc.cross_v[l], /*causal=*/false,
                                 enc.pad_mask, last ? attention : nullptr,
                                 last ? head_attention : nullptr)),
                   drop);
    x = AddDropped(x, FeedForward(layer, x), drop);
  }
  return Norm(dec_norm_, x);
}

DecoderState Transformer::InitialState() const {
  DecoderState state;
  state.self_k.resize(decoder_.size());
  state.self_v.resize(decoder_.size());
  state.position = 0;
  return state;
}

Tensor Transformer::Step(const EncoderOutput& enc, DecoderState& state, const Tensor& prev_tokens,
                         Tensor* attention, const DropFn& drop) const {
  const ModelConfig& c = config_;
  const int64_t B = prev_tokens.size(0), E = c.embedding_dim, h = c.heads, dk = E / h;
  const Tensor key_mask = KeyMask(enc);
  Tensor x =
      Embed(tgt_emb_, tgt_pos_, prev_tokens.unsqueeze(1), state.position, drop).reshape({B, E});
  for (size_t l = 0; l < decoder_.size(); ++l) {
    const TransformerLayer& layer = decoder_[l];
    const Tensor qkv =
        StepAffine(Norm(layer->self_norm, x), layer->self_qkv->weight, layer->self_qkv->bias);
    auto head = [&](int64_t part) { return qkv.narrow(1, part * E, E).reshape({B, h, 1, dk}); };
    Tensor& keys = state.self_k[l];
    Tensor& values = state.self_v[l];
    keys = keys.defined() ? torch::cat({keys, head(1)}, 2) : head(1);  // [B, h, t + 1, dk]
    values = values.defined() ? torch::cat({values, head(2)}, 2) : head(2);
    const Tensor a = MultiHead(head(0), keys, values, Tensor(), nullptr).reshape({B, E});
    x = x + drop(StepAffine(a, layer->self_out->weight, layer->self_out->bias));
    const Tensor q =
        StepAffine(Norm(layer->cross_norm, x), layer->cross_q->weight, layer->cross_q->bias)
            .reshape({B, h, 1, dk});
    Tensor w;
    const bool last = l + 1 == decoder_.size();
    const Tensor ca =
        MultiHead(q, enc.cross_k[l], enc.cross_v[l], key_mask, last && attention ? &w : nullptr)
            .reshape({B, E});
    if (last && attention) *attention = w.squeeze(1);  // [B, S]
    x = x + drop(StepAffine(ca, layer->cross_out->weight, layer->cross_out->bias));
    const Tensor f = torch::relu(
        StepAffine(Norm(layer->ffn_norm, x), layer->ffn_in->weight, layer->ffn_in->bias));
    x = x + drop(StepAffine(f, layer->ffn_out->weight, layer->ffn_out->bias));
  }
  ++state.position;
  return Norm(dec_norm_, x);  // [B, E]
}

}  // namespace tandem::model
