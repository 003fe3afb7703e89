#include "collective/in_process.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace tandem::collective {

// One rendezvous per operation: every rank deposits its buffer; the last to arrive checks
// that all agree and computes the result; each rank copies it out; the last to leave opens
// the next round.
struct InProcessGroup::State {
  explicit State(int n) : world_size(n), slots(n) {}
  struct Slot {
    const float* data = nullptr;
    size_t count = 0;
    uint64_t sequence = 0;
    int root = -1;  // -1 for all-reduce
  };
  const int world_size;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Slot> slots;
  std::vector<float> result;
  int arrived = 0;
  int departed = 0;
  bool result_ready = false;
  absl::Status error;  // sticky: the group is broken

  absl::Status Run(int rank, float* data, size_t count, int root, const OpOptions& options) {
    std::unique_lock<std::mutex> lock(mu);
    auto broken_or_ready = [&](auto pred) { return cv.wait_until(lock, options.deadline, pred); };
    if (!broken_or_ready([&] { return !error.ok() || !result_ready; })) {
      return Fail(absl::DeadlineExceededError(absl::StrCat(
          "in-process rank ", rank, ": previous operation still draining")));
    }
    if (!error.ok()) return error;
    slots[rank] = Slot{data, count, options.sequence, root};
    if (++arrived == world_size) {
      for (const Slot& s : slots) {
        if (s.count != count || s.sequence != options.sequence || s.root != root) {
          return Fail(absl::InvalidArgumentError(absl::StrCat(
              "in-process ranks disagree on operation: sequence ", s.sequence, " vs ",
              options.sequence, ", count ", s.count, " vs ", count, ", root ", s.root, " vs ",
              root)));
        }
      }
      if (root >= 0) {
        result.assign(slots[root].data, slots[root].data + count);
      } else {
        result.assign(count, 0.0f);
        for (const Slot& s : slots) {  // rank order: every rank gets the same bits
          for (size_t i = 0; i < count; ++i) result[i] += s.data[i];
        }
      }
      result_ready = true;
      cv.notify_all();
    } else if (!broken_or_ready([&] { return !error.ok() || result_ready; })) {
      return Fail(absl::DeadlineExceededError(absl::StrCat(
          "in-process rank ", rank, ": sequence ", options.sequence, ": only ", arrived, " of ",
          world_size, " ranks arrived before the deadline")));
    }
    if (!error.ok()) return error;
    std::copy(result.begin(), result.end(), data);
    if (++departed == world_size) {
      arrived = departed = 0;
      result_ready = false;
      cv.notify_all();
    }
    return absl::OkStatus();
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
  InProcessCommunicator(std::shared_ptr<InProcessGroup::State> state, int rank)
      : state_(std::move(state)), rank_(rank) {}
  int rank() const override { return rank_; }
  int world_size() const override { return state_->world_size; }
  absl::Status AllReduceSum(float* data, size_t count, const OpOptions& options) override {
    return state_->Run(rank_, data, count, -1, options);
  }
  absl::Status Broadcast(float* data, size_t count, int root,
                         const OpOptions& options) override {
    if (root < 0 || root >= state_->world_size) {
      return absl::InvalidArgumentError(absl::StrCat("broadcast root ", root, " out of range"));
    }
    return state_->Run(rank_, data, count, root, options);
  }

 private:
  std::shared_ptr<InProcessGroup::State> state_;
  int rank_;
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
