#include "model/decode.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace tandem::model {
namespace {

using torch::Tensor;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Puts the model in eval mode for the scope and restores the previous mode. A model already
// in eval mode is not written to, so several threads may decode with it at once.
class EvalScope {
 public:
  explicit EvalScope(Seq2SeqImpl& model) : model_(model), was_training_(model.is_training()) {
    if (was_training_) model_.eval();
  }
  ~EvalScope() {
    if (was_training_) model_.train(true);
  }

 private:
  Seq2SeqImpl& model_;
  bool was_training_;
  torch::NoGradGuard no_grad_;
};

EncoderOutput SelectRows(const EncoderOutput& enc, const Tensor& rows) {
  auto sel = [&](const Tensor& t) { return t.defined() ? t.index_select(0, rows) : t; };
  EncoderOutput out;
  out.annotations = sel(enc.annotations);
  out.keys = enc.keys.defined() && enc.keys.is_same(enc.annotations) ? out.annotations
                                                                      : sel(enc.keys);
  out.pad_mask = sel(enc.pad_mask);
  out.fixed_weights = sel(enc.fixed_weights);
  out.fixed_context = sel(enc.fixed_context);
  for (const auto& h : enc.init_h) out.init_h.push_back(sel(h));
  for (const auto& c : enc.init_c) out.init_c.push_back(sel(c));
  for (const auto& k : enc.cross_k) out.cross_k.push_back(sel(k));
  for (const auto& v : enc.cross_v) out.cross_v.push_back(sel(v));
  return out;
}

// Every tensor of a state has the batch in dimension 0 (seq2seq.h); the transformer's
// caches are undefined before the first step.
void SelectState(DecoderState& state, const Tensor& rows) {
  auto sel = [&](Tensor& t) {
    if (t.defined()) t = t.index_select(0, rows);
  };
  for (auto& h : state.h) sel(h);
  for (auto& c : state.c) sel(c);
  for (auto& k : state.self_k) sel(k);
  for (auto& v : state.self_v) sel(v);
}

absl::Status CheckOptions(const DecodeOptions& o, bool beam) {
  if (beam && (o.beam_size < 1 || o.beam_size > 1000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("decode: beam_size must be in [1, 1000], got ", o.beam_size));
  }
  if (!(o.max_length_ratio > 0 && o.max_length_ratio <= 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("decode: max_length_ratio must be in (0, 100], got ", o.max_length_ratio));
  }
  if (!(o.length_alpha >= 0 && o.length_alpha <= 10)) {
    return absl::InvalidArgumentError(
        absl::StrCat("decode: length_alpha must be in [0, 10], got ", o.length_alpha));
  }
  if (o.n_best < 1 || o.n_best > (beam ? o.beam_size : 1)) {
    return absl::InvalidArgumentError(absl::StrCat("decode: n_best must be in [1, ",
                                                   beam ? o.beam_size : 1, "], got ", o.n_best,
                                                   beam ? " (at most the beam size)" : " (greedy)"));
  }
  return absl::OkStatus();
}

std::vector<int64_t> MaxLengths(const std::vector<std::vector<int>>& sources, double ratio) {
  std::vector<int64_t> out;
  for (const auto& s : sources) {
    out.push_back(std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil(ratio * static_cast<double>(s.size() + 1)))));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Hypothesis>> GreedyDecode(Seq2SeqImpl& model,
                                                     const std::vector<std::vector<int>>& sources,
                                                     const DecodeOptions& options,
                                                     const SentenceDone& on_done) {
  if (absl::Status s = CheckOptions(options, false); !s.ok()) return s;
  const ModelConfig& c = model.config();
  absl::StatusOr<Batch> batch = MakeSourceBatch(sources, c);
  if (!batch.ok()) return batch.status();
  try {
    EvalScope scope(model);
    const int64_t B = batch->size();
    const std::vector<int64_t> max_len = MaxLengths(sources, options.max_length_ratio);
    const int64_t steps = *std::max_element(max_len.begin(), max_len.end());
    EncoderOutput enc = model.Encode(batch->src, batch->src_lengths, batch->src_padded);
    DecoderState state = model.InitialState(enc);
    state.bf16 = options.bf16;
    state.int8 = options.int8;
    std::vector<Hypothesis> hyps(B);
    std::vector<bool> done(B, false);
    int64_t remaining = B;
    Tensor prev = torch::full({B}, c.bos_id, torch::kInt64);
    // Row r of the batch decodes sentence rows[r]; rows of finished sentences leave it.
    std::vector<int64_t> rows(B);
    for (int64_t b = 0; b < B; ++b) rows[b] = b;
    for (int64_t t = 0; t < steps && remaining > 0; ++t) {
      if (options.compact && remaining * 4 <= static_cast<int64_t>(rows.size()) * 3) {
        std::vector<int64_t> keep, live;
        for (size_t r = 0; r < rows.size(); ++r) {
          if (!done[rows[r]]) {
            keep.push_back(static_cast<int64_t>(r));
            live.push_back(rows[r]);
          }
        }
        const Tensor index = torch::tensor(keep, torch::kInt64);
        enc = SelectRows(enc, index);
        SelectState(state, index);
        prev = prev.index_select(0, index);
        rows = std::move(live);
      }
      Tensor attn;
      Tensor logp = torch::log_softmax(model.Step(enc, state, prev, &attn), 1);
      // Never emit pad or BOS.
      logp.select(1, c.pad_id).fill_(-kInf);
      logp.select(1, c.bos_id).fill_(-kInf);
      auto [best_lp, best] = logp.max(1);
      Tensor best_lp_d = best_lp.to(torch::kDouble);
      Tensor attn_f = attn.to(torch::kFloat).contiguous();
      auto tok = best.accessor<int64_t, 1>();
      auto lp = best_lp_d.accessor<double, 1>();
      auto at = attn_f.accessor<float, 2>();
      for (int64_t r = 0; r < static_cast<int64_t>(rows.size()); ++r) {
        const int64_t b = rows[r];
        if (done[b]) continue;
        Hypothesis& h = hyps[b];
        const int64_t src_len = static_cast<int64_t>(sources[b].size()) + 1;
        h.attention.emplace_back(src_len);
        for (int64_t j = 0; j < src_len; ++j) h.attention.back()[j] = at[r][j];
        h.log_prob += lp[r];
        if (tok[r] == c.eos_id) {
          h.finished = true;
        } else {
          h.tokens.push_back(static_cast<int>(tok[r]));
        }
        if (h.finished || t + 1 >= max_len[b]) {
          done[b] = true;
          --remaining;
          h.score = h.log_prob;
          if (on_done) on_done(static_cast<size_t>(b), {h});
        }
      }
      prev = best;
    }
    return hyps;
  } catch (const std::exception& e) {
    return TorchError("GreedyDecode", e);
  }
}

absl::StatusOr<std::vector<std::vector<std::vector<float>>>> HeadAttentionOf(
    Seq2SeqImpl& model, const std::vector<int>& source, const Hypothesis& h) {
  absl::StatusOr<Batch> batch = MakeBatch({source}, {h.tokens}, model.config());
  if (!batch.ok()) return batch.status();
  try {
    EvalScope scope(model);
    absl::StatusOr<Tensor> heads = model.HeadAttention(*batch);  // [1, H, tokens + 1, S]
    if (!heads.ok()) return heads.status();
    const Tensor maps = heads->select(0, 0).to(torch::kFloat32).contiguous();
    const int64_t H = maps.size(0), S = maps.size(2);
    // Without EOS (cut at the length limit) the teacher-forced pass has one row more.
    const int64_t rows = std::min<int64_t>(maps.size(1), static_cast<int64_t>(h.attention.size()));
    auto a = maps.accessor<float, 3>();
    std::vector<std::vector<std::vector<float>>> out(H);
    for (int64_t k = 0; k < H; ++k) {
      out[k].resize(rows);
      for (int64_t i = 0; i < rows; ++i) {
        out[k][i].resize(S);
        for (int64_t j = 0; j < S; ++j) out[k][i][j] = a[k][i][j];
      }
    }
    return out;
  } catch (const std::exception& e) {
    return TorchError("HeadAttentionOf", e);
  }
}

absl::StatusOr<std::vector<Hypothesis>> BeamSearch(Seq2SeqImpl& model,
                                                   const std::vector<std::vector<int>>& sources,
                                                   const DecodeOptions& options) {
  DecodeOptions one = options;
  one.n_best = 1;
  absl::StatusOr<std::vector<std::vector<Hypothesis>>> all = BeamSearchNBest(model, sources, one);
  if (!all.ok()) return all.status();
  std::vector<Hypothesis> best;
  for (auto& candidates : *all) best.push_back(std::move(candidates.front()));
  return best;
}

absl::StatusOr<std::vector<std::vector<Hypothesis>>> BeamSearchNBest(
    Seq2SeqImpl& model, const std::vector<std::vector<int>>& sources,
    const DecodeOptions& options, const SentenceDone& on_done) {
  if (absl::Status s = CheckOptions(options, true); !s.ok()) return s;
  const ModelConfig& c = model.config();
  absl::StatusOr<Batch> batch = MakeSourceBatch(sources, c);
  if (!batch.ok()) return batch.status();
  try {
    EvalScope scope(model);
    const int64_t N = batch->size(), K = options.beam_size;
    const int64_t V = c.tgt_vocab;
    const std::vector<int64_t> max_len = MaxLengths(sources, options.max_length_ratio);
    const int64_t steps = *std::max_element(max_len.begin(), max_len.end());
    EncoderOutput enc0 = model.Encode(batch->src, batch->src_lengths, batch->src_padded);
    // Block i of the batch (rows i * K .. i * K + K - 1, one per beam) decodes sentence
    // sent[i]; with options.compact, sentences whose beams are all frozen leave the batch.
    std::vector<int64_t> sent(N);
    for (int64_t n = 0; n < N; ++n) sent[n] = n;
    EncoderOutput enc =
        SelectRows(enc0, torch::arange(N, torch::kInt64).repeat_interleave(K));
    DecoderState state = model.InitialState(enc);
    state.bf16 = options.bf16;
    state.int8 = options.int8;
    const auto float_opts = enc.annotations.options();
    // Only beam 0 is live at the start, so the first expansion does not repeat hypotheses.
    Tensor scores = torch::full({N, K}, -kInf, float_opts);
    scores.select(1, 0).fill_(0.0);
    scores = scores.view({N * K});
    Tensor frozen = torch::zeros({N * K}, torch::kBool);    // finished or past its length limit
    Tensor finished = torch::zeros({N * K}, torch::kBool);  // emitted EOS
    Tensor lengths = torch::zeros({N * K}, torch::kInt64);  // emitted tokens, EOS included
    Tensor limit = torch::tensor(max_len, torch::kInt64).repeat_interleave(K);
    Tensor prev = torch::full({N * K}, c.bos_id, torch::kInt64);
    // Per step: [rows] tokens, parents (rows of the step's input), attention [rows, S], and
    // where the step's input rows were in the previous step's output (undefined: the same).
    std::vector<Tensor> tokens_at, parent_at, attn_at, moved_at;
    // What a sentence's K rows held at its last step.
    struct Last {
      int64_t step = -1, base = 0;  // the step, and the block's first row in that step
      std::vector<double> score;
      std::vector<int64_t> length;
      std::vector<bool> finished;
    };
    std::vector<Last> last(N);
    auto keep_last = [&](int64_t step, const std::vector<int64_t>& blocks) {
      const Tensor sc = scores.to(torch::kDouble).contiguous();
      auto sa = sc.accessor<double, 1>();
      auto la = lengths.accessor<int64_t, 1>();
      auto fa = finished.accessor<bool, 1>();
      for (int64_t i : blocks) {
        Last& l = last[sent[i]];
        l.step = step;
        l.base = i * K;
        for (int64_t k = 0; k < K; ++k) {
          l.score.push_back(sa[i * K + k]);
          l.length.push_back(la[i * K + k]);
          l.finished.push_back(fa[i * K + k]);
        }
      }
    };
    // Rank sentence n's rows by length-normalised score (finished rows first, rows that never
    // held a hypothesis left out) and walk the back-pointers of the first n_best through the
    // steps and the batch's shrinking.
    std::vector<std::vector<Hypothesis>> hyps(N);
    std::vector<bool> is_final(N, false);
    auto finalize = [&](int64_t n) {
      const Last& l = last[n];
      std::vector<double> norm(K);
      std::vector<int64_t> order;
      for (int64_t k = 0; k < K; ++k) {
        norm[k] = l.score[k] / std::pow(static_cast<double>(std::max<int64_t>(l.length[k], 1)),
                                        options.length_alpha);
        if (std::isfinite(norm[k])) order.push_back(k);
      }
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        if (l.finished[a] != l.finished[b]) return static_cast<bool>(l.finished[a]);
        return norm[a] > norm[b];
      });
      // Rows cut at the length limit are not translations: only when no row finished does
      // the best of them stand in.
      if (!order.empty() && l.finished[order.front()]) {
        order.erase(std::find_if(order.begin(), order.end(), [&](int64_t k) { return !l.finished[k]; }),
                    order.end());
      }
      if (order.size() > 1 && !l.finished[order.front()]) order.resize(1);
      if (order.empty()) order.push_back(0);
      if (static_cast<int64_t>(order.size()) > options.n_best) order.resize(options.n_best);
      const int64_t src_len = static_cast<int64_t>(sources[n].size()) + 1;
      for (const int64_t k : order) {
        Hypothesis& h = hyps[n].emplace_back();
        h.finished = l.finished[k];
        h.log_prob = l.score[k];
        h.score = norm[k];
        std::vector<int> toks;
        std::vector<std::vector<float>> rows;
        int64_t r = l.base + k;
        for (int64_t t = l.step; t >= 0; --t) {
          const int64_t tok = tokens_at[t][r].item<int64_t>();
          const int64_t par = parent_at[t][r].item<int64_t>();
          if (tok != c.pad_id) {
            toks.push_back(static_cast<int>(tok));
            Tensor a = attn_at[t][par].contiguous();
            const float* p = a.data_ptr<float>();
            rows.emplace_back(p, p + src_len);
          }
          r = moved_at[t].defined() ? moved_at[t][par].item<int64_t>() : par;
        }
        std::reverse(toks.begin(), toks.end());
        std::reverse(rows.begin(), rows.end());
        if (h.finished && !toks.empty() && toks.back() == c.eos_id) toks.pop_back();
        h.tokens = std::move(toks);
        h.attention = std::move(rows);
      }
      is_final[n] = true;
      if (on_done) on_done(static_cast<size_t>(n), hyps[n]);
    };
    // Sentences at blocks `blocks` of step `step` are final: their results are taken now
    // (a frozen block only carries its rows forward at no cost, so later steps change nothing).
    auto finish = [&](int64_t step, const std::vector<int64_t>& blocks) {
      if (blocks.empty()) return;
      keep_last(step, blocks);
      for (int64_t i : blocks) finalize(sent[i]);
    };
    for (int64_t t = 0; t < steps; ++t) {
      Tensor moved;
      const int64_t blocks = static_cast<int64_t>(sent.size());
      if (options.compact && t > 0) {
        std::vector<int64_t> rows, live;
        for (int64_t i = 0; i < blocks; ++i) {
          if (!is_final[sent[i]]) {
            live.push_back(sent[i]);
            for (int64_t k = 0; k < K; ++k) rows.push_back(i * K + k);
          }
        }
        if (!live.empty() && static_cast<int64_t>(live.size()) * 4 <= blocks * 3) {
          moved = torch::tensor(rows, torch::kInt64);
          enc = SelectRows(enc, moved);
          SelectState(state, moved);
          for (Tensor* x : {&scores, &frozen, &finished, &lengths, &limit, &prev}) {
            *x = x->index_select(0, moved);
          }
          sent = std::move(live);
        }
      }
      const int64_t B = static_cast<int64_t>(sent.size()), BK = B * K;
      Tensor attn;
      Tensor logp = torch::log_softmax(model.Step(enc, state, prev, &attn), 1);  // [BK, V]
      logp.select(1, c.pad_id).fill_(-kInf);
      logp.select(1, c.bos_id).fill_(-kInf);
      // A frozen row has one continuation, pad, at no cost: it keeps its slot and score.
      logp.masked_fill_(frozen.unsqueeze(1), -kInf);
      logp.select(1, c.pad_id).masked_fill_(frozen, 0.0);
      Tensor cand = (scores.unsqueeze(1) + logp).view({B, K * V});
      auto [top, idx] = cand.topk(K, 1);  // [B, K]
      Tensor row_base = (torch::arange(B, torch::kInt64) * K).unsqueeze(1);
      Tensor parent = (row_base + idx.div(V, "floor")).view({BK});
      Tensor token = idx.remainder(V).view({BK});
      scores = top.view({BK});
      SelectState(state, parent);
      tokens_at.push_back(token);
      parent_at.push_back(parent);
      attn_at.push_back(attn.to(torch::kFloat));
      moved_at.push_back(moved);
      Tensor emitted = token.ne(c.pad_id);
      lengths = lengths.index_select(0, parent) + emitted.to(torch::kInt64);
      finished = finished.index_select(0, parent) | token.eq(c.eos_id);
      frozen = finished | lengths.ge(limit);
      prev = token;
      const Tensor done = frozen.view({B, K}).all(1);
      auto da = done.accessor<bool, 1>();
      std::vector<int64_t> ended;
      bool all_final = true;
      for (int64_t i = 0; i < B; ++i) {
        if (da[i] && !is_final[sent[i]]) ended.push_back(i);
        all_final = all_final && da[i];
      }
      finish(t, ended);
      if (all_final) break;
    }
    {
      // Sentences cut by the last step (none normally: every row reaches its limit by then).
      std::vector<int64_t> rest;
      for (size_t i = 0; i < sent.size(); ++i) {
        if (!is_final[sent[i]]) rest.push_back(static_cast<int64_t>(i));
      }
      finish(static_cast<int64_t>(tokens_at.size()) - 1, rest);
    }
    return hyps;
  } catch (const std::exception& e) {
    return TorchError("BeamSearchNBest", e);
  }
}

}  // namespace tandem::model
