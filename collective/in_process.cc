#include "collective/in_process.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "collective/bf16.h"

namespace tandem::collective {

// One rendezvous per operation: every rank deposits its buffer; the last to arrive checks
// that all agree and computes the result; each rank copies it out; the last to leave opens
// the next round.
struct InProcessGroup::State {
  explicit State(int n) : world_size(n), slots(n) {}
  enum class Kind { kAllReduce, kBroadcast, kAllGather };
  // One rank's operation. `in` is read (floats, or bytes for an all-gather) and `out`
  // written: the same buffer except in an all-gather.
  struct Slot {
    Kind kind = Kind::kAllReduce;
    const void* in = nullptr;
    void* out = nullptr;
    size_t size = 0;  // elements, or bytes for an all-gather
    uint64_t sequence = 0;
    int root = -1;  // broadcast only
    bool bf16 = false;  // all-reduce: OpOptions::bf16_wire
  };
  const int world_size;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Slot> slots;
  std::vector<uint8_t> result;  // what every rank copies to its `out`
  int arrived = 0;
  int departed = 0;
  bool result_ready = false;
  absl::Status error;  // sticky: the group is broken

  absl::Status Run(int rank, const Slot& mine, Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu);
    auto broken_or_ready = [&](auto pred) { return cv.wait_until(lock, deadline, pred); };
    if (!broken_or_ready([&] { return !error.ok() || !result_ready; })) {
      return Fail(absl::DeadlineExceededError(
          absl::StrCat("in-process rank ", rank, ": previous operation still draining")));
    }
    if (!error.ok()) return error;
    slots[rank] = mine;
    if (++arrived == world_size) {
      for (const Slot& s : slots) {
        if (s.kind != mine.kind || s.size != mine.size || s.sequence != mine.sequence ||
            s.root != mine.root || s.bf16 != mine.bf16) {
          return Fail(absl::InvalidArgumentError(
              absl::StrCat("in-process ranks disagree on operation: sequence ", s.sequence, " vs ",
                           mine.sequence, ", kind ", static_cast<int>(s.kind), " vs ",
                           static_cast<int>(mine.kind), ", count ", s.size, " vs ", mine.size,
                           ", root ", s.root, " vs ", mine.root)));
        }
      }
      Compute();
      result_ready = true;
      cv.notify_all();
    } else if (!broken_or_ready([&] { return !error.ok() || result_ready; })) {
      return Fail(absl::DeadlineExceededError(
          absl::StrCat("in-process rank ", rank, ": sequence ", mine.sequence, ": only ", arrived,
                       " of ", world_size, " ranks arrived before the deadline")));
    }
    if (!error.ok()) return error;
    if (!result.empty()) std::memcpy(mine.out, result.data(), result.size());
    if (++departed == world_size) {
      arrived = departed = 0;
      result_ready = false;
      cv.notify_all();
    }
    return absl::OkStatus();
  }

  void Compute() {  // requires mu held and every slot deposited
    const Slot& first = slots[0];
    switch (first.kind) {
      case Kind::kBroadcast: {
        const auto* root = static_cast<const uint8_t*>(slots[first.root].in);
        result.assign(root, root + first.size * sizeof(float));
        break;
      }
      case Kind::kAllReduce: {
        // As the gRPC direct exchange does in bf16 mode: every contribution rounded to
        // bfloat16 (what would travel), then summed in float32.
        std::vector<float> sum(first.size, 0.0f);
        for (const Slot& s : slots) {  // rank order: every rank gets the same bits
          const auto* in = static_cast<const float*>(s.in);
          for (size_t i = 0; i < sum.size(); ++i) {
            sum[i] += first.bf16 ? Bf16ToFloat(FloatToBf16(in[i])) : in[i];
          }
        }
        result.resize(sum.size() * sizeof(float));
        if (!sum.empty()) std::memcpy(result.data(), sum.data(), result.size());
        break;
      }
      case Kind::kAllGather: {
        result.clear();
        for (const Slot& s : slots) {
          const auto* in = static_cast<const uint8_t*>(s.in);
          result.insert(result.end(), in, in + s.size);
        }
        break;
      }
    }
  }

  absl::Status Fail(absl::Status status) {  // requires mu held
    if (error.ok()) error = status;
    cv.notify_all();
    return error;
  }
};

namespace {

class InProcessCommunicator final : public Communicator {
 public:
  using State = InProcessGroup::State;
  InProcessCommunicator(std::shared_ptr<State> state, int rank)
      : state_(std::move(state)), rank_(rank) {}
  int rank() const override { return rank_; }
  int world_size() const override { return state_->world_size; }
  absl::Status AllReduceSum(float* data, size_t count, const OpOptions& options) override {
    return state_->Run(
        rank_,
        State::Slot{State::Kind::kAllReduce, data, data, count, next_sequence_++, -1,
                    options.bf16_wire},
        options.deadline);
  }
  absl::Status Broadcast(float* data, size_t count, int root, const OpOptions& options) override {
    const uint64_t sequence = next_sequence_++;
    if (root < 0 || root >= state_->world_size) {
      return absl::InvalidArgumentError(absl::StrCat("broadcast root ", root, " out of range"));
    }
    return state_->Run(rank_,
                       State::Slot{State::Kind::kBroadcast, data, data, count, sequence, root},
                       options.deadline);
  }
  absl::Status AllGather(const void* mine, size_t bytes, void* out,
                         const OpOptions& options) override {
    return state_->Run(rank_,
                       State::Slot{State::Kind::kAllGather, mine, out, bytes, next_sequence_++, -1},
                       options.deadline);
  }

 private:
  std::shared_ptr<State> state_;
  int rank_;
  uint64_t next_sequence_ = 0;  // see Communicator: every rank numbers its operations alike
};

}  // namespace

InProcessGroup::InProcessGroup(int world_size) : state_(std::make_shared<State>(world_size)) {
  for (int r = 0; r < world_size; ++r) {
    ranks_.push_back(std::make_unique<InProcessCommunicator>(state_, r));
  }
}
InProcessGroup::~InProcessGroup() = default;
Communicator* InProcessGroup::rank(int rank) { return ranks_.at(rank).get(); }
int InProcessGroup::world_size() const { return state_->world_size; }

}  // namespace tandem::collective
