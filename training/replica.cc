#include "training/replica.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "absl/base/casts.h"
#include "absl/strings/str_cat.h"
#include "collective/bucketing.h"
#include "collective/communicator.h"
#include "common/status.h"
#include "model/batch.h"
#include "model/checkpoint.h"
#include "model/loss.h"
#include "model/seq2seq.h"

namespace tandem {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
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

// The extra slot of the gradient buffer that carries {loss sum, token count}.
constexpr char kLossAndTokens[] = "loss_and_tokens";

// A collective operation's failure as the caller must see it: ABORTED, the generation is
// broken (a peer lost, refused or silent) and a new one can redo the work, as opposed to an
// error of this replica that fails the job.
absl::Status CollectiveFailed(const absl::Status& status, const char* what) {
  if (status.ok()) return status;
  return WithPayloadsOf(absl::AbortedError(absl::StrCat(what, " failed: ", status.message())),
                        status);
}

// Collective: every rank passes the same number of 64 bit patterns; returns all ranks'
// patterns, rank after rank.
absl::StatusOr<std::vector<uint64_t>> GatherBits(collective::Communicator& comm,
                                                 const std::vector<uint64_t>& mine,
                                                 const collective::OpOptions& options) {
  std::vector<uint64_t> all(static_cast<size_t>(comm.world_size()) * mine.size());
  TANDEM_RETURN_IF_ERROR(CollectiveFailed(
      comm.AllGather(mine.data(), mine.size() * sizeof(uint64_t), all.data(), options),
      "all-gather"));
  return all;
}

// Calls `fn` after AccumulateGrad has added a backward's gradient into a parameter's .grad.
class AfterAccumulate : public torch::autograd::FunctionPostHook {
 public:
  explicit AfterAccumulate(std::function<void()> fn) : fn_(std::move(fn)) {}
  torch::autograd::variable_list operator()(
      const torch::autograd::variable_list& outputs,
      const torch::autograd::variable_list& /*inputs*/) override {
    fn_();
    return outputs;
  }

 private:
  std::function<void()> fn_;
};

torch::Tensor FloatsTensor(const std::vector<float>& v) {
  return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())},
                          torch::kFloat32);
}

}  // namespace

struct Replica::Impl {
  ReplicaOptions options;
  model::Seq2Seq model{nullptr};
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  std::unique_ptr<model::FlatAdam> adam;
  int64_t step = 0;
  // The moving average of the parameters (options.ema_decay > 0; empty when off), flat in
  // parameter order; while `ema_in_model`, `params` and `ema` hold each other's values.
  std::vector<float> ema;
  bool ema_in_model = false;

  // Gradients: one flat buffer laid out by `layout` (tensor i = params[i], and the extra slot
  // kLossAndTokens = {loss sum, token count}); every parameter's .grad is a view of its part,
  // so backward accumulates straight into it. The buffer is `buckets`' with a communicator of
  // more than one rank, else `local_grads`.
  collective::BucketLayout layout;
  collective::Span param_span;  // where every parameter's gradient lies
  size_t loss_offset = 0;       // where the {loss sum, token count} slot lies
  std::vector<float> local_grads;
  std::unique_ptr<collective::GradientBuckets> buckets;
  float* grads = nullptr;
  collective::Communicator* comm = nullptr;
  bool synchronized = true;
  // Post-accumulation hooks (kept alive here: a parameter holds its accumulator weakly) mark
  // a parameter's bucket entry ready during the last backward of a step.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
  bool hooks_armed = false;
  std::vector<char> marked;  // per parameter, and the loss slot last
  absl::Status hook_error;

  bool Distributed() const { return buckets != nullptr; }
  // The ordered sum (GradientExchange.streams) replaces the all-reduce.
  bool Ordered() const { return Distributed() && options.exchange.streams > 2; }
  // Per input of the step in flight (ordered sum): its whole gradient buffer, loss slot
  // included; and the streams of the inputs, padded with -1 to GradientExchange.streams.
  std::vector<float> stream_grads;
  std::vector<int32_t> slot_streams;
  std::vector<float> gathered;  // one bucket of every rank's slots

  // Every rank's slots, gathered a bucket at a time (the mailbox holds one bucket of each
  // peer, not whole models), added into `grads` in stream order from zero.
  absl::Status OrderedSum(Clock::time_point deadline) {
    const size_t world = static_cast<size_t>(comm->world_size());
    const size_t streams = static_cast<size_t>(options.exchange.streams);
    collective::OpOptions op;
    op.deadline = deadline;
    std::vector<int32_t> all_streams(world * streams);
    TANDEM_RETURN_IF_ERROR(comm->AllGather(slot_streams.data(), streams * sizeof(int32_t),
                                           all_streams.data(), op));
    // Where each stream's gradients are, as (rank, slot); and the most slots a rank fills
    // (every rank computes the same from the same bits).
    constexpr size_t kNone = ~size_t{0};
    std::vector<std::pair<size_t, size_t>> where(streams, {kNone, kNone});
    size_t slots = 0;
    for (size_t r = 0; r < world; ++r) {
      for (size_t k = 0; k < streams; ++k) {
        const int32_t s = all_streams[r * streams + k];
        if (s < 0) continue;
        if (static_cast<size_t>(s) >= streams || where[static_cast<size_t>(s)].first != kNone) {
          return absl::InternalError(absl::StrCat("ordered sum: rank ", r, " sent stream ", s,
                                                  ", out of range or held twice"));
        }
        where[static_cast<size_t>(s)] = {r, k};
        slots = std::max(slots, k + 1);
      }
    }
    if (slots == 0) {  // no rank trained a batch
      std::fill(grads, grads + layout.total, 0.0f);
      return absl::OkStatus();
    }
    std::vector<float> mine;
    for (const collective::BucketLayout::Bucket& b : layout.buckets) {
      const size_t len = b.end - b.begin;
      mine.assign(slots * len, 0.0f);
      const size_t own = std::min(slots, stream_grads.size() / std::max<size_t>(1, layout.total));
      for (size_t k = 0; k < own; ++k) {
        std::copy(stream_grads.begin() + static_cast<std::ptrdiff_t>(k * layout.total + b.begin),
                  stream_grads.begin() + static_cast<std::ptrdiff_t>(k * layout.total + b.end),
                  mine.begin() + static_cast<std::ptrdiff_t>(k * len));
      }
      gathered.resize(world * slots * len);
      TANDEM_RETURN_IF_ERROR(
          comm->AllGather(mine.data(), mine.size() * sizeof(float), gathered.data(), op));
      float* out = grads + b.begin;
      std::fill(out, out + len, 0.0f);
      for (const auto& [r, k] : where) {
        if (r == kNone) continue;  // the stream trains no batch at this step
        const float* g = gathered.data() + (r * slots + k) * len;
        for (size_t j = 0; j < len; ++j) out[j] += g[j];
      }
    }
    return absl::OkStatus();
  }
  float* LossSlot() { return grads + loss_offset; }

  // Entry `entry` (params[entry], or the loss slot for params.size()) is ready, once.
  void MarkReady(size_t entry) {
    if (marked[entry]) return;
    marked[entry] = 1;
    absl::Status s = entry < params.size() ? buckets->MarkReady(static_cast<int>(entry))
                                           : buckets->MarkSlotReady(kLossAndTokens);
    if (!s.ok() && hook_error.ok()) hook_error = s;
  }

  void OnGradReady(size_t param) {
    if (hooks_armed) MarkReady(param);
  }

  void BindGradients() {
    grads = buckets ? buckets->data() : local_grads.data();
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].mutable_grad() =
          torch::from_blob(grads + layout.offsets[i], params[i].sizes(), torch::kFloat32);
    }
  }

  std::vector<model::ParamSpan> Spans() {
    std::vector<model::ParamSpan> spans;
    for (size_t i = 0; i < params.size(); ++i) {
      spans.push_back({params[i].data_ptr<float>(), grads + layout.offsets[i],
                       static_cast<size_t>(params[i].numel())});
    }
    return spans;
  }

  std::vector<float> GatherParams() const {
    std::vector<float> out;
    for (const auto& p : params) {
      torch::Tensor c = p.detach().contiguous();
      out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    return out;
  }
  void ScatterParams(const float* flat) {
    size_t offset = 0;
    for (auto& p : params) {
      std::memcpy(p.data_ptr<float>(), flat + offset, sizeof(float) * p.numel());
      offset += static_cast<size_t>(p.numel());
    }
  }

  // ema = d_t * ema + (1 - d_t) * param after the update of step `t` (1-based), elementwise in
  // float32 (the same bits on every replica).
  void UpdateEma(int64_t t) {
    if (ema.empty()) return;
    const double warm = (1.0 + static_cast<double>(t)) / (10.0 + static_cast<double>(t));
    const double d = std::min(options.ema_decay, warm);
    const auto keep = static_cast<float>(d);
    const auto take = static_cast<float>(1.0 - d);
    float* e = ema.data();
    for (const auto& p : params) {
      const float* v = p.data_ptr<float>();
      const auto n = static_cast<size_t>(p.numel());
      for (size_t i = 0; i < n; ++i) e[i] = keep * e[i] + take * v[i];
      e += n;
    }
  }

  // Views of `ema` shaped like the parameters (for writing a checkpoint).
  std::vector<torch::Tensor> EmaTensors() const {
    std::vector<torch::Tensor> out;
    size_t offset = 0;
    for (const auto& p : params) {
      out.push_back(torch::from_blob(const_cast<float*>(ema.data()) + offset, p.sizes(),
                                     torch::kFloat32));
      offset += static_cast<size_t>(p.numel());
    }
    return out;
  }

  void SwapEma() {
    size_t offset = 0;
    for (auto& p : params) {
      float* v = p.data_ptr<float>();
      std::swap_ranges(v, v + p.numel(), ema.data() + offset);
      offset += static_cast<size_t>(p.numel());
    }
    ema_in_model = !ema_in_model;
  }
};

Replica::Replica(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Replica::~Replica() = default;

absl::StatusOr<std::unique_ptr<Replica>> Replica::Create(const ReplicaOptions& options) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.options = options;
  TANDEM_RETURN_IF_ERROR(model::ValidateAdam(options.adam));
  TANDEM_RETURN_IF_ERROR(model::Validate(options.schedule));
  if (!(options.ema_decay == 0 || (options.ema_decay > 0 && options.ema_decay < 1))) {
    return absl::InvalidArgumentError(
        absl::StrCat("replica: ema_decay must be 0 (off) or in (0, 1), got ", options.ema_decay));
  }
  TANDEM_ASSIGN_OR_RETURN(m.model, model::CreateSeq2Seq(options.model, options.seed));
  m.params = m.model->OrderedParameters();
  m.names = m.model->OrderedParameterNames();
  std::vector<size_t> sizes;
  for (const auto& p : m.params) sizes.push_back(static_cast<size_t>(p.numel()));
  m.adam = std::make_unique<model::FlatAdam>(sizes, options.adam);
  m.layout = collective::PlanBuckets(sizes, {{kLossAndTokens, 2}}, options.exchange.bucket_bytes);
  m.param_span = m.layout.params();
  TANDEM_ASSIGN_OR_RETURN(const collective::Span loss, m.layout.slot(kLossAndTokens));
  m.loss_offset = loss.offset;
  m.local_grads.assign(m.layout.total, 0.0f);
  m.marked.assign(sizes.size() + 1, 0);
  try {
    for (size_t i = 0; i < m.params.size(); ++i) {
      std::shared_ptr<torch::autograd::Node> acc =
          torch::autograd::impl::grad_accumulator(m.params[i]);
      Impl* self = &m;
      acc->add_post_hook(std::make_unique<AfterAccumulate>([self, i] { self->OnGradReady(i); }));
      m.accumulators.push_back(std::move(acc));
    }
  } catch (const std::exception& e) {
    return model::TorchError("installing gradient hooks", e);
  }
  m.BindGradients();
  if (options.ema_decay > 0) m.ema = m.GatherParams();
  return std::unique_ptr<Replica>(new Replica(std::move(impl)));
}

void Replica::SetCommunicator(collective::Communicator* communicator) {
  Impl& m = *impl_;
  m.buckets.reset();
  m.comm = communicator;
  m.synchronized = true;
  if (communicator != nullptr && communicator->world_size() > 1) {
    m.buckets = std::make_unique<collective::GradientBuckets>(communicator, m.layout);
    m.synchronized = false;
  }
  m.BindGradients();
}

bool Replica::distributed() const { return impl_->Distributed(); }

int Replica::rank() const { return impl_->Distributed() ? impl_->comm->rank() : 0; }
int Replica::world_size() const { return impl_->Distributed() ? impl_->comm->world_size() : 1; }

void Replica::SetScheduleTotal(int64_t total_steps) {
  impl_->options.schedule.total_steps = total_steps;
}

const model::LrSchedule& Replica::schedule() const { return impl_->options.schedule; }

absl::StatusOr<std::vector<double>> Replica::SumOverRanks(const std::vector<double>& values) {
  Impl& m = *impl_;
  if (!m.Distributed()) return values;
  std::vector<uint64_t> mine(values.size());
  for (size_t i = 0; i < values.size(); ++i) mine[i] = absl::bit_cast<uint64_t>(values[i]);
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<uint64_t> all,
      GatherBits(*m.comm, mine, collective::OpOptions::WithTimeout(m.options.exchange.timeout)));
  std::vector<double> sums(values.size(), 0.0);
  for (size_t i = 0; i < all.size(); ++i) {
    sums[i % values.size()] += absl::bit_cast<double>(all[i]);  // in rank order
  }
  return sums;
}

absl::StatusOr<Replica::Agreement> Replica::Synchronize(int64_t proposal) {
  Impl& m = *impl_;
  Agreement agreement;
  agreement.max_proposal = proposal;
  if (!m.Distributed()) return agreement;
  collective::Communicator& comm = *m.comm;
  const int world = comm.world_size();
  auto options = [&] { return collective::OpOptions::WithTimeout(m.options.exchange.timeout); };
  // 1. Every rank's step and proposal.
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<uint64_t> all,
      GatherBits(comm, {static_cast<uint64_t>(m.step), static_cast<uint64_t>(proposal)},
                 options()));
  int64_t root_step = -1;
  for (int r = 0; r < world; ++r) {
    const size_t at = 2 * static_cast<size_t>(r);
    const auto step = static_cast<int64_t>(all[at]);
    if (step > root_step) {
      root_step = step;
      agreement.root = r;
    }
    agreement.max_proposal = std::max(agreement.max_proposal, static_cast<int64_t>(all[at + 1]));
  }
  // 2. The root's parameters and Adam state, to everyone, into copies: a broadcast that
  // breaks half-way must not leave this replica with a mix of two states.
  std::vector<float> values = m.GatherParams();
  std::vector<float> exp_avg = m.adam->exp_avg();
  std::vector<float> exp_avg_sq = m.adam->exp_avg_sq();
  std::vector<float> ema = m.ema;  // empty when off, on every rank (the same job spec)
  for (std::vector<float>* v : {&values, &exp_avg, &exp_avg_sq, &ema}) {
    if (v->empty()) continue;
    TANDEM_RETURN_IF_ERROR(CollectiveFailed(
        comm.Broadcast(v->data(), v->size(), agreement.root, options()), "broadcast"));
  }
  m.ScatterParams(values.data());
  m.adam->exp_avg() = std::move(exp_avg);
  m.adam->exp_avg_sq() = std::move(exp_avg_sq);
  m.ema = std::move(ema);
  m.step = root_step;
  m.adam->set_steps(root_step);
  m.synchronized = true;
  return agreement;
}

absl::StatusOr<StepStats> Replica::Step(const std::vector<Input>& inputs) {
  Impl& m = *impl_;
  if (!m.synchronized) {
    return absl::FailedPreconditionError("replica: Synchronize() the new generation first");
  }
  if (m.ema_in_model) {
    return absl::FailedPreconditionError(
        "replica: the model holds the moving average; swap the training weights back first");
  }
  const auto start = Clock::now();
  StepStats stats;
  std::fill(m.grads, m.grads + m.layout.total, 0.0f);
  std::fill(m.marked.begin(), m.marked.end(), 0);
  m.hook_error = absl::OkStatus();
  const bool ordered = m.Ordered();
  if (ordered) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      const int s = inputs[k].stream;
      if (s < 0 || s >= m.options.exchange.streams || (k > 0 && s <= inputs[k - 1].stream)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "replica: batch ", k, " names stream ", s, ": streams must increase, in [0, ",
            m.options.exchange.streams, ")"));
      }
    }
    m.stream_grads.resize(inputs.size() * m.layout.total);  // each slot is copied over whole
    m.slot_streams.assign(static_cast<size_t>(m.options.exchange.streams), -1);
  } else if (m.Distributed()) {
    TANDEM_RETURN_IF_ERROR(
        m.buckets->Begin(start + m.options.exchange.timeout, m.options.exchange.bf16_wire));
  }
  // Ends the bucket round whatever happens below: an entry not marked (a parameter unused by
  // the model, or backward failed) goes as it is. The ordered sum has no round.
  auto finish_round = [&m, ordered] {
    m.hooks_armed = false;
    if (!m.Distributed() || ordered) return absl::OkStatus();
    for (size_t t = 0; t < m.marked.size(); ++t) m.MarkReady(t);
    return m.buckets->WaitAll();
  };
  double local_loss = 0;
  int64_t local_tokens = 0;
  try {
    m.model->train();
    for (size_t k = 0; k < inputs.size(); ++k) {
      m.model->SetDropoutSeed(inputs[k].dropout_seed);
      const model::Batch& batch = *inputs[k].batch;
      absl::StatusOr<model::LossSum> loss = m.model->ForwardLoss(batch, m.options.label_smoothing);
      if (!loss.ok()) {
        (void)finish_round();
        return loss.status();
      }
      const double input_loss = loss->sum.item<double>();
      local_loss += input_loss;
      local_tokens += loss->tokens;
      if (ordered) {
        // Each stream's gradients alone: backward adds them to zeros, then they are kept.
        std::fill(m.grads, m.grads + m.layout.total, 0.0f);
        loss->sum.backward();
        m.LossSlot()[0] = static_cast<float>(input_loss);
        m.LossSlot()[1] = static_cast<float>(loss->tokens);
        std::copy(m.grads, m.grads + m.layout.total,
                  m.stream_grads.begin() + static_cast<std::ptrdiff_t>(k * m.layout.total));
        m.slot_streams[k] = inputs[k].stream;
        continue;
      }
      if (k + 1 == inputs.size() && m.Distributed()) {
        // The last backward: buckets go out as their gradients complete.
        m.LossSlot()[0] = static_cast<float>(local_loss);
        m.LossSlot()[1] = static_cast<float>(local_tokens);
        m.hooks_armed = true;
        m.MarkReady(m.params.size());  // the loss slot
      }
      loss->sum.backward();
    }
  } catch (const std::exception& e) {
    (void)finish_round();
    return model::TorchError("training step", e);
  }
  stats.compute_seconds = SecondsSince(start);
  const auto wait_start = Clock::now();
  absl::Status reduced = finish_round();
  if (reduced.ok()) reduced = m.hook_error;
  if (reduced.ok() && ordered) reduced = m.OrderedSum(start + m.options.exchange.timeout);
  stats.comm_wait_seconds = SecondsSince(wait_start);
  double global_loss = local_loss;
  double global_tokens = static_cast<double>(local_tokens);
  if (m.Distributed()) {
    stats.comm_seconds = ordered ? stats.comm_wait_seconds : m.buckets->round_op_seconds();
    if (!reduced.ok()) {
      // The step is abandoned: parameters and Adam state are untouched, so a new generation
      // can redo it. ABORTED marks a collective failure for the caller.
      return WithPayloadsOf(
          absl::AbortedError(absl::StrCat("all-reduce failed: ", reduced.message())), reduced);
    }
    global_loss = m.LossSlot()[0];
    global_tokens = m.LossSlot()[1];
  }
  if (global_tokens <= 0) return absl::InternalError("a step with no target tokens");
  // Gradient sums -> means over the global token count, clipped by the global norm, and the
  // Adam update, in one pass over the parameters.
  stats.grad_norm =
      std::sqrt(model::SumOfSquares(m.grads + m.param_span.offset, m.param_span.size)) /
      global_tokens;
  double factor = 1.0;
  const double clip = m.options.clip_norm;
  if (clip > 0 && clip / (stats.grad_norm + 1e-6) < 1.0) factor = clip / (stats.grad_norm + 1e-6);
  stats.learning_rate = model::LearningRate(m.options.schedule, m.step + 1);
  m.adam->Step(m.Spans(), static_cast<float>(factor / global_tokens), stats.learning_rate);
  stats.loss = global_loss / global_tokens;
  stats.tokens = static_cast<int64_t>(global_tokens);
  stats.step = ++m.step;
  m.UpdateEma(m.step);
  stats.seconds = SecondsSince(start);
  return stats;
}

int64_t Replica::step() const { return impl_->step; }

int64_t Replica::NumParameters() const { return impl_->model->NumParameters(); }

std::vector<float> Replica::FlatParameters() const { return impl_->GatherParams(); }

uint64_t Replica::ParameterChecksum() const {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const auto& p : impl_->params) {
    torch::Tensor c = p.detach().contiguous();
    h = Fnv1a64(c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size(), h);
  }
  if (!impl_->ema.empty()) h = Fnv1a64(impl_->ema.data(), sizeof(float) * impl_->ema.size(), h);
  return h;
}

bool Replica::has_ema() const { return !impl_->ema.empty(); }

std::vector<float> Replica::FlatEmaParameters() const {
  if (!impl_->ema_in_model) return impl_->ema;
  return impl_->GatherParams();
}

void Replica::SwapEmaIntoModel() {
  if (!impl_->ema.empty()) impl_->SwapEma();
}

bool Replica::ema_in_model() const { return impl_->ema_in_model; }

model::Seq2SeqImpl& Replica::model() { return *impl_->model; }

absl::Status Replica::Save(const std::string& path) const {
  const Impl& m = *impl_;
  model::CheckpointContents contents;
  contents.names = m.names;
  contents.params = m.params;
  if (!m.ema.empty()) {
    // The average is the model (param/); the training weights go to train/.
    contents.train_params = m.EmaTensors();
    if (!m.ema_in_model) std::swap(contents.params, contents.train_params);
  }
  contents.exp_avg = FloatsTensor(m.adam->exp_avg());
  contents.exp_avg_sq = FloatsTensor(m.adam->exp_avg_sq());
  contents.step = m.step;
  return model::WriteCheckpoint(path, contents);
}

absl::Status Replica::Load(const std::string& path) {
  return LoadArchive(path, /*only_if_newer=*/false).status();
}

absl::StatusOr<bool> Replica::LoadIfNewer(const std::string& path) {
  return LoadArchive(path, /*only_if_newer=*/true);
}

absl::StatusOr<bool> Replica::LoadArchive(const std::string& path, bool only_if_newer) {
  Impl& m = *impl_;
  TANDEM_ASSIGN_OR_RETURN(const model::CheckpointReader reader,
                          model::CheckpointReader::Open(path));
  if (only_if_newer && reader.step() <= m.step) return false;
  // Read and check everything before changing anything. param/ is the model: the training
  // weights, or their average when train/ holds the training weights.
  TANDEM_ASSIGN_OR_RETURN(std::vector<torch::Tensor> model_weights,
                          reader.Parameters(m.names, m.params));
  std::vector<torch::Tensor> training = model_weights;
  if (reader.HasTrainingParameters()) {
    TANDEM_ASSIGN_OR_RETURN(training, reader.TrainingParameters(m.names, m.params));
  }
  const auto n = static_cast<int64_t>(m.adam->total());
  torch::Tensor exp_avg, exp_avg_sq;
  TANDEM_RETURN_IF_ERROR(reader.AdamMoments(n, exp_avg, exp_avg_sq));
  if (m.ema_in_model) m.SwapEma();  // the caller's to do; the file replaces both anyway
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < m.params.size(); ++i) m.params[i].copy_(training[i]);
  }
  if (!m.ema.empty()) {
    // The file's average, or (no train/: the average was off or did not exist yet) the
    // parameters, from which it starts.
    size_t offset = 0;
    for (const torch::Tensor& t : model_weights) {
      std::memcpy(m.ema.data() + offset, t.data_ptr<float>(), sizeof(float) * t.numel());
      offset += static_cast<size_t>(t.numel());
    }
  }
  std::memcpy(m.adam->exp_avg().data(), exp_avg.data_ptr<float>(), sizeof(float) * n);
  std::memcpy(m.adam->exp_avg_sq().data(), exp_avg_sq.data_ptr<float>(), sizeof(float) * n);
  m.step = reader.step();
  m.adam->set_steps(reader.step());
  return true;
}

}  // namespace tandem
