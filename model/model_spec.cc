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
  if (spec.model().architecture() == "transformer") {
    // Empty / zero fields are the documented defaults (job.proto). cell and attention keep
    // ModelConfig's defaults unless given (then Validate refuses them: they do not apply).
    const auto& m = spec.model();
    c.architecture = "transformer";
    if (m.cell().empty()) c.cell = ModelConfig().cell;
    if (m.attention().empty()) c.attention = ModelConfig().attention;
    c.heads = m.heads() != 0 ? m.heads() : ModelConfig().heads;
    c.ff_dim = m.ff_dim() != 0 ? int64_t{m.ff_dim()} : 4 * c.embedding_dim;
    c.positions = m.positions().empty() ? ModelConfig().positions : m.positions();
    c.preoutput_dim = c.embedding_dim;  // the decoder's final layer norm feeds the output
  }
  return c;
}

uint64_t TrainingMemoryFloorBytes(const v1::JobSpec& spec) {
  const int vocab = static_cast<int>(spec.tokenizer().vocab_size());
  const ModelConfig config = ModelConfigFor(spec, vocab, vocab);
  if (!Validate(config).ok()) return kTrainingRuntimeBytes;  // refused at submission anyway
  return kTrainingRuntimeBytes + 5 * sizeof(float) * static_cast<uint64_t>(ParameterCount(config));
}

}  // namespace tandem::model
