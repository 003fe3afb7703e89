// One rank of the Tandem all-reduce benchmark (bench/run allreduce starts N of them on
// 127.0.0.1). The method follows the Gloo peer harness (../shared/anchors/gloo_bench) so the
// figures compare: per size, one exact check on rank-dependent data, warm-up runs, an
// iteration count agreed across ranks (~BENCH_SECONDS of work), iterations timed one by one on
// every rank, an iteration's time is the slowest rank's, report the median (and min), and a
// final exact check. Rank 0 prints one JSON line per size on stdout.
//
// Usage: tandem_allreduce_bench --rank=R --world=N --rendezvous=DIR [--sizes=B,B,...]
//          [--seconds=S] [--segment_bytes=B] [--direct_max_bytes=B] [--pair=0|1] [--pair_max_bytes=B]
//          [--doubling_max_bytes=B] [--halving_max_bytes=B] [--send_ahead_segments=K] [--bf16]
//          [--fold=0|1] [--folded_doubling_max_bytes=B] [--shm=0|1]
// Ranks find each other through DIR: each writes rank<R>.addr with its server's address.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/common/rendezvous.h"
#include "bench/common/secure_collective.h"
#include "collective/grpc_communicator.h"
#include "common/environment.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/status.h"

namespace tandem::collective {
namespace {

struct Flags {
  int rank = 0;
  int world = 2;
  std::string rendezvous;
  std::vector<size_t> sizes = {4096, 65536, 262144, 1 << 20, 4 << 20, 16 << 20, 64 << 20};
  double seconds = 0.5;
  size_t segment_bytes = 512 << 10;
  size_t direct_max_bytes = GrpcCommunicatorOptions().direct_max_bytes;
  bool pair = GrpcCommunicatorOptions().pair_exchange;
  size_t pair_max_bytes = GrpcCommunicatorOptions().pair_max_bytes;
  size_t doubling_max_bytes = GrpcCommunicatorOptions().doubling_max_bytes;
  size_t halving_max_bytes = GrpcCommunicatorOptions().halving_max_bytes;
  size_t send_ahead_segments = GrpcCommunicatorOptions().send_ahead_segments;
  bool fold = GrpcCommunicatorOptions().fold_extra_ranks;
  bool shm = GrpcCommunicatorOptions().shared_memory;
  size_t folded_doubling_max_bytes = GrpcCommunicatorOptions().folded_doubling_max_bytes;
  bool bf16 = false;
  std::string tls_dir;  // mutual TLS with these certificates (bench/common/secure_collective.h)
  std::string host = "127.0.0.1";  // the address to listen on and publish
};

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags f;
  TANDEM_ASSIGN_OR_RETURN(
      const ParsedArgs a,
      ParseArgs({argv + 1, argv + argc},
                {{"rank", true, "this process's rank", "R", "0"},
                 {"world", true, "number of ranks", "N", "2"},
                 {"rendezvous", true, "directory where ranks publish their addresses", "DIR"},
                 {"sizes", true, "all-reduce sizes in bytes", "B,B,..."},
                 {"seconds", true, "work per size", "S", "0.5"},
                 {"segment_bytes", true, "", "B"},
                 {"direct_max_bytes", true, "", "B"},
                 {"pair", true, "pair exchange on 2 ranks", "0|1"},
                 {"pair_max_bytes", true, "", "B"},
                 {"doubling_max_bytes", true, "", "B"},
                 {"halving_max_bytes", true, "", "B"},
                 {"send_ahead_segments", true, "", "K"},
                 {"fold", true, "fold extra ranks into a power of two", "0|1"},
                 {"shm", true, "payloads through shared memory between ranks on this host",
                  "0|1"},
                 {"folded_doubling_max_bytes", true, "", "B"},
                 {"bf16", false, "bfloat16 on the wire"},
                 {"tls_dir", true, "mutual TLS with scripts/make-certs.sh's certificates", "DIR"},
                 {"host", true, "address to listen on and publish (a network namespace's)",
                  "IP", "127.0.0.1"}}));
  TANDEM_ASSIGN_OR_RETURN(const int64_t world, a.GetInt("world", 1, 1024));
  TANDEM_ASSIGN_OR_RETURN(const int64_t rank, a.GetInt("rank", 0, world - 1));
  f.world = static_cast<int>(world);
  f.rank = static_cast<int>(rank);
  f.rendezvous = a.Get("rendezvous");
  if (f.rendezvous.empty()) return absl::InvalidArgumentError("need --rendezvous");
  if (!absl::SimpleAtod(a.Get("seconds"), &f.seconds) || !(f.seconds > 0)) {
    return absl::InvalidArgumentError("--seconds: expected a positive number");
  }
  // Thresholds keep GrpcCommunicatorOptions' defaults unless given.
  for (auto [name, field] : std::vector<std::pair<const char*, size_t*>>{
           {"segment_bytes", &f.segment_bytes},
           {"direct_max_bytes", &f.direct_max_bytes},
           {"pair_max_bytes", &f.pair_max_bytes},
           {"doubling_max_bytes", &f.doubling_max_bytes},
           {"halving_max_bytes", &f.halving_max_bytes},
           {"send_ahead_segments", &f.send_ahead_segments},
           {"folded_doubling_max_bytes", &f.folded_doubling_max_bytes}}) {
    if (!a.Has(name)) continue;
    TANDEM_ASSIGN_OR_RETURN(const int64_t v, a.GetInt(name, 0, int64_t{1} << 40));
    *field = static_cast<size_t>(v);
  }
  if (a.Has("pair")) f.pair = a.Get("pair") != "0";
  if (a.Has("fold")) f.fold = a.Get("fold") != "0";
  if (a.Has("shm")) f.shm = a.Get("shm") != "0";
  f.bf16 = a.Has("bf16");
  f.tls_dir = a.Get("tls_dir");
  f.host = a.Get("host");
  if (a.Has("sizes")) {
    f.sizes.clear();
    for (absl::string_view text : absl::StrSplit(a.Get("sizes"), ',')) {
      uint64_t bytes = 0;
      if (!absl::SimpleAtoi(text, &bytes) || bytes == 0) {
        return absl::InvalidArgumentError(absl::StrCat("--sizes: '", text, "' is not a size"));
      }
      f.sizes.push_back(static_cast<size_t>(bytes));
    }
  }
  return f;
}

class Bench {
 public:
  Bench(const Flags& f, GrpcCommunicator* comm) : f_(f), comm_(comm) {}

  absl::Status AllReduce(float* data, size_t count) {
    OpOptions o = OpOptions::WithTimeout(std::chrono::seconds(60));
    o.bf16_wire = f_.bf16;
    return comm_->AllReduceSum(data, count, o);
  }

  // Rank r holds (r+1)*k, k = 1..1021 repeating; the sum must be k*N(N+1)/2 exactly.
  absl::Status Check(std::vector<float>& data) {
    const int n = f_.world;
    for (size_t i = 0; i < data.size(); ++i) data[i] = float((f_.rank + 1) * (i % 1021 + 1));
    TANDEM_RETURN_IF_ERROR(AllReduce(data.data(), data.size()));
    for (size_t i = 0; i < data.size(); ++i) {
      float want = float((i % 1021 + 1) * n * (n + 1) / 2);
      if (f_.bf16 ? std::abs(data[i] - want) > want / 64 : data[i] != want) {
        return absl::InternalError(absl::StrCat("wrong sum at ", i, ": ", data[i], " != ", want));
      }
    }
    return absl::OkStatus();
  }

  absl::Status RunSize(size_t bytes) {
    std::vector<float> data(bytes / 4);
    TANDEM_RETURN_IF_ERROR(Check(data));
    std::fill(data.begin(), data.end(), 0.0f);
    const int warmup = bytes >= (16u << 20) ? 2 : 5;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < warmup; ++i) TANDEM_RETURN_IF_ERROR(AllReduce(data.data(), data.size()));
    double per_iter = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / warmup;
    // Rank 0 decides the iteration count; everyone adopts it (a broadcast).
    float iters_f = float(std::max(5.0, std::min(100000.0, f_.seconds / per_iter)));
    OpOptions o = OpOptions::WithTimeout(std::chrono::seconds(60));
    TANDEM_RETURN_IF_ERROR(comm_->Broadcast(&iters_f, 1, 0, o));
    const int iters = int(iters_f);
    float barrier = 0;
    TANDEM_RETURN_IF_ERROR(AllReduce(&barrier, 1));
    const size_t shm_before = comm_->shm_sends(), stream_before = comm_->stream_sends();
    // times[i * world + rank]: summing over ranks gathers everyone's times.
    std::vector<float> times(size_t(iters) * f_.world, 0.0f);
    for (int i = 0; i < iters; ++i) {
      auto start = std::chrono::steady_clock::now();
      TANDEM_RETURN_IF_ERROR(AllReduce(data.data(), data.size()));
      times[size_t(i) * f_.world + f_.rank] =
          std::chrono::duration<float, std::micro>(std::chrono::steady_clock::now() - start).count();
    }
    TANDEM_RETURN_IF_ERROR(AllReduce(times.data(), times.size()));
    TANDEM_RETURN_IF_ERROR(Check(data));
    std::vector<double> slowest(iters);
    for (int i = 0; i < iters; ++i) {
      slowest[i] = *std::max_element(times.begin() + size_t(i) * f_.world,
                                     times.begin() + size_t(i + 1) * f_.world);
    }
    std::sort(slowest.begin(), slowest.end());
    double median = iters % 2 ? slowest[iters / 2] : (slowest[iters / 2 - 1] + slowest[iters / 2]) / 2;
    // Rank 0's payloads of this size (its timed iterations and the gathering of times)
    // through shared memory and on its streams.
    const size_t shm = comm_->shm_sends() - shm_before, on_streams = comm_->stream_sends() - stream_before;
    double algbw = double(bytes) / median / 1e3;  // GB/s: bytes per microsecond / 1e3
    double busbw = algbw * 2.0 * (f_.world - 1) / f_.world;
    if (f_.rank == 0) {
      std::printf(
          "{\"peer\":\"tandem%s\",\"algo\":\"%s%s\",\"world\":%d,\"bytes\":%zu,\"iters\":%d,"
          "\"time_us_median\":%.2f,\"time_us_min\":%.2f,\"time_us_p10\":%.2f,\"time_us_p90\":%.2f,"
          "\"algbw_GBps\":%.4f,\"busbw_GBps\":%.4f,\"shm_sends\":%zu,\"stream_sends\":%zu}\n",
          f_.tls_dir.empty() ? "" : "_tls", comm_->AllReduceAlgorithm(bytes / 4), f_.bf16 ? "_bf16" : "", f_.world, bytes, iters, median, slowest[0],
          slowest[iters / 10], slowest[iters * 9 / 10], algbw, busbw, shm, on_streams);
      std::fflush(stdout);
    }
    return absl::OkStatus();
  }

 private:
  const Flags& f_;
  GrpcCommunicator* comm_;
};

absl::Status Main(int argc, char** argv) {
  TuneProcessForBulkTransfer();
  TANDEM_ASSIGN_OR_RETURN(Flags f, ParseFlags(argc, argv));
  TANDEM_ASSIGN_OR_RETURN(bench::SecureCollective collective,
                          bench::StartCollective(f.tls_dir, f.host));
  std::unique_ptr<CollectiveServer> server = std::move(collective.server);
  const int port = server->port();
  TANDEM_ASSIGN_OR_RETURN(auto peers,
                          bench::Rendezvous(f.rendezvous, f.rank, f.world, port, f.host));
  const auto setup_start = std::chrono::steady_clock::now();
  GrpcCommunicatorOptions options;
  options.group = GroupId{"bench", 1};
  options.rank = f.rank;
  options.peers = peers;
  options.segment_bytes = f.segment_bytes;
  options.direct_max_bytes = f.direct_max_bytes;
  options.pair_exchange = f.pair;
  options.pair_max_bytes = f.pair_max_bytes;
  options.doubling_max_bytes = f.doubling_max_bytes;
  options.halving_max_bytes = f.halving_max_bytes;
  options.send_ahead_segments = f.send_ahead_segments;
  options.fold_extra_ranks = f.fold;
  options.shared_memory = f.shm;
  options.folded_doubling_max_bytes = f.folded_doubling_max_bytes;
  options.security = collective.security;
  TANDEM_ASSIGN_OR_RETURN(auto ring, GrpcCommunicator::Create(options, std::move(server)));
  {
    // Setup: connecting to every peer (TLS: the handshakes) and a first 1-element operation.
    float one = 1;
    TANDEM_RETURN_IF_ERROR(
        ring->AllReduceSum(&one, 1, OpOptions::WithTimeout(std::chrono::seconds(60))));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                setup_start).count();
    if (f.rank == 0) std::fprintf(stderr, "# setup (connect + first operation): %.1f ms\n", ms);
  }
  Bench bench(f, ring.get());
  for (size_t bytes : f.sizes) TANDEM_RETURN_IF_ERROR(bench.RunSize(bytes));
  // A last barrier so no rank closes its stream while others still finish.
  float barrier = 0;
  OpOptions o = OpOptions::WithTimeout(std::chrono::seconds(60));
  return ring->AllReduceSum(&barrier, 1, o);
}

}  // namespace
}  // namespace tandem::collective

int main(int argc, char** argv) {
  tandem::ApplyEnvironment();  // TANDEM_LOG_LEVEL
  absl::Status status = tandem::collective::Main(argc, argv);
  if (!status.ok()) {
    TANDEM_LOG(ERROR) << "allreduce bench: " << status;
    return 1;
  }
  return 0;
}
