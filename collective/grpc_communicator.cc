#include "collective/grpc_communicator.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"

namespace tandem::collective {

namespace {

absl::Status CheckOptions(const GrpcCommunicatorOptions& options,
                          const CollectiveService* service) {
  const int n = static_cast<int>(options.peers.size());
  if (service == nullptr) return absl::InvalidArgumentError("ring needs a CollectiveService");
  if (n < 1 || options.rank < 0 || options.rank >= n) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank ", options.rank, " is not in a ring of ", n, " peers"));
  }
  if (options.group.job_id.empty()) return absl::InvalidArgumentError("ring needs a job id");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcCommunicator>> GrpcCommunicator::Create(
    GrpcCommunicatorOptions options, CollectiveService* service) {
  TANDEM_RETURN_IF_ERROR(CheckOptions(options, service));
  auto transport = std::make_unique<GrpcTransport>(options.group, options.rank, options.peers,
                                                   service, options.security);
  return std::unique_ptr<GrpcCommunicator>(new GrpcCommunicator(options, std::move(transport)));
}

absl::StatusOr<std::unique_ptr<GrpcCommunicator>> GrpcCommunicator::Create(
    GrpcCommunicatorOptions options, std::unique_ptr<CollectiveServer> server) {
  if (server == nullptr) return absl::InvalidArgumentError("ring needs a CollectiveServer");
  CollectiveService* service = server->service();
  TANDEM_RETURN_IF_ERROR(CheckOptions(options, service));
  auto transport = std::make_unique<GrpcTransport>(options.group, options.rank, options.peers,
                                                   service, options.security, std::move(server));
  return std::unique_ptr<GrpcCommunicator>(new GrpcCommunicator(options, std::move(transport)));
}

GrpcCommunicator::GrpcCommunicator(const GrpcCommunicatorOptions& options,
                                   std::unique_ptr<GrpcTransport> transport)
    : options_(options),
      pacing_{std::max<size_t>(1, options.segment_bytes / 4),
              options.send_ahead_segments == 0 ? std::numeric_limits<size_t>::max()
                                               : options.send_ahead_segments},
      transport_(std::move(transport)) {
  if (options.shared_memory) {
    // A slot holds a segment, or a whole buffer of recursive doubling or the direct exchange.
    transport_->EnableSharedMemory(std::max(
        {options.segment_bytes, std::min(options.doubling_max_bytes, size_t{1} << 20),
         std::min(options.folded_doubling_max_bytes, size_t{1} << 20)}));
  }
}

GrpcCommunicator::Algorithm GrpcCommunicator::Choose(size_t count) const {
  const int n = world_size();
  const size_t bytes = count * sizeof(float);
  if (n == 1 || count == 0) return Algorithm::kNone;
  if (n == 2 && options_.pair_exchange && bytes <= options_.pair_max_bytes) {
    return Algorithm::kPair;
  }
  const bool power_of_two = (n & (n - 1)) == 0;
  // Worlds that are not a power of two run doubling and halving with the extra ranks folded
  // in (fold.h), under thresholds of their own.
  const bool folded = !power_of_two && options_.fold_extra_ranks;
  if ((power_of_two && bytes <= options_.doubling_max_bytes) ||
      (folded && bytes <= options_.folded_doubling_max_bytes)) {
    return Algorithm::kDoubling;
  }
  // Direct exchange while the bytes each rank sends, (n - 1) * count * 4, stay small.
  if (bytes * (n - 1) <= options_.direct_max_bytes) return Algorithm::kDirect;
  if (((n >= 4 && power_of_two) || folded) && bytes <= options_.halving_max_bytes) {
    return Algorithm::kHalving;
  }
  return Algorithm::kRing;
}

const char* GrpcCommunicator::AllReduceAlgorithm(size_t count) const {
  switch (Choose(count)) {
    case Algorithm::kNone:
      return "none";
    case Algorithm::kPair:
      return "pair";
    case Algorithm::kDoubling:
      return "doubling";
    case Algorithm::kDirect:
      return "direct";
    case Algorithm::kHalving:
      return "halving";
    case Algorithm::kRing:
      return "ring";
  }
  return "?";
}

absl::StatusOr<OpContext> GrpcCommunicator::NextOpLocked(const OpOptions& options,
                                                         WireFormat wire) {
  if (!broken_.ok()) return broken_;
  return OpContext{next_sequence_++, options.deadline, wire};
}

absl::Status GrpcCommunicator::RunLocked(absl::FunctionRef<absl::Status()> body) {
  absl::Status status = transport_->RunOperation(body);
  if (!status.ok() && broken_.ok()) broken_ = status;
  return status;
}

absl::Status GrpcCommunicator::AllReduceSum(float* data, size_t count, const OpOptions& options) {
  std::lock_guard<std::mutex> lock(op_mu_);
  TANDEM_ASSIGN_OR_RETURN(
      const OpContext op,
      NextOpLocked(options, options.bf16_wire ? WireFormat::kBf16 : WireFormat::kF32));
  if (world_size() == 1 || count == 0) return absl::OkStatus();
  if (data == nullptr) return absl::InvalidArgumentError("all-reduce of a null buffer");
  return RunLocked([&] {
    Transport& t = *transport_;
    switch (Choose(count)) {
      case Algorithm::kNone:
        break;
      case Algorithm::kPair:
        return PairExchangeAllReduce(t, op, pacing_, data, count);
      case Algorithm::kDoubling:
        return RecursiveDoublingAllReduce(t, op, pacing_, data, count);
      case Algorithm::kDirect:
        return DirectExchangeAllReduce(t, op, pacing_, data, count);
      case Algorithm::kHalving:
        return HalvingDoublingAllReduce(t, op, pacing_, data, count);
      case Algorithm::kRing:
        return RingAllReduce(t, op, pacing_, data, count);
    }
    return absl::OkStatus();
  });
}

absl::Status GrpcCommunicator::Broadcast(float* data, size_t count, int root,
                                         const OpOptions& options) {
  std::lock_guard<std::mutex> lock(op_mu_);
  TANDEM_ASSIGN_OR_RETURN(
      const OpContext op,
      NextOpLocked(options, options.bf16_wire ? WireFormat::kBf16 : WireFormat::kF32));
  if (root < 0 || root >= world_size()) {
    return absl::InvalidArgumentError(absl::StrCat("broadcast root ", root, " out of range"));
  }
  if (world_size() == 1 || count == 0) return absl::OkStatus();
  if (data == nullptr) return absl::InvalidArgumentError("broadcast of a null buffer");
  return RunLocked([&] { return RingBroadcast(*transport_, op, pacing_, data, count, root); });
}

absl::Status GrpcCommunicator::AllGather(const void* mine, size_t bytes, void* out,
                                         const OpOptions& options) {
  std::lock_guard<std::mutex> lock(op_mu_);
  TANDEM_ASSIGN_OR_RETURN(const OpContext op, NextOpLocked(options, WireFormat::kBytes));
  if (bytes == 0) return absl::OkStatus();
  if (mine == nullptr || out == nullptr) {
    return absl::InvalidArgumentError("all-gather of a null buffer");
  }
  if (world_size() == 1) {
    if (out != mine) std::memcpy(out, mine, bytes);
    return absl::OkStatus();
  }
  return RunLocked([&] { return DirectAllGather(*transport_, op, pacing_, mine, bytes, out); });
}

void TuneProcessForBulkTransfer() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex lock (gRPC takes many per
  // message) also updates a process-wide deadlock graph: ~0.7 % of an all-reduce's CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace tandem::collective
