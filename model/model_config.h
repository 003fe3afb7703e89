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
  int64_t pad_id = 0;
  int64_t bos_id = 1;
  int64_t eos_id = 2;
  int64_t unk_id = 3;

  int64_t AnnotationDim() const { return 2 * hidden_dim; }
  int64_t DecoderHidden() const { return 2 * hidden_dim; }
};

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
