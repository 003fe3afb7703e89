#include "training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "common/status.h"
#include "data/batching.h"
#include "data/epoch_accounting.h"
#include "data/tokenizer.h"
#include "inference/trained_model.h"
#include "model/batch.h"
#include "model/bleu.h"
#include "model/loss.h"
#include "model/model_spec.h"
#include "model/runtime.h"
#include "model/seq2seq.h"
#include "training/replica.h"

namespace tandem {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

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

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

}  // namespace

struct Trainer::Impl {
  TrainerConfig config;
  std::unique_ptr<Tokenizer> src_tok, tgt_tok;
  model::ModelConfig model_config;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<inference::Translator> translator;  // over replica's model

  // One data stream: its pairs, the batch plan of `plan_epoch`, and the ledger of the pairs
  // trained in `ledger_epoch` up to (not including) step `ledger_step`.
  struct Stream {
    PairSet data;
    uint64_t id = 0;
    int64_t plan_epoch = -1;
    std::vector<std::vector<uint32_t>> plan;
    std::vector<int64_t> batches;  // plan sizes of epochs 0, 1, ... (known so far)
    PairLedger ledger;
    int64_t ledger_epoch = -1;
    int64_t ledger_step = -1;

    std::vector<std::vector<uint32_t>> PlanOf(int64_t e, const v1::TrainingSpec& tr) const {
      BatchingOptions o;
      o.batch_tokens = tr.batch_tokens();
      return PlanBatches(data.src_len, data.tgt_len, o,
                         MixSeed(tr.seed(), static_cast<uint64_t>(e), id));
    }
    int64_t BatchesOf(int64_t e, const v1::TrainingSpec& tr) {
      while (static_cast<int64_t>(batches.size()) <= e) {
        const int64_t next = static_cast<int64_t>(batches.size());
        batches.push_back(next == plan_epoch ? static_cast<int64_t>(plan.size())
                                             : static_cast<int64_t>(PlanOf(next, tr).size()));
      }
      return batches[static_cast<size_t>(e)];
    }
    const std::vector<std::vector<uint32_t>>& PlanFor(int64_t e, const v1::TrainingSpec& tr) {
      if (plan_epoch != e) {
        plan = PlanOf(e, tr);
        plan_epoch = e;
      }
      return plan;
    }
    // The batch this stream trains at `step` of `schedule` (nullptr: none at this step).
    const std::vector<uint32_t>* BatchAt(int64_t step, const EpochSchedule& schedule,
                                         const v1::TrainingSpec& tr) {
      const int64_t e = schedule.EpochOf(step);
      if (e < 0) return nullptr;
      const auto& p = PlanFor(e, tr);
      auto j = EpochSchedule::BatchAt(step - schedule.Start(e), static_cast<int64_t>(p.size()),
                                      schedule.Length(e));
      return j ? &p[static_cast<size_t>(*j)] : nullptr;
    }
    // Makes the ledger hold the pairs trained in `step`'s epoch before `step`. Steps this
    // stream did not train here (it moved from another rank, or the replica adopted another's
    // state or a checkpoint) are counted from the schedule: positions are functions of the
    // step, so they are what was trained there.
    void LedgerTo(int64_t step, const EpochSchedule& schedule, const v1::TrainingSpec& tr) {
      const int64_t e = schedule.EpochOf(step);
      if (e == ledger_epoch && step == ledger_step) return;
      if (ledger.pairs() != data.src.size()) ledger = PairLedger(data.src.size());
      ledger.Clear();
      const auto& p = PlanFor(e, tr);
      const int64_t done = EpochSchedule::BatchesBefore(step - schedule.Start(e),
                                                        static_cast<int64_t>(p.size()),
                                                        schedule.Length(e));
      for (int64_t j = 0; j < done; ++j) ledger.Add(p[static_cast<size_t>(j)]);
      ledger_epoch = e;
      ledger_step = step;
    }
  };
  std::vector<Stream> streams;
  PairSet valid;
  int64_t last_step = kNoLimit;
  int64_t planned_steps = 0;  // SetPlannedSteps
  // The epochs' lengths (data/epoch_accounting.h), agreed by the ranks of the generation:
  // every rank extends it at the same steps (Synchronize, then Step when a step reaches its
  // end), so a step's epoch and every stream's batch are the same wherever the stream is.
  EpochSchedule schedule;
  bool synchronized = true;  // false from SetCommunicator (a world > 1) until Synchronize
  static constexpr int64_t kEpochsPerExchange = 2;

  const v1::TrainingSpec& training() const { return config.spec.training(); }
  absl::Status LoadStreams(std::vector<TrainerConfig::Stream> configs) {
    std::vector<Stream> loaded;
    for (auto& sc : configs) {
      auto same = std::find_if(streams.begin(), streams.end(),
                               [&](const Stream& s) { return s.id == sc.id; });
      if (same != streams.end()) {
        loaded.push_back(std::move(*same));
        streams.erase(same);
        continue;
      }
      Stream stream;
      stream.id = sc.id;
      for (const std::string& shard : sc.shard_files) {
        TANDEM_RETURN_IF_ERROR(LoadPairs(shard, *src_tok, *tgt_tok, stream.data));
      }
      if (stream.data.src.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("trainer: data stream ", sc.id, " has no training pairs"));
      }
      loaded.push_back(std::move(stream));
    }
    // In stream order: the order gradients add up in (Replica::Input).
    std::sort(loaded.begin(), loaded.end(),
              [](const Stream& a, const Stream& b) { return a.id < b.id; });
    streams = std::move(loaded);
    return absl::OkStatus();
  }

  // Appends the lengths of the next `count` epochs: the longest plan of every stream, over
  // the ranks (collective with a communicator: each rank's maxima travel in its own slots of
  // a sum). An error leaves the schedule as it was.
  absl::Status ExtendSchedule(int64_t count) {
    const int64_t first = schedule.known_epochs();
    const size_t world = static_cast<size_t>(std::max(1, replica->world_size()));
    const size_t rank = static_cast<size_t>(std::max(0, replica->rank()));
    const size_t n = static_cast<size_t>(count);
    std::vector<double> slots(world * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      int64_t longest = 0;
      for (auto& s : streams) {
        longest = std::max(longest, s.BatchesOf(first + static_cast<int64_t>(i), training()));
      }
      slots[rank * n + i] = static_cast<double>(longest);
    }
    TANDEM_ASSIGN_OR_RETURN(std::vector<double> all, replica->SumOverRanks(slots));
    for (size_t i = 0; i < n; ++i) {
      double longest = 0;
      for (size_t r = 0; r < world; ++r) longest = std::max(longest, all[r * n + i]);
      if (longest < 1) {
        return absl::FailedPreconditionError("trainer: no data stream has a batch");
      }
      schedule.Append(static_cast<int64_t>(longest));
    }
    return absl::OkStatus();
  }
  // Rebuilds the schedule so that it covers the job's epochs and the replica's step: a
  // function of the agreed step only, so every rank exchanges the same number of times.
  absl::Status BuildSchedule() {
    schedule.Clear();
    const int64_t epochs = static_cast<int64_t>(training().epochs());
    TANDEM_RETURN_IF_ERROR(ExtendSchedule(std::max(epochs, kEpochsPerExchange)));
    return CoverStep(replica->step());
  }
  // Extends the schedule until it holds `step` (every rank at the same step).
  absl::Status CoverStep(int64_t step) {
    while (schedule.end() <= step) TANDEM_RETURN_IF_ERROR(ExtendSchedule(kEpochsPerExchange));
    return absl::OkStatus();
  }

  // The last step the job's limits imply (max_steps, and `epochs` of the schedule).
  int64_t LastStep() const {
    int64_t last = kNoLimit;
    if (training().max_steps() > 0) last = static_cast<int64_t>(training().max_steps());
    const int64_t epochs = static_cast<int64_t>(training().epochs());
    if (epochs > 0 && schedule.known_epochs() >= epochs) {
      last = std::min(last, schedule.Start(epochs));
    }
    return last;
  }
  // A world of one: the schedule from this rank's streams alone, no exchange.
  absl::Status BuildLocally() {
    if (replica->distributed()) return absl::OkStatus();
    if (streams.empty()) {
      // A trainer that only holds a model (loads a checkpoint, translates): Step() says so.
      schedule.Clear();
      last_step = LastStep();
      return absl::OkStatus();
    }
    TANDEM_RETURN_IF_ERROR(BuildSchedule());
    last_step = LastStep();
    return absl::OkStatus();
  }

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
    return replica->model().ForwardLoss(batch, training().label_smoothing());
  }
};

Trainer::Trainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Trainer::~Trainer() = default;

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(TrainerConfig config) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  model::ConfigureTrainingRuntime(std::max(1, config.threads));
  TANDEM_ASSIGN_OR_RETURN(m.src_tok, Tokenizer::Load(config.source_model));
  TANDEM_ASSIGN_OR_RETURN(m.tgt_tok, Tokenizer::Load(config.target_model));
  std::vector<TrainerConfig::Stream> stream_configs = std::move(config.streams);
  collective::Communicator* communicator = config.communicator;
  m.config = std::move(config);
  if (!m.config.valid_file.empty()) {
    TANDEM_RETURN_IF_ERROR(LoadPairs(m.config.valid_file, *m.src_tok, *m.tgt_tok, m.valid));
  }
  m.model_config =
      model::ModelConfigFor(m.config.spec, m.src_tok->vocab_size(), m.tgt_tok->vocab_size());
  const auto& tr = m.training();
  ReplicaOptions options;
  options.model = m.model_config;
  options.seed = tr.seed();
  options.adam.lr = tr.learning_rate();
  options.schedule.kind = tr.lr_schedule() == "linear" ? "linear_decay" : tr.lr_schedule();
  options.schedule.base_lr = tr.learning_rate();
  options.schedule.warmup_steps = tr.warmup_steps();
  options.schedule.total_steps = static_cast<int64_t>(tr.max_steps());
  options.clip_norm = tr.clip_norm();
  options.label_smoothing = tr.label_smoothing();
  options.exchange = m.config.exchange;
  options.exchange.bf16_wire = tr.gradient_wire() == "bf16";  // validated: fp32 or bf16
  options.exchange.streams = static_cast<int>(m.config.spec.workers().max());
  options.ema_decay = tr.ema_decay();
  TANDEM_ASSIGN_OR_RETURN(m.replica, Replica::Create(options));
  m.translator = std::make_unique<inference::Translator>(&m.replica->model(), m.src_tok.get(),
                                                         m.tgt_tok.get(), m.model_config.eos_id);
  TANDEM_RETURN_IF_ERROR(m.LoadStreams(std::move(stream_configs)));
  auto trainer = std::unique_ptr<Trainer>(new Trainer(std::move(impl)));
  trainer->impl_->replica->SetCommunicator(communicator);
  trainer->impl_->synchronized = !trainer->impl_->replica->distributed();
  TANDEM_RETURN_IF_ERROR(trainer->impl_->BuildLocally());
  return trainer;
}

void Trainer::SetCommunicator(collective::Communicator* communicator) {
  Impl& m = *impl_;
  m.replica->SetCommunicator(communicator);
  m.synchronized = !m.replica->distributed();
  // A world of one knows its schedule now (an error shows again at the next Step); a larger
  // one agrees on it in Synchronize.
  (void)m.BuildLocally();
}

absl::Status Trainer::SetStreams(std::vector<TrainerConfig::Stream> streams) {
  TANDEM_RETURN_IF_ERROR(impl_->LoadStreams(std::move(streams)));
  return impl_->BuildLocally();
}

absl::StatusOr<int> Trainer::Synchronize() {
  Impl& m = *impl_;
  TANDEM_ASSIGN_OR_RETURN(Replica::Agreement agreement, m.replica->Synchronize(0));
  // The epochs' lengths over every stream of the job (each rank holds some of them).
  TANDEM_RETURN_IF_ERROR(m.BuildSchedule());
  m.last_step = m.LastStep();
  m.synchronized = true;
  return agreement.root;
}

absl::StatusOr<std::optional<EpochAccount>> Trainer::EpochAccountSoFar() {
  Impl& m = *impl_;
  const int64_t step = m.replica->step();
  const int64_t epoch = m.schedule.EpochOf(step - 1);
  if (step == 0 || epoch < 0) return std::nullopt;
  EpochAccount mine;
  for (auto& stream : m.streams) {
    if (m.schedule.EpochOf(step) == epoch) {
      stream.LedgerTo(step, m.schedule, m.training());
    } else {
      // `step` starts a new epoch (or lies past the schedule): the whole of `epoch`.
      stream.LedgerTo(step - 1, m.schedule, m.training());
      const auto* last = stream.BatchAt(step - 1, m.schedule, m.training());
      if (last != nullptr) stream.ledger.Add(*last);
      stream.ledger_step = step;
    }
    mine += stream.ledger.Account();
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<double> sums, m.replica->SumOverRanks(mine.Counts()));
  EpochAccount account;
  account.SetCounts(sums);
  account.epoch = epoch;
  account.first_step = m.schedule.Start(epoch);
  account.epoch_steps = m.schedule.Length(epoch);
  account.end_step = step;
  return account;
}

bool Trainer::Finished() const { return impl_->replica->step() >= impl_->last_step; }

int64_t Trainer::step() const { return impl_->replica->step(); }

int Trainer::rank() const { return impl_->replica->rank(); }

int Trainer::world_size() const { return impl_->replica->world_size(); }

absl::StatusOr<bool> Trainer::AnyRank(bool mine) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<double> sums, SumOverRanks({mine ? 1.0 : 0.0}));
  return sums[0] > 0;
}

absl::StatusOr<std::vector<double>> Trainer::SumOverRanks(const std::vector<double>& mine) {
  return impl_->replica->SumOverRanks(mine);
}

void Trainer::SetPlannedSteps(int64_t planned) {
  Impl& m = *impl_;
  // The budget's estimate, or the last step the job's own limits set when that comes first
  // (max_steps, or the epochs once the ranks agreed on them).
  const int64_t max_steps = static_cast<int64_t>(m.training().max_steps());
  const int64_t limit = m.last_step != kNoLimit ? m.last_step : max_steps;  // 0: none
  m.planned_steps = planned <= 0 ? 0 : limit > 0 ? std::min(planned, limit) : planned;
  const model::LrSchedule& s = m.replica->schedule();
  if (s.kind != "linear_decay") return;
  int64_t total = m.planned_steps > 0 ? m.planned_steps : max_steps;
  // A budget too short for the warm-up: the decay starts right after it.
  if (total != 0 && total <= s.warmup_steps) total = s.warmup_steps + 1;
  m.replica->SetScheduleTotal(total);
}

int64_t Trainer::planned_steps() const { return impl_->planned_steps; }

int64_t Trainer::NumParameters() const { return impl_->replica->NumParameters(); }

std::vector<float> Trainer::FlatParameters() const { return impl_->replica->FlatParameters(); }

std::vector<float> Trainer::FlatEmaParameters() const {
  return impl_->replica->FlatEmaParameters();
}

uint64_t Trainer::ParameterChecksum() const { return impl_->replica->ParameterChecksum(); }

absl::StatusOr<StepStats> Trainer::Step() {
  Impl& m = *impl_;
  const v1::TrainingSpec& tr = m.training();
  const auto start = Clock::now();
  if (!m.synchronized) {
    return absl::FailedPreconditionError("replica: Synchronize() the new generation first");
  }
  const int64_t step = m.replica->step();  // 0-based: the update this step makes
  // Every rank of the generation reaches this step with the same schedule: the same
  // exchanges, if any.
  TANDEM_RETURN_IF_ERROR(m.CoverStep(step));
  const int64_t epoch = m.schedule.EpochOf(step);
  // This rank's batches: the one of every stream that trains at this step (a shorter stream
  // has none at some steps of an epoch), each with its dropout seed.
  std::vector<model::Batch> batches;
  batches.reserve(m.streams.size());
  std::vector<Replica::Input> inputs;
  std::vector<std::pair<Impl::Stream*, const std::vector<uint32_t>*>> used;
  for (auto& stream : m.streams) {
    stream.LedgerTo(step, m.schedule, tr);
    const std::vector<uint32_t>* picked = stream.BatchAt(step, m.schedule, tr);
    if (picked == nullptr) continue;
    std::vector<std::vector<int>> src, tgt;
    for (uint32_t i : *picked) {
      src.push_back(stream.data.src[i]);
      tgt.push_back(stream.data.tgt[i]);
    }
    TANDEM_ASSIGN_OR_RETURN(model::Batch batch, model::MakeBatch(src, tgt, m.model_config));
    batches.push_back(std::move(batch));
    inputs.push_back(
        {&batches.back(),
         MixSeed(tr.seed() ^ 0xD0D0D0D0ull, static_cast<uint64_t>(step), stream.id),
         static_cast<int>(stream.id)});
    used.push_back({&stream, picked});
  }
  // The step in flight counts in the ledgers; a failed step takes it back.
  for (auto& [stream, picked] : used) stream->ledger.Add(*picked);
  auto take_back = [&used] {
    for (auto& [stream, picked] : used) stream->ledger.Remove(*picked);
  };
  // The epoch's account, over every stream of the job, once its last step (or the job's)
  // is in flight: a sum over the ranks (the same on every rank) before the update, so that a
  // failed exchange fails the step and changes nothing.
  std::optional<EpochAccount> account;
  if (step + 1 == m.schedule.Start(epoch + 1) || step + 1 == m.last_step) {
    EpochAccount mine;
    for (auto& stream : m.streams) mine += stream.ledger.Account();
    absl::StatusOr<std::vector<double>> sums = m.replica->SumOverRanks(mine.Counts());
    if (!sums.ok()) {
      take_back();
      return sums.status();
    }
    account.emplace();
    account->SetCounts(*sums);
    account->epoch = epoch;
    account->first_step = m.schedule.Start(epoch);
    account->epoch_steps = m.schedule.Length(epoch);
    account->end_step = step + 1;
  }
  absl::StatusOr<StepStats> stats = m.replica->Step(inputs);
  if (!stats.ok()) {
    take_back();
    return stats.status();
  }
  for (auto& stream : m.streams) stream.ledger_step = step + 1;
  stats->epoch = epoch;
  stats->epoch_account = account;
  stats->seconds = SecondsSince(start);
  return stats;
}

absl::Status Trainer::SaveCheckpoint(const std::string& path) const {
  return impl_->replica->Save(path);
}

absl::StatusOr<bool> Trainer::LoadCheckpointIfNewer(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(const bool loaded, impl_->replica->LoadIfNewer(path));
  if (loaded) TANDEM_RETURN_IF_ERROR(impl_->BuildLocally());
  return loaded;
}

absl::Status Trainer::LoadCheckpoint(const std::string& path) {
  TANDEM_RETURN_IF_ERROR(impl_->replica->Load(path));
  return impl_->BuildLocally();
}

inference::Translator& Trainer::translator() { return *impl_->translator; }

absl::StatusOr<ValidationStats> Trainer::Validate() {
  Impl& m = *impl_;
  ValidationStats stats;
  if (m.valid.src.empty()) return absl::FailedPreconditionError("no validation set");
  // With training.ema_decay the averaged weights are the model being validated; the training
  // weights come back bit for bit whatever happens below.
  m.replica->SwapEmaIntoModel();
  absl::Cleanup restore = [&m] {
    if (m.replica->ema_in_model()) m.replica->SwapEmaIntoModel();
  };
  // Each rank scores every world-th batch and decodes every world-th sentence; the sums of
  // the loss and of BLEU's statistics then go to every rank (the same bits everywhere).
  const size_t rank = static_cast<size_t>(m.replica->rank());
  const size_t world = static_cast<size_t>(m.replica->world_size());
  double loss_sum = 0;
  int64_t tokens = 0;
  try {
    torch::NoGradGuard no_grad;
    m.replica->model().eval();
    BatchingOptions o;
    o.batch_tokens = m.config.spec.training().batch_tokens();
    const auto batches = PlanBatches(m.valid.src_len, m.valid.tgt_len, o, 0);
    for (size_t i = rank; i < batches.size(); i += world) {
      TANDEM_ASSIGN_OR_RETURN(model::LossSum loss, m.BatchLoss(m.valid, batches[i]));
      loss_sum += loss.sum.item<double>();
      tokens += loss.tokens;
    }
    m.replica->model().train();
  } catch (const std::exception& e) {
    m.replica->model().train();
    return model::TorchError("validation", e);
  }
  size_t n = m.valid.src_text.size();
  if (m.config.valid_bleu_sentences > 0) n = std::min<size_t>(n, m.config.valid_bleu_sentences);
  std::vector<std::string> sources, refs;
  for (size_t i = rank; i < n; i += world) {
    sources.push_back(m.valid.src_text[i]);
    refs.push_back(m.valid.tgt_text[i]);
  }
  std::vector<std::string> hyps;
  if (!sources.empty()) {
    TANDEM_ASSIGN_OR_RETURN(hyps, m.translator->Translate(sources, 1));
  }
  TANDEM_ASSIGN_OR_RETURN(BleuScore mine, CorpusBleu(hyps, {refs}));
  std::vector<double> values = {loss_sum, static_cast<double>(tokens),
                                static_cast<double>(mine.sys_len),
                                static_cast<double>(mine.ref_len)};
  for (int64_t c : mine.counts) values.push_back(static_cast<double>(c));
  for (int64_t t : mine.totals) values.push_back(static_cast<double>(t));
  TANDEM_ASSIGN_OR_RETURN(std::vector<double> sums, m.replica->SumOverRanks(values));
  stats.loss = sums[1] > 0 ? sums[0] / sums[1] : 0;
  const size_t orders = mine.counts.size();
  BleuStats all(static_cast<int>(orders));
  all.sys_len = static_cast<int64_t>(sums[2]);
  all.ref_len = static_cast<int64_t>(sums[3]);
  for (size_t k = 0; k < orders; ++k) {
    all.matches[k] = static_cast<int64_t>(sums[4 + k]);
    all.totals[k] = static_cast<int64_t>(sums[4 + orders + k]);
  }
  stats.bleu = BleuFromStats(all).score;
  stats.sentences = static_cast<int64_t>(n);
  stats.decoded_here = static_cast<int64_t>(sources.size());
  return stats;
}

}  // namespace tandem
