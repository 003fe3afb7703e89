// ModelConfig: the shape of an attention encoder-decoder (torch-free, so the coordinator and
// the client can validate job specifications without LibTorch).
//
// Architecture (see model/README.md and ../shared/anchors/R1.md section 1):
//   encoder: `encoder_layers` bidirectional `cell` layers, `hidden_dim` units per direction, so
//            annotations have 2 * hidden_dim features;
//   decoder: `decoder_layers` unidirectional cells of DecoderHidden() = 2 * hidden_dim units,
//            stepped over time with input feeding ([target embedding; context] is the input
//            of the first layer), attention `attention`, tanh pre-output of `preoutput_dim`,
//            output projection to `tgt_vocab` logits.
#ifndef TANDEM_MODEL_MODEL_CONFIG_H_
#define TANDEM_MODEL_MODEL_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tandem::model {

struct ModelConfig {
  int64_t src_vocab = 8000;
  int64_t tgt_vocab = 8000;
  int64_t embedding_dim = 256;   // source and target embeddings
  int64_t hidden_dim = 256;      // per direction in the encoder; the decoder has 2 * this
  int64_t encoder_layers = 1;
  int64_t decoder_layers = 1;
  std::string cell = "gru";            // "gru" | "lstm"
  std::string attention = "bahdanau";  // "bahdanau" | "luong_dot" | "luong_general" | "none"
  int64_t attention_dim = 512;   // Bahdanau only (additive attention's hidden size)
  int64_t preoutput_dim = 512;
  double dropout = 0.1;          // source embeddings, target embeddings, pre-output
  bool tie_embeddings = false;   // output projection shares the target embedding matrix
  // Bahdanau: recompute the attention tanh in backward rather than keep it per decoder step
  // (memory for time; same results). The fused decoder (one-layer GRU) always recomputes; this
  // chooses for the step-by-step path (LSTM or several decoder layers).
  bool recompute_attention = false;
  // "rnn" (the above) or "transformer": a pre-norm Transformer encoder-decoder (README.md)
  // where embedding_dim is d_model, encoder_layers / decoder_layers count its layers,
  // preoutput_dim must equal embedding_dim (the decoder's final layer norm feeds the output
  // layer) and hidden_dim, attention_dim, recompute_attention are unused; `cell` and
  // `attention` must keep their defaults (they do not apply).
  std::string architecture = "rnn";
  int64_t heads = 4;           // transformer: attention heads; embedding_dim % heads == 0
  int64_t ff_dim = 1024;       // transformer: feed-forward inner size
  std::string positions = "sinusoidal";  // transformer: "sinusoidal" | "learned"
  int64_t pad_id = 0;
  int64_t bos_id = 1;
  int64_t eos_id = 2;
  int64_t unk_id = 3;

  bool IsTransformer() const { return architecture == "transformer"; }
  int64_t AnnotationDim() const { return 2 * hidden_dim; }
  int64_t DecoderHidden() const { return 2 * hidden_dim; }
};

// Transformer, positions "learned": the table's size; longer source or target sequences
// (decoding steps included) are refused with an error.
inline constexpr int64_t kMaxLearnedPositions = 1024;
// Transformer layer counts go up to this (the RNN's go to kMaxLayers in model_config.cc).
inline constexpr int64_t kMaxTransformerLayers = 12;

// OK, or InvalidArgument naming the first bad field ("model.<field>: ...") with the allowed
// range or values.
absl::Status Validate(const ModelConfig& config);

// The R1 reference model (R1.md section 1): 12,270,912 parameters.
ModelConfig R1Config();

// Number of trainable parameters the model built from `config` has (no LibTorch needed).
// `config` must be valid.
int64_t ParameterCount(const ModelConfig& config);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_MODEL_CONFIG_H_
