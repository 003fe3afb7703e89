#include "data/epoch_accounting.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tandem {

EpochAccount& EpochAccount::operator+=(const EpochAccount& other) {
  pairs += other.pairs;
  trained += other.trained;
  distinct += other.distinct;
  repeated += other.repeated;
  never += other.never;
  return *this;
}

bool EpochAccount::operator==(const EpochAccount& o) const {
  return epoch == o.epoch && first_step == o.first_step && end_step == o.end_step &&
         epoch_steps == o.epoch_steps && pairs == o.pairs && trained == o.trained &&
         distinct == o.distinct && repeated == o.repeated && never == o.never;
}

std::vector<double> EpochAccount::Counts() const {
  return {static_cast<double>(pairs), static_cast<double>(trained),
          static_cast<double>(distinct), static_cast<double>(repeated),
          static_cast<double>(never)};
}

void EpochAccount::SetCounts(const std::vector<double>& counts) {
  if (counts.size() < kCounts) return;
  pairs = static_cast<int64_t>(counts[0]);
  trained = static_cast<int64_t>(counts[1]);
  distinct = static_cast<int64_t>(counts[2]);
  repeated = static_cast<int64_t>(counts[3]);
  never = static_cast<int64_t>(counts[4]);
}

std::string DescribeEpochAccount(const EpochAccount& a) {
  const int64_t once = a.distinct - a.repeated;
  std::string text = absl::StrCat("epoch ", a.epoch, " (steps ", a.first_step + 1, "-", a.end_step);
  if (!a.complete()) {
    absl::StrAppend(&text, " of ", a.first_step + 1, "-", a.first_step + a.epoch_steps);
  }
  absl::StrAppend(&text, "): ", a.pairs, " pairs, ", once, " trained once, ", a.repeated,
                  " twice or more, ", a.never, " never (", a.trained, " trainings)");
  if (a.exactly_once()) absl::StrAppend(&text, ": every pair exactly once");
  return text;
}

void EpochSchedule::Append(int64_t length) {
  length = std::max<int64_t>(length, 1);
  lengths_.push_back(length);
  starts_.push_back(starts_.back() + length);
}

void EpochSchedule::Clear() {
  lengths_.clear();
  starts_ = {0};
}

int64_t EpochSchedule::EpochOf(int64_t step) const {
  if (step < 0 || step >= end()) return -1;
  // starts_ is increasing: the last start <= step.
  auto it = std::upper_bound(starts_.begin(), starts_.end(), step);
  return static_cast<int64_t>(it - starts_.begin()) - 1;
}

std::optional<int64_t> EpochSchedule::BatchAt(int64_t offset, int64_t batches, int64_t length) {
  if (batches <= 0 || length < batches || offset < 0 || offset >= length) return std::nullopt;
  // Batch j sits at floor(j L / n); these are strictly increasing because L >= n. The only
  // candidate for `offset` is the smallest j with j L / n >= offset.
  const int64_t j = (offset * batches + length - 1) / length;
  if (j < batches && (j * length) / batches == offset) return j;
  return std::nullopt;
}

int64_t EpochSchedule::BatchesBefore(int64_t offset, int64_t batches, int64_t length) {
  if (batches <= 0 || length <= 0 || offset <= 0) return 0;
  if (offset >= length) return batches;
  // floor(j L / n) < offset  <=>  j L < offset n  <=>  j < ceil(offset n / L).
  return std::min(batches, (offset * batches + length - 1) / length);
}

void PairLedger::Clear() { std::fill(counts_.begin(), counts_.end(), 0u); }

void PairLedger::Add(const std::vector<uint32_t>& batch) {
  for (uint32_t i : batch) {
    if (i < counts_.size()) ++counts_[i];
  }
}

void PairLedger::Remove(const std::vector<uint32_t>& batch) {
  for (uint32_t i : batch) {
    if (i < counts_.size() && counts_[i] > 0) --counts_[i];
  }
}

EpochAccount PairLedger::Account() const {
  EpochAccount a;
  a.pairs = static_cast<int64_t>(counts_.size());
  for (uint32_t c : counts_) {
    a.trained += c;
    if (c >= 1) ++a.distinct;
    if (c >= 2) ++a.repeated;
    if (c == 0) ++a.never;
  }
  return a;
}

}  // namespace tandem
