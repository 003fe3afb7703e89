#include "model/model_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tandem::model {
namespace {

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("model.", field, ": ", what));
}

// Sizes are bounded so that a hostile job file cannot ask for a terabyte of parameters.
constexpr int64_t kMaxVocab = 1 << 20;
constexpr int64_t kMaxDim = 1 << 14;
constexpr int64_t kMaxLayers = 16;

absl::Status CheckRange(const std::string& field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    return Bad(field, absl::StrCat("must be in [", lo, ", ", hi, "], got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// The transformer's own fields; the shared ones (vocabularies, embedding_dim, dropout, ids,
// tie_embeddings) are checked by Validate.
absl::Status ValidateTransformer(const ModelConfig& c) {
  if (absl::Status s = CheckRange("encoder_layers", c.encoder_layers, 1, kMaxTransformerLayers);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("decoder_layers", c.decoder_layers, 1, kMaxTransformerLayers);
      !s.ok()) {
    return s;
  }
  // cell and attention describe the recurrent model; a changed value would be silently
  // ignored, so it is refused.
  if (c.cell != "gru") return Bad("cell", "does not apply to architecture transformer");
  if (c.attention != "bahdanau") {
    return Bad("attention", "does not apply to architecture transformer");
  }
  if (absl::Status s = CheckRange("heads", c.heads, 1, 64); !s.ok()) return s;
  if (c.embedding_dim % c.heads != 0) {
    return Bad("heads", absl::StrCat("embedding_dim (", c.embedding_dim,
                                     ") must be divisible by heads (", c.heads, ")"));
  }
  if (absl::Status s = CheckRange("ff_dim", c.ff_dim, 1, kMaxDim); !s.ok()) return s;
  if (c.positions != "sinusoidal" && c.positions != "learned") {
    return Bad("positions", absl::StrCat("unknown positions '", c.positions,
                                         "' (expected sinusoidal, learned)"));
  }
  if (c.preoutput_dim != c.embedding_dim) {
    return Bad("preoutput_dim", absl::StrCat("must equal embedding_dim for the transformer (",
                                             c.embedding_dim, "), got ", c.preoutput_dim));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Validate(const ModelConfig& c) {
  if (c.architecture != "rnn" && c.architecture != "transformer") {
    return Bad("architecture", absl::StrCat("unknown architecture '", c.architecture,
                                            "' (expected rnn, transformer)"));
  }
  // Ids 0..3 are the special ids; the vocabularies must hold them and at least one more.
  if (absl::Status s = CheckRange("src_vocab", c.src_vocab, 5, kMaxVocab); !s.ok()) return s;
  if (absl::Status s = CheckRange("tgt_vocab", c.tgt_vocab, 5, kMaxVocab); !s.ok()) return s;
  if (absl::Status s = CheckRange("embedding_dim", c.embedding_dim, 1, kMaxDim); !s.ok()) return s;
  if (c.IsTransformer()) {
    if (absl::Status s = ValidateTransformer(c); !s.ok()) return s;
  } else {
    if (absl::Status s = CheckRange("hidden_dim", c.hidden_dim, 1, kMaxDim); !s.ok()) return s;
    if (absl::Status s = CheckRange("encoder_layers", c.encoder_layers, 1, kMaxLayers); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckRange("decoder_layers", c.decoder_layers, 1, kMaxLayers); !s.ok()) {
      return s;
    }
    if (c.cell != "gru" && c.cell != "lstm") {
      return Bad("cell", absl::StrCat("unknown cell type '", c.cell, "' (expected gru, lstm)"));
    }
    if (c.attention != "bahdanau" && c.attention != "luong_dot" && c.attention != "luong_general" &&
        c.attention != "none") {
      return Bad("attention",
                 absl::StrCat("unknown attention type '", c.attention,
                              "' (expected bahdanau, luong_dot, luong_general, none)"));
    }
    if (c.attention == "bahdanau") {
      if (absl::Status s = CheckRange("attention_dim", c.attention_dim, 1, kMaxDim); !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = CheckRange("preoutput_dim", c.preoutput_dim, 1, kMaxDim); !s.ok())
      return s;
  }  // rnn
  if (!(c.dropout >= 0.0 && c.dropout < 1.0)) {
    return Bad("dropout", absl::StrCat("must be in [0, 1), got ", c.dropout));
  }
  if (c.tie_embeddings && c.embedding_dim != c.preoutput_dim) {
    return Bad("tie_embeddings",
               absl::StrCat("needs embedding_dim == preoutput_dim (the output projection is the "
                            "target embedding matrix), got ",
                            c.embedding_dim, " and ", c.preoutput_dim));
  }
  const int64_t min_vocab = 1 + std::max({c.pad_id, c.bos_id, c.eos_id, c.unk_id});
  const struct {
    const char* name;
    int64_t id;
  } ids[] = {{"pad_id", c.pad_id}, {"bos_id", c.bos_id}, {"eos_id", c.eos_id}, {"unk_id", c.unk_id}};
  for (const auto& id : ids) {
    if (id.id < 0) return Bad(id.name, absl::StrCat("must be >= 0, got ", id.id));
  }
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = i + 1; j < 4; ++j) {
      if (ids[i].id == ids[j].id) {
        return Bad(ids[j].name, absl::StrCat("must differ from ", ids[i].name, " (both ",
                                             ids[j].id, ")"));
      }
    }
  }
  if (min_vocab > std::min(c.src_vocab, c.tgt_vocab)) {
    return Bad("src_vocab", absl::StrCat("vocabularies must hold the special ids (need >= ",
                                         min_vocab, ")"));
  }
  return absl::OkStatus();
}

ModelConfig R1Config() {
  ModelConfig c;
  c.src_vocab = 8000;
  c.tgt_vocab = 8000;
  c.embedding_dim = 256;
  c.hidden_dim = 256;
  c.encoder_layers = 1;
  c.decoder_layers = 1;
  c.cell = "gru";
  c.attention = "bahdanau";
  c.attention_dim = 512;
  c.preoutput_dim = 512;
  c.dropout = 0.1;
  c.tie_embeddings = false;
  c.pad_id = 0;
  c.bos_id = 1;
  c.eos_id = 2;
  c.unk_id = 3;
  return c;
}

int64_t ParameterCount(const ModelConfig& c) {
  if (c.IsTransformer()) {
    // README.md "Transformer parameter order": per layer, layer norms 2E each, self-attention
    // 4E^2 + 4E (qkv and output projections), cross-attention (decoder) the same, FFN
    // E F + F + F E + E.
    const int64_t E = c.embedding_dim, F = c.ff_dim;
    const int64_t norm = 2 * E, attn = 4 * E * E + 4 * E, ffn = 2 * E * F + F + E;
    const int64_t pos = c.positions == "learned" ? kMaxLearnedPositions * E : 0;
    int64_t n = c.src_vocab * E + pos;
    n += c.encoder_layers * (2 * norm + attn + ffn) + norm;
    n += c.tgt_vocab * E + pos;
    n += c.decoder_layers * (3 * norm + 2 * attn + ffn) + norm;
    n += (c.tie_embeddings ? 0 : c.tgt_vocab * E) + c.tgt_vocab;
    return n;
  }
  const int64_t gates = c.cell == "lstm" ? 4 : 3;
  const int64_t E = c.embedding_dim, H = c.hidden_dim, A = c.AnnotationDim(),
                D = c.DecoderHidden(), P = c.preoutput_dim;
  auto rnn = [&](int64_t in, int64_t hidden) { return gates * hidden * (in + hidden + 2); };
  int64_t n = c.src_vocab * E;                                  // src_emb
  for (int64_t l = 0; l < c.encoder_layers; ++l) n += 2 * rnn(l == 0 ? E : A, H);
  n += c.decoder_layers * D * H + c.decoder_layers * D;         // bridge
  n += c.tgt_vocab * E;                                         // tgt_emb
  if (c.attention == "bahdanau") n += D * c.attention_dim + A * c.attention_dim + c.attention_dim;
  if (c.attention == "luong_general") n += D * A;
  for (int64_t l = 0; l < c.decoder_layers; ++l) n += rnn(l == 0 ? E + A : D, D);
  n += P * (D + A + E) + P;                                     // pre_out
  n += (c.tie_embeddings ? 0 : c.tgt_vocab * P) + c.tgt_vocab;  // out
  return n;
}

}  // namespace tandem::model
