#include "worker/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status.h"
#include "data/batching.h"
#include "data/tokenizer.h"
#include "model/batch.h"
#include "model/bleu.h"
#include "model/decode.h"
#include "model/loss.h"
#include "model/lr_schedule.h"
#include "model/optim.h"
#include "model/runtime.h"
#include "model/seq2seq.h"

namespace tandem {

namespace {

// Source and target ids of a set of sentence pairs, with the raw target text (references).
struct PairSet {
  std::vector<std::vector<int>> src, tgt;
  std::vector<std::string> src_text, tgt_text;
  std::vector<uint32_t> src_len, tgt_len;
};

absl::Status LoadPairs(const std::string& path, const Tokenizer& src_tok, const Tokenizer& tgt_tok,
                       PairSet& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": not a prepared TSV line"));
    }
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> s, src_tok.Encode(line.substr(0, tab)));
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> t, tgt_tok.Encode(line.substr(tab + 1)));
    out.src_len.push_back(static_cast<uint32_t>(s.size() + 1));
    out.tgt_len.push_back(static_cast<uint32_t>(t.size() + 1));
    out.src.push_back(std::move(s));
    out.tgt.push_back(std::move(t));
    out.src_text.push_back(line.substr(0, tab));
    out.tgt_text.push_back(line.substr(tab + 1));
  }
  return absl::OkStatus();
}

model::ModelConfig ModelConfigFor(const v1::JobSpec& spec, int src_vocab, int tgt_vocab) {
  model::ModelConfig c;
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
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
  return c;
}

// FNV-1a over 64-bit words (then the remaining bytes): reported after every step, so it
// reads 8 bytes per multiply rather than one.
uint64_t Fnv1a64(const void* data, size_t n, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = (h ^ word) * 0x100000001B3ull;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

}  // namespace

struct Trainer::Impl {
  TrainerConfig config;
  std::unique_ptr<Tokenizer> src_tok, tgt_tok;
  model::ModelConfig model_config;
  model::Seq2Seq model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  model::LrSchedule schedule;
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  // One data stream: its pairs and its position, the batch plan of `epoch` and the next
  // batch in it. Stream 0 is this rank's shards; more streams accumulate into the same step.
  struct Stream {
    PairSet data;
    uint64_t shard_id = 0;
    int64_t epoch = 0;
    size_t batch_index = 0;
    std::vector<std::vector<uint32_t>> plan;

    void MakePlan(const v1::TrainingSpec& tr) {
      BatchingOptions o;
      o.batch_tokens = tr.batch_tokens();
      plan = PlanBatches(data.src_len, data.tgt_len, o,
                         MixSeed(tr.seed(), static_cast<uint64_t>(epoch), shard_id));
    }
    int64_t CompletedEpochs() const { return epoch + (batch_index >= plan.size() ? 1 : 0); }
    // The next batch's pair indices, starting a new epoch when the plan is used up.
    const std::vector<uint32_t>& Next(const v1::TrainingSpec& tr) {
      if (batch_index >= plan.size()) {
        ++epoch;
        batch_index = 0;
        MakePlan(tr);
      }
      return plan[batch_index];
    }
  };
  std::vector<Stream> streams;
  PairSet valid;
  int64_t step = 0;

  // Forward pass and label-smoothed loss (a sum) of the pairs `picked` from `set`.
  // May throw c10::Error (callers run inside a try).
  absl::StatusOr<model::LossSum> BatchLoss(const PairSet& set,
                                           const std::vector<uint32_t>& picked) {
    std::vector<std::vector<int>> src, tgt;
    for (uint32_t i : picked) {
      src.push_back(set.src[i]);
      tgt.push_back(set.tgt[i]);
    }
    TANDEM_ASSIGN_OR_RETURN(model::Batch batch, model::MakeBatch(src, tgt, model_config));
    TANDEM_ASSIGN_OR_RETURN(torch::Tensor logits, model->Forward(batch));
    return model::LabelSmoothedLoss(logits, batch.tgt_out,
                                    config.spec.training().label_smoothing(), model_config.pad_id);
  }
};

Trainer::Trainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Trainer::~Trainer() = default;

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(TrainerConfig config) {
  auto impl = std::make_unique<Impl>();
  model::ConfigureTrainingRuntime(std::max(1, config.threads));
  TANDEM_ASSIGN_OR_RETURN(impl->src_tok, Tokenizer::Load(config.source_model));
  TANDEM_ASSIGN_OR_RETURN(impl->tgt_tok, Tokenizer::Load(config.target_model));
  std::vector<TrainerConfig::Stream> stream_configs = {{config.shard_files, config.shard_id}};
  stream_configs.insert(stream_configs.end(), config.more_streams.begin(),
                        config.more_streams.end());
  for (const auto& sc : stream_configs) {
    Impl::Stream stream;
    stream.shard_id = sc.shard_id;
    for (const std::string& shard : sc.shard_files) {
      TANDEM_RETURN_IF_ERROR(LoadPairs(shard, *impl->src_tok, *impl->tgt_tok, stream.data));
    }
    impl->streams.push_back(std::move(stream));
  }
  if (!config.valid_file.empty()) {
    TANDEM_RETURN_IF_ERROR(
        LoadPairs(config.valid_file, *impl->src_tok, *impl->tgt_tok, impl->valid));
  }
  impl->model_config = ModelConfigFor(config.spec, impl->src_tok->vocab_size(),
                                      impl->tgt_tok->vocab_size());
  TANDEM_ASSIGN_OR_RETURN(impl->model,
                          model::CreateSeq2Seq(impl->model_config, config.spec.training().seed()));
  impl->params = impl->model->OrderedParameters();
  impl->names = impl->model->OrderedParameterNames();
  model::AdamConfig adam;
  adam.lr = config.spec.training().learning_rate();
  TANDEM_ASSIGN_OR_RETURN(impl->optimizer, model::MakeAdam(impl->params, adam));
  const auto& tr = config.spec.training();
  impl->schedule.kind = tr.lr_schedule() == "linear" ? "linear_decay" : tr.lr_schedule();
  impl->schedule.base_lr = tr.learning_rate();
  impl->schedule.warmup_steps = tr.warmup_steps();
  impl->schedule.total_steps = static_cast<int64_t>(tr.max_steps());
  TANDEM_RETURN_IF_ERROR(model::Validate(impl->schedule));
  impl->config = std::move(config);
  for (auto& stream : impl->streams) stream.MakePlan(impl->config.spec.training());
  return std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
}

bool Trainer::Finished() const {
  const auto& tr = impl_->config.spec.training();
  if (tr.max_steps() > 0 && impl_->step >= static_cast<int64_t>(tr.max_steps())) return true;
  return tr.epochs() > 0 &&
         impl_->streams[0].CompletedEpochs() >= static_cast<int64_t>(tr.epochs());
}

int64_t Trainer::step() const { return impl_->step; }

int64_t Trainer::NumParameters() const { return impl_->model->NumParameters(); }

std::vector<float> Trainer::FlatParameters() const {
  std::vector<float> out;
  out.reserve(static_cast<size_t>(NumParameters()));
  for (const auto& p : impl_->params) {
    torch::Tensor c = p.detach().contiguous();
    out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  return out;
}

uint64_t Trainer::ParameterChecksum() const {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const auto& p : impl_->params) {
    torch::Tensor c = p.detach().contiguous();
    h = Fnv1a64(c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size(), h);
  }
  return h;
}

absl::StatusOr<StepStats> Trainer::Step() {
  Impl& m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& stream : m.streams) {
    if (stream.data.src.empty()) {
      return absl::FailedPreconditionError("trainer: no training data (the shards are empty)");
    }
  }
  const v1::TrainingSpec& tr = m.config.spec.training();
  StepStats stats;
  try {
    m.model->train();
    m.optimizer->zero_grad();
    // Forward and backward of each stream's next batch; gradients (sums) accumulate.
    double local_loss = 0;
    int64_t local_tokens = 0;
    for (auto& stream : m.streams) {
      TANDEM_ASSIGN_OR_RETURN(model::LossSum loss, m.BatchLoss(stream.data, stream.Next(tr)));
      loss.sum.backward();
      local_loss += loss.sum.item<double>();
      local_tokens += loss.tokens;
    }
    double global_loss = local_loss;
    double global_tokens = static_cast<double>(local_tokens);
    torch::NoGradGuard no_grad;
    for (auto& p : m.params) {
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    }
    if (m.config.all_reduce) {
      // One flat buffer: every gradient in parameter order, then the loss sum and token
      // count, so one all-reduce sums all of them.
      std::vector<torch::Tensor> flat_parts;
      flat_parts.reserve(m.params.size() + 1);
      for (auto& p : m.params) flat_parts.push_back(p.grad().reshape({-1}));
      flat_parts.push_back(
          torch::tensor({static_cast<float>(local_loss), static_cast<float>(local_tokens)}));
      torch::Tensor flat = torch::cat(flat_parts);
      absl::Status reduced =
          m.config.all_reduce(flat.data_ptr<float>(), static_cast<size_t>(flat.numel()));
      if (!reduced.ok()) {
        // The step is abandoned: the parameters are untouched, so a new generation can
        // redo it. ABORTED marks a collective failure for the caller.
        return absl::AbortedError(absl::StrCat("all-reduce failed: ", reduced.message()));
      }
      const int64_t n = flat.numel();
      global_loss = flat[n - 2].item<double>();
      global_tokens = flat[n - 1].item<double>();
      int64_t offset = 0;
      for (auto& p : m.params) {
        p.mutable_grad().copy_(flat.narrow(0, offset, p.numel()).view_as(p));
        offset += p.numel();
      }
    }
    if (global_tokens <= 0) return absl::InternalError("a step with no target tokens");
    // Sums over target tokens become means over the global token count.
    for (auto& p : m.params) p.mutable_grad().div_(global_tokens);
    stats.grad_norm =
        model::ClipGradNorm(m.params, m.config.spec.training().clip_norm());
    stats.learning_rate = model::LearningRate(m.schedule, m.step + 1);
    model::SetLearningRate(*m.optimizer, stats.learning_rate);
    m.optimizer->step();
    stats.loss = global_loss / global_tokens;
    stats.tokens = static_cast<int64_t>(global_tokens);
  } catch (const std::exception& e) {
    return model::TorchError("training step", e);
  }
  ++m.step;
  for (auto& stream : m.streams) ++stream.batch_index;
  stats.step = m.step;
  stats.epoch = m.streams[0].epoch;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

absl::StatusOr<std::vector<std::string>> Trainer::Translate(
    const std::vector<std::string>& sentences, int beam_size) {
  Impl& m = *impl_;
  std::vector<std::vector<int>> src;
  for (const auto& s : sentences) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, m.src_tok->Encode(s));
    src.push_back(std::move(ids));
  }
  m.model->eval();
  model::DecodeOptions o;
  o.beam_size = beam_size;
  std::vector<std::string> out;
  constexpr size_t kChunk = 32;
  for (size_t i = 0; i < src.size(); i += kChunk) {
    std::vector<std::vector<int>> part(src.begin() + static_cast<long>(i),
                                       src.begin() + static_cast<long>(std::min(src.size(), i + kChunk)));
    auto hyps = beam_size > 1 ? model::BeamSearch(*m.model, part, o)
                              : model::GreedyDecode(*m.model, part, o);
    if (!hyps.ok()) return hyps.status();
    for (const auto& h : *hyps) {
      std::vector<int> ids;
      for (int t : h.tokens) {
        if (t != m.model_config.eos_id) ids.push_back(t);
      }
      TANDEM_ASSIGN_OR_RETURN(std::string text, m.tgt_tok->Decode(ids));
      out.push_back(std::move(text));
    }
  }
  m.model->train();
  return out;
}

absl::StatusOr<Trainer::Alignment> Trainer::Attention(const std::string& sentence) {
  Impl& m = *impl_;
  TANDEM_ASSIGN_OR_RETURN(std::vector<int> ids, m.src_tok->Encode(sentence));
  m.model->eval();
  auto hyps = model::GreedyDecode(*m.model, {ids});
  m.model->train();
  if (!hyps.ok()) return hyps.status();
  const model::Hypothesis& h = hyps->front();
  Alignment out;
  for (int id : ids) out.source_pieces.push_back(m.src_tok->IdToPiece(id));
  out.source_pieces.push_back("</s>");
  std::vector<int> text_ids;
  for (int t : h.tokens) {
    if (t == m.model_config.eos_id) continue;
    out.target_pieces.push_back(m.tgt_tok->IdToPiece(t));
    text_ids.push_back(t);
  }
  // The decoder's last step, which emitted EOS, has an attention row too.
  if (h.attention.size() > out.target_pieces.size()) out.target_pieces.push_back("</s>");
  out.weights = h.attention;
  TANDEM_ASSIGN_OR_RETURN(out.translation, m.tgt_tok->Decode(text_ids));
  return out;
}

absl::StatusOr<ValidationStats> Trainer::Validate() {
  Impl& m = *impl_;
  ValidationStats stats;
  if (m.valid.src.empty()) return absl::FailedPreconditionError("no validation set");
  double loss_sum = 0;
  int64_t tokens = 0;
  try {
    torch::NoGradGuard no_grad;
    m.model->eval();
    BatchingOptions o;
    o.batch_tokens = m.config.spec.training().batch_tokens();
    for (const auto& b : PlanBatches(m.valid.src_len, m.valid.tgt_len, o, 0)) {
      TANDEM_ASSIGN_OR_RETURN(model::LossSum loss, m.BatchLoss(m.valid, b));
      loss_sum += loss.sum.item<double>();
      tokens += loss.tokens;
    }
    m.model->train();
  } catch (const std::exception& e) {
    m.model->train();
    return model::TorchError("validation", e);
  }
  stats.loss = tokens > 0 ? loss_sum / static_cast<double>(tokens) : 0;
  size_t n = m.valid.src_text.size();
  if (m.config.valid_bleu_sentences > 0) n = std::min<size_t>(n, m.config.valid_bleu_sentences);
  std::vector<std::string> sources(m.valid.src_text.begin(),
                                   m.valid.src_text.begin() + static_cast<long>(n));
  std::vector<std::string> refs(m.valid.tgt_text.begin(),
                                m.valid.tgt_text.begin() + static_cast<long>(n));
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> hyps, Translate(sources, 1));
  TANDEM_ASSIGN_OR_RETURN(BleuScore bleu, CorpusBleu(hyps, {refs}));
  stats.bleu = bleu.score;
  stats.sentences = static_cast<int64_t>(n);
  return stats;
}

absl::Status Trainer::SaveCheckpoint(const std::string& path) const {
  const Impl& m = *impl_;
  try {
    torch::serialize::OutputArchive archive;
    for (size_t i = 0; i < m.params.size(); ++i) {
      archive.write("param/" + m.names[i], m.params[i].detach());
    }
    torch::serialize::OutputArchive optimizer_archive;
    m.optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
    // Position: the step, then (epoch, next batch) of every stream.
    std::vector<int64_t> position = {m.step};
    for (const auto& stream : m.streams) {
      position.push_back(stream.epoch);
      position.push_back(static_cast<int64_t>(stream.batch_index));
    }
    archive.write("meta/position", torch::tensor(position));
    auto generator = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      archive.write("meta/rng", generator.get_state());
    }
    std::ostringstream out;
    archive.save_to(out);
    return WriteFileAtomic(path, out.str());
  } catch (const std::exception& e) {
    return model::TorchError(("saving checkpoint " + path).c_str(), e);
  }
}

absl::Status Trainer::LoadCheckpoint(const std::string& path) {
  Impl& m = *impl_;
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    // Read and check everything before changing anything.
    std::vector<torch::Tensor> loaded(m.params.size());
    for (size_t i = 0; i < m.params.size(); ++i) {
      if (!archive.try_read("param/" + m.names[i], loaded[i])) {
        return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path, " has no parameter ",
                                                       m.names[i], " (another model?)"));
      }
      if (!loaded[i].sizes().equals(m.params[i].sizes())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "checkpoint ", path, " is for another model shape: ", m.names[i], " is ",
            c10::str(loaded[i].sizes()), ", this model has ", c10::str(m.params[i].sizes())));
      }
    }
    torch::Tensor position, rng;
    const int64_t expected = 1 + 2 * static_cast<int64_t>(m.streams.size());
    if (!archive.try_read("meta/position", position) || position.numel() != expected ||
        !archive.try_read("meta/rng", rng)) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", path, " lacks its position"));
    }
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < m.params.size(); ++i) m.params[i].copy_(loaded[i]);
    }
    m.optimizer->load(optimizer_archive);
    m.step = position[0].item<int64_t>();
    for (size_t k = 0; k < m.streams.size(); ++k) {
      auto& stream = m.streams[k];
      const int64_t epoch = position[static_cast<int64_t>(1 + 2 * k)].item<int64_t>();
      stream.batch_index =
          static_cast<size_t>(position[static_cast<int64_t>(2 + 2 * k)].item<int64_t>());
      if (epoch != stream.epoch || stream.plan.empty()) {
        stream.epoch = epoch;
        stream.MakePlan(m.config.spec.training());
      }
    }
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read checkpoint ", path, " (truncated or not a checkpoint): ",
                     std::string(e.what()).substr(0, 200)));
  }
  return absl::OkStatus();
}

}  // namespace tandem
