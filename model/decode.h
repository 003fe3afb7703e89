// Greedy and beam-search decoding with a trained Seq2Seq (torch-free inputs and outputs).
//
// Sources are raw token ids (no specials; EOS is appended as in MakeBatch). Each result
// holds the output ids (no BOS/EOS) and the attention matrix of that output:
// attention[i][j] = weight of source position j (0 .. source length, the appended EOS
// included) when producing output i (rows: the output tokens, then the EOS row when the
// hypothesis finished). Decoding runs in eval mode without gradients and restores the
// model's training mode afterwards; a model already in eval mode is only read, so several
// threads may decode with it at once.
#ifndef TANDEM_MODEL_DECODE_H_
#define TANDEM_MODEL_DECODE_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "model/seq2seq.h"

namespace tandem::model {

struct DecodeOptions {
  int beam_size = 5;  // beam search only
  // Beam search's length normalisation: hypotheses are ranked by log P / length^length_alpha
  // (length in subwords, EOS included). 0 ranks by raw log-probability, which favours short
  // output; 1 (the default) by the mean log-probability per subword; above 1 favours longer
  // output. In [0, 10].
  double length_alpha = 1.0;
  int n_best = 1;  // beam search: candidates kept per sentence, best first (1 .. beam_size)
  double max_length_ratio = 2.0;  // at most ceil(ratio * (source length + 1)) output steps
  // Once a quarter of the sentences still in the batch have finished (greedy: emitted EOS or
  // reached their limit; beam: every beam frozen), the batch shrinks to the others (their
  // encoder outputs and states selected), so finished sentences cost no more output-layer
  // products. The same tokens either way, up to floating-point ties (a smaller batch may
  // round a product differently).
  bool compact = true;
  // Steps read the bfloat16 weights (DecoderState::bf16; Seq2SeqImpl::PrepareBf16Decoding
  // must have been called, else float32 as without it).
  bool bf16 = false;
  // The output layer in int8 (DecoderState::int8; Seq2SeqImpl::PrepareInt8Decoding must have
  // been called, else as without it). Takes precedence over bf16 for that layer.
  bool int8 = false;
};

struct Hypothesis;

// Called as soon as a sentence's result is final, before the batch ends: greedy, when it
// emitted EOS or reached its length limit; beam search, when every beam of it is frozen. With
// the sentence's index in `sources` and its candidates, best first, exactly as the call
// returns them. On the decoding thread; it must not call back into the decoder.
using SentenceDone = std::function<void(size_t sentence, const std::vector<Hypothesis>&)>;

struct Hypothesis {
  std::vector<int> tokens;
  std::vector<std::vector<float>> attention;  // [steps][source length + 1]
  double log_prob = 0.0;  // sum of log-probabilities of the emitted tokens (EOS included)
  double score = 0.0;     // beam: log_prob / length^alpha; greedy: log_prob
  bool finished = false;  // ended with EOS (false: stopped at the length limit)
};

absl::StatusOr<std::vector<Hypothesis>> GreedyDecode(Seq2SeqImpl& model,
                                                     const std::vector<std::vector<int>>& sources,
                                                     const DecodeOptions& options = {},
                                                     const SentenceDone& on_done = nullptr);

// The attention of every head for a decoded hypothesis of `source` (raw ids, as given to the
// decoder): the model's HeadAttention teacher-forced over h.tokens, [head][row][source + 1]
// with h.attention's rows (the EOS row when h.finished). A transformer has config().heads
// heads, whose mean is h.attention up to float rounding; an RNN has one. Eval mode, no
// gradients, as decoding.
absl::StatusOr<std::vector<std::vector<std::vector<float>>>> HeadAttentionOf(
    Seq2SeqImpl& model, const std::vector<int>& source, const Hypothesis& h);

// Batched beam search: all sentences and their beams advance together (N * K rows).
// Finished beams keep their score and occupy their slot until their sentence leaves the batch
// (DecodeOptions::compact); the result per sentence is the best finished beam by
// length-normalised score (the best unfinished one if none finished).
absl::StatusOr<std::vector<Hypothesis>> BeamSearch(Seq2SeqImpl& model,
                                                   const std::vector<std::vector<int>>& sources,
                                                   const DecodeOptions& options = {});

// The same search, keeping up to options.n_best distinct candidates per sentence, best first
// by length-normalised score: the beams that finished (emitted EOS); when none did, only the
// best beam cut at the length limit. Its first candidates are BeamSearch's.
absl::StatusOr<std::vector<std::vector<Hypothesis>>> BeamSearchNBest(
    Seq2SeqImpl& model, const std::vector<std::vector<int>>& sources,
    const DecodeOptions& options = {}, const SentenceDone& on_done = nullptr);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_DECODE_H_
