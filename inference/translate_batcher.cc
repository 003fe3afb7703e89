#include "inference/translate_batcher.h"

#include <algorithm>
#include <utility>

namespace tandem::inference {
namespace {

bool SameOptions(const TranslateOptions& a, const TranslateOptions& b) {
  return a.beam_size == b.beam_size && a.length_penalty == b.length_penalty &&
         a.n_best == b.n_best && a.replace_unk == b.replace_unk && a.bf16 == b.bf16 &&
         a.int8 == b.int8;
}

}  // namespace

// One request in a batch: its sentences are the batch's [offset, offset + count).
struct TranslateBatcher::Member {
  size_t offset = 0;
  size_t remaining = 0;  // sentences not final yet
  std::vector<std::vector<Candidate>> out;
  absl::Status status;
  bool done = false;
};

struct TranslateBatcher::Batch {
  Translator* translator = nullptr;
  TranslateOptions options;
  size_t capacity = 0;
  std::vector<std::string> sentences;
  std::vector<size_t> owner;  // per sentence, its member's index
  std::vector<std::shared_ptr<Member>> members;
  bool started = false;  // no more members; the sentences are read by the decoding thread
  bool ended = false;
  std::thread thread;

  bool Full() const { return sentences.size() >= capacity; }
  void Add(const std::shared_ptr<Member>& m, const std::vector<std::string>& more) {
    m->offset = sentences.size();
    for (const std::string& s : more) {
      sentences.push_back(s);
      owner.push_back(members.size());
    }
    members.push_back(m);
  }
};

TranslateBatcher::TranslateBatcher(absl::Duration max_wait, size_t busy)
    : max_wait_(max_wait), busy_(busy) {}

TranslateBatcher::~TranslateBatcher() {
  absl::MutexLock lock(&mu_);
  for (const auto& batch : decoding_) mu_.Await(absl::Condition(&batch->ended));
  Reap();
}

TranslateBatcher::Stats TranslateBatcher::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::StatusOr<std::vector<std::vector<Candidate>>> TranslateBatcher::Translate(
    Translator& translator, const std::vector<std::string>& sentences,
    const TranslateOptions& options) {
  if (sentences.empty()) return absl::InvalidArgumentError("no sentence to translate");
  auto member = std::make_shared<Member>();
  member->remaining = sentences.size();
  member->out.resize(sentences.size());
  const size_t capacity = Translator::ChunkSize(options);
  const bool batching = max_wait_ > absl::ZeroDuration();

  absl::MutexLock lock(&mu_);
  Reap();
  auto open = std::find_if(open_.begin(), open_.end(), [&](const std::shared_ptr<Batch>& b) {
    return b->translator == &translator && SameOptions(b->options, options) &&
           b->sentences.size() + sentences.size() <= b->capacity;
  });
  if (batching && open != open_.end()) {
    std::shared_ptr<Batch> batch = *open;
    batch->Add(member, sentences);
    ++stats_.joined;
    if (batch->Full()) Start(batch);
  } else {
    auto batch = std::make_shared<Batch>();
    batch->translator = &translator;
    batch->options = options;
    batch->capacity = capacity;
    batch->Add(member, sentences);
    // Company is worth waiting for only while other batches hold the cores anyway: the wait
    // ends when a core frees up.
    if (batching && KeepsWaiting(batch.get())) {
      open_.push_back(batch);
      using Wait = std::pair<const TranslateBatcher*, const Batch*>;
      const Wait wait{this, batch.get()};
      mu_.AwaitWithDeadline(
          absl::Condition(
              +[](const Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return !w->first->KeepsWaiting(w->second);  // under mu_: Await holds it
              },
              &wait),
          absl::Now() + max_wait_);
    }
    if (!batch->started) Start(batch);
  }
  mu_.Await(absl::Condition(&member->done));
  ++stats_.requests;
  if (!member->status.ok()) return member->status;
  return std::move(member->out);
}

void TranslateBatcher::Start(const std::shared_ptr<Batch>& batch) {
  open_.erase(std::remove(open_.begin(), open_.end(), batch), open_.end());
  batch->started = true;
  decoding_.push_back(batch);
  ++stats_.batches;
  stats_.largest = std::max(stats_.largest, batch->sentences.size());
  batch->thread = std::thread([this, batch] { Decode(batch); });
}

void TranslateBatcher::Decode(const std::shared_ptr<Batch>& batch) {
  const auto delivered = [&](size_t i, const std::vector<Candidate>& candidates) {
    absl::MutexLock lock(&mu_);
    Member& m = *batch->members[batch->owner[i]];
    m.out[i - m.offset] = candidates;
    if (--m.remaining == 0) m.done = true;
  };
  const absl::Status status =
      batch->translator->Translate(batch->sentences, batch->options, delivered).status();
  absl::MutexLock lock(&mu_);
  for (const auto& m : batch->members) {
    if (m->done) continue;
    m->status = status.ok() ? absl::InternalError("translation: a sentence's result never came")
                            : status;
    m->done = true;
  }
  batch->ended = true;
}

size_t TranslateBatcher::Busy() const {
  return std::count_if(decoding_.begin(), decoding_.end(), [](const std::shared_ptr<Batch>& b) {
    return std::any_of(b->members.begin(), b->members.end(),
                       [](const std::shared_ptr<Member>& m) { return !m->done; });
  });
}

bool TranslateBatcher::KeepsWaiting(const Batch* batch) const {
  return !batch->started && !batch->Full() && Busy() >= busy_;
}

void TranslateBatcher::Reap() {
  auto ended = std::stable_partition(decoding_.begin(), decoding_.end(),
                                     [](const std::shared_ptr<Batch>& b) { return !b->ended; });
  for (auto it = ended; it != decoding_.end(); ++it) (*it)->thread.join();
  decoding_.erase(ended, decoding_.end());
}

}  // namespace tandem::inference
