#include "model/model_spec.h"

namespace tandem::model {

ModelConfig ModelConfigFor(const v1::JobSpec& spec, int source_vocab, int target_vocab) {
  ModelConfig c;
  c.src_vocab = source_vocab;
  c.tgt_vocab = target_vocab;
  c.embedding_dim = spec.model().embedding_dim();
  c.hidden_dim = spec.model().hidden_dim();
  c.encoder_layers = spec.model().encoder_layers();
  c.decoder_layers = spec.model().decoder_layers();
  c.cell = spec.model().cell();
  c.attention = spec.model().attention();
  c.attention_dim = c.DecoderHidden();
  c.preoutput_dim = c.DecoderHidden();
  c.dropout = spec.model().dropout();
  c.tie_embeddings = spec.model().tie_embeddings();
  c.recompute_attention = spec.model().recompute_attention();
  return c;
}

uint64_t TrainingMemoryFloorBytes(const v1::JobSpec& spec) {
  const int vocab = static_cast<int>(spec.tokenizer().vocab_size());
  const ModelConfig config = ModelConfigFor(spec, vocab, vocab);
  if (!Validate(config).ok()) return kTrainingRuntimeBytes;  // refused at submission anyway
  return kTrainingRuntimeBytes + 5 * sizeof(float) * static_cast<uint64_t>(ParameterCount(config));
}

}  // namespace tandem::model
