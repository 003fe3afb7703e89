// R1 (../shared/anchors/R1.md) trained with Tandem's own model code and update path (the
// trainer's Replica: flat gradient buckets, fused Adam): the Tandem side of `bench/run model`
// and `bench/run distributed`. Prints one JSON line with the reference's fields
// (r1_torch.py --json / r1_ddp.py --json): tokens_per_s, ms_per_step_median, peak_rss_mb,
// cpu_util, threads, loss_first, loss_last, blas, ...
//
//   tandem_r1_bench --threads N [--steps 20] [--warmup 3]   R1, one process (R1.md section 3)
//   tandem_r1_bench --workload T1 ...   T1 instead (BENCHMARKS.md "Model: T1"; peer
//       bench/model/t1_torch.py): R1's batches, loss and update with a pre-norm Transformer
//       (d_model 256, 4 heads, FFN 1024, 3 + 3 layers, sinusoidal positions, untied output)
//   tandem_r1_bench --world W --rank R --rendezvous DIR [--steps 20] [--warmup 3]
//       one rank of R1-DP (R1.md section 4): W processes on 127.0.0.1, 1 thread each, rank r on
//       data stream r, gradients summed over the gRPC ring in buckets that overlap backward;
//       rank 0 prints the JSON line (aggregate tokens/s, compute/communication split)
//   tandem_r1_bench --selftest                               known answers (R1.md sections 2, 6)
//
// OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS must be set by the caller before
// the process starts (bench/model/run.sh does): the thread pools read them when loaded.
#include <ATen/Parallel.h>
#include <sys/resource.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common/rendezvous.h"
#include "bench/common/secure_collective.h"
#include "collective/grpc_communicator.h"
#include "common/environment.h"
#include "common/flags.h"
#include "model/batch.h"
#include "model/model_config.h"
#include "model/runtime.h"
#include "model/seq2seq.h"
#include "training/replica.h"

namespace {

using tandem::model::Batch;
using tandem::model::ModelConfig;

constexpr int kBatch = 64;
constexpr int kLengths[5] = {12, 20, 28, 36, 44};
constexpr int64_t kParams = 12270912;    // R1
constexpr int64_t kT1Params = 11682624;  // T1 (t1_torch.py N_PARAMS)
constexpr double kSmoothing = 0.1, kClip = 1.0;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "tandem_r1_bench: " << what << "\n";
  std::exit(1);
}

template <typename T>
T Check(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) Die(std::string(what) + ": " + std::string(v.status().message()));
  return *std::move(v);
}

// Batch `index` of data stream `stream` (R1.md section 2): 64-bit LCG, sources of all rows
// first, then targets; MakeBatch appends EOS and prepends BOS. `rows` < 64 keeps the first
// rows only (the draws are those of the full batch).
Batch MakeR1Batch(const ModelConfig& config, uint64_t index, uint64_t stream, int rows = kBatch) {
  const int S = kLengths[index % 5], T = S + 2;
  uint64_t x = (stream << 32) + index;
  auto draw = [&x]() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>(4 + (x >> 33) % 7996);
  };
  std::vector<std::vector<int>> src(kBatch, std::vector<int>(S - 1)),
      tgt(kBatch, std::vector<int>(T - 1));
  for (auto& row : src) for (int& id : row) id = draw();
  for (auto& row : tgt) for (int& id : row) id = draw();
  src.resize(rows);
  tgt.resize(rows);
  return Check(tandem::model::MakeBatch(src, tgt, config), "MakeBatch");
}

// R1's update (R1.md 1.5: label smoothing 0.1, clip 1.0, Adam lr 3e-4, betas (0.9, 0.98),
// eps 1e-8) through the replica the trainer uses.
struct Trainer {
  std::unique_ptr<tandem::Replica> replica;

  // `streams` > 2 with a world above 2: the ordered sum (GradientExchange.streams), this
  // process training stream `stream`.
  explicit Trainer(const ModelConfig& config, int streams = 0, int stream = -1)
      : stream(stream) {
    tandem::ReplicaOptions o;
    o.model = config;
    o.seed = 0;
    o.schedule.kind = "constant";
    o.schedule.base_lr = o.adam.lr;  // AdamConfig's defaults are R1's
    o.clip_norm = kClip;
    o.label_smoothing = kSmoothing;
    o.exchange.bucket_bytes = BucketBytes();
    o.exchange.streams = streams;
    replica = Check(tandem::Replica::Create(o), "Replica::Create");
  }
  int stream = -1;
  static size_t BucketBytes() {
    const char* env = std::getenv("TANDEM_BUCKET_MB");
    return env ? static_cast<size_t>(std::atof(env) * (1 << 20)) : size_t{4} << 20;
  }

  // One training step; returns the step's statistics (loss: the global token mean).
  tandem::StepStats Step(const Batch& batch, uint64_t dropout_seed) {
    return Check(replica->Step({{&batch, dropout_seed, stream}}), "Step");
  }
};

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // KiB on Linux
}

// Current resident set (VmRSS of /proc/self/status), MiB.
double RssMb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return 0;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Paths of the BLAS libraries actually mapped into this process (as r1_torch.py reports).
std::string BlasJson() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> found;
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    std::string base = path.substr(path.rfind('/') + 1);
    std::transform(base.begin(), base.end(), base.begin(), ::tolower);
    if (base.find("blas") == std::string::npos || path.find(".so") == std::string::npos) continue;
    char* real = realpath(path.c_str(), nullptr);
    found.insert(real ? real : path);
    free(real);
  }
  std::string out = "[";
  for (const auto& p : found) out += (out.size() > 1 ? ", \"" : "\"") + p + "\"";
  return out + "]";
}

std::string CpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto p = line.find(':');
      std::string m = line.substr(p + 1);
      m.erase(0, m.find_first_not_of(' '));
      return m;
    }
  }
  return "";
}

// T1's model (t1_torch.py; BENCHMARKS.md "Model: T1"): R1's vocabularies and dropout, a
// pre-norm Transformer in place of the RNN.
ModelConfig T1Config() {
  ModelConfig c = tandem::model::R1Config();
  c.architecture = "transformer";
  c.embedding_dim = 256;
  c.preoutput_dim = 256;
  c.heads = 4;
  c.ff_dim = 1024;
  c.encoder_layers = 3;
  c.decoder_layers = 3;
  c.positions = "sinusoidal";
  c.tie_embeddings = false;
  return c;
}

// Matmul FLOPs of one T1 step (t1_torch.py step_flops): forward x 3.
double T1StepFlops(double S, double T, double B = kBatch) {
  auto mm = [](double m, double k, double n) { return 2 * m * k * n; };
  constexpr double E = 256, F = 1024, V = 8000;
  const double enc = mm(B * S, E, 3 * E) + 2 * B * mm(S, E, S) + mm(B * S, E, E) +
                     2 * mm(B * S, E, F);
  const double dec = mm(B * T, E, 3 * E) + 2 * B * mm(T, E, T) + mm(B * T, E, E) +
                     mm(B * T, E, E) + mm(B * S, E, 2 * E) + 2 * B * mm(T, E, S) +
                     mm(B * T, E, E) + 2 * mm(B * T, E, F);
  return 3 * (3 * enc + 3 * dec + mm(B * T, E, V));
}

// Matmul FLOPs of one step (R1.md section 5, r1_torch.py step_flops).
double StepFlops(double S, double T, double B = kBatch) {
  auto mm = [](double m, double k, double n) { return 2 * m * k * n; };
  const double enc = 2 * (mm(B * S, 256, 768) + mm(B * S, 256, 768));
  const double once = enc + mm(B, 256, 512) + mm(B * S, 512, 512);
  const double per_t = mm(B, 512, 512) + mm(B * S, 512, 1) + mm(B, S, 512) +
                       mm(B, 768, 1536) + mm(B, 512, 1536);
  const double after = mm(B * T, 1280, 512) + mm(B * T, 512, 8000);
  return 3 * (once + T * per_t + after);
}

int SelfTest(const ModelConfig& config) {
  int failures = 0;
  auto expect = [&failures](bool ok, const std::string& what) {
    if (!ok) {
      std::cerr << "selftest FAILED: " << what << "\n";
      ++failures;
    }
  };
  const Batch b0 = MakeR1Batch(config, 0, 0);
  expect(b0.src.sizes() == torch::IntArrayRef({64, 12}), "src shape [64, 12]");
  expect(b0.tgt_out.sizes() == torch::IntArrayRef({64, 14}), "tgt_out shape [64, 14]");
  auto first4 = [](const torch::Tensor& t) {
    std::vector<int64_t> v;
    for (int j = 0; j < 4; ++j) v.push_back(t[0][j].item<int64_t>());
    return v;
  };
  expect(first4(b0.src) == std::vector<int64_t>{3827, 1680, 4225, 4256}, "src[0][0..3]");
  expect(first4(b0.tgt_out) == std::vector<int64_t>{15, 5047, 5953, 6489}, "tgt_out[0][0..3]");
  expect(b0.src.sum().item<int64_t>() == 2825182, "stream 0 src sum 2,825,182");
  expect(b0.tgt_out.sum().item<int64_t>() == 3552651, "stream 0 tgt_out sum 3,552,651");
  const Batch s1 = MakeR1Batch(config, 0, 1);
  expect(s1.src.sum().item<int64_t>() == 2808480, "stream 1 src sum 2,808,480");
  expect(s1.tgt_out.sum().item<int64_t>() == 3302875, "stream 1 tgt_out sum 3,302,875");
  expect((b0.tgt_in.select(1, 0) == 1).all().item<bool>(), "tgt_in starts with BOS");
  expect(torch::equal(b0.tgt_in.slice(1, 1), b0.tgt_out.slice(1, 0, -1)), "tgt_in = BOS + ids");
  expect((b0.src.select(1, -1) == 2).all().item<bool>() &&
             (b0.tgt_out.select(1, -1) == 2).all().item<bool>(),
         "EOS last");
  expect(b0.target_tokens == 64 * 14 && !b0.src_padded, "64 x 14 target tokens, no padding");
  int64_t tokens20 = 0;
  for (int i = 3; i < 23; ++i) tokens20 += MakeR1Batch(config, i, 0).target_tokens;
  expect(tokens20 == 38400, "20 consecutive batches hold 38,400 target tokens");

  Trainer tr(config);
  const int64_t n = static_cast<int64_t>(tr.replica->FlatParameters().size());
  const bool t1 = config.IsTransformer();
  const int64_t want = t1 ? kT1Params : kParams;
  expect(n == want && tr.replica->NumParameters() == want,
         t1 ? "11,682,624 parameters" : "12,270,912 parameters");
  expect(tr.replica->model().OrderedParameters().size() == (t1 ? 104u : 23u),
         t1 ? "104 parameter tensors" : "23 parameter tensors");
  const Batch small = MakeR1Batch(config, 0, 0, 16);  // 16 pairs, S = 12, T = 14
  std::vector<float> losses;
  for (int i = 0; i < 20; ++i) losses.push_back(static_cast<float>(tr.Step(small, i).loss));
  std::cerr << "selftest losses:";
  for (float l : losses) std::fprintf(stderr, " %.3f", l);
  std::cerr << "\n";
  // T1: the untied output layer's U(-1/sqrt E, 1/sqrt E) on unit-variance features gives
  // logits of variance 1/3, so its first loss is a little above ln 8000 (t1_torch.py: 9.1).
  expect(losses.front() > 8.5 && losses.front() < (t1 ? 9.7 : 9.5),
         "initial loss near ln 8000 = 8.99");
  expect(losses.back() < losses.front() - 1.0, "loss falls by > 1 on a repeated batch");
  if (failures == 0) {
    std::fprintf(stderr, "selftest OK: %lld parameters, loss %.3f -> %.3f\n",
                 static_cast<long long>(n), losses.front(), losses.back());
  }
  return failures == 0 ? 0 : 1;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  return m == 0 ? 0 : m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

std::string Json(const std::vector<double>& v, const char* fmt = "%.1f") {
  std::string out = "[";
  char buf[64];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, fmt, v[i]);
    out += (i ? ", " : "") + std::string(buf);
  }
  return out + "]";
}

struct Flags {
  int threads = 1, steps = 20, warmup = 3, world = 1, rank = 0;
  std::string rendezvous;
  std::string tls_dir;  // R1-DP with mutual TLS (bench/common/secure_collective.h)
  bool selftest = false;
  bool ordered = false;  // the ordered sum instead of the all-reduce (one stream per rank)
};

// The integer flag `name` in [min, max], or exit naming the flag.
int64_t Int(const tandem::ParsedArgs& args, const std::string& name, int64_t min, int64_t max) {
  absl::StatusOr<int64_t> v = args.GetInt(name, min, max);
  if (!v.ok()) Die(std::string(v.status().message()));
  return *v;
}

// R1 (world 1) or one rank of R1-DP (world > 1); rank 0 prints the JSON line.
int Measure(const Flags& f, const ModelConfig& config) {
  using tandem::collective::GrpcCommunicator;
  Trainer tr(config, f.ordered ? f.world : 0, f.ordered ? f.rank : -1);
  std::unique_ptr<GrpcCommunicator> ring;
  auto barrier = [&] {
    float one = 1;
    absl::Status s = ring->AllReduceSum(
        &one, 1,
        tandem::collective::OpOptions::WithTimeout(std::chrono::seconds(120)));
    if (!s.ok()) Die("barrier: " + std::string(s.message()));
  };
  if (f.world > 1) {
    auto collective = Check(tandem::bench::StartCollective(f.tls_dir), "CollectiveServer::Start");
    auto server = std::move(collective.server);
    tandem::collective::GrpcCommunicatorOptions ro;
    ro.security = collective.security;
    ro.group = {"r1-dp", 1};
    ro.rank = f.rank;
    ro.peers = Check(tandem::bench::Rendezvous(f.rendezvous, f.rank, f.world, server->port()),
                     "rendezvous");
    ring = Check(GrpcCommunicator::Create(ro, std::move(server)), "GrpcCommunicator::Create");
    tr.replica->SetCommunicator(ring.get());
    Check(tr.replica->Synchronize(0), "Synchronize");  // rank 0's parameters to everyone
  }
  std::vector<Batch> batches;  // made before the timed loop (R1.md section 2)
  for (int i = 0; i < f.warmup + f.steps; ++i) {
    batches.push_back(MakeR1Batch(config, static_cast<uint64_t>(i), static_cast<uint64_t>(f.rank)));
  }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  const std::string blas = BlasJson();
  const double rss_setup = RssMb();  // model, optimizer state, batches: before any step

  std::vector<float> losses;
  for (int i = 0; i < f.warmup; ++i) losses.push_back(tr.Step(batches[i], i).loss);
  if (ring) barrier();
  using Clock = std::chrono::steady_clock;
  std::vector<double> times, compute, comm, wait;
  // TANDEM_R1_PROFILE=FILE: a Chrome trace of the timed steps (LibTorch's profiler: every
  // operator, forward and backward, with its shapes). Distorts the timing; for finding where
  // a step goes, not for the figures.
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  if (const char* path = std::getenv("TANDEM_R1_PROFILE"); path != nullptr && *path) {
    profile = std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(path));
  }
  const auto t_start = Clock::now();
  const double c_start = CpuSeconds();
  for (int i = f.warmup; i < f.warmup + f.steps; ++i) {
    const auto t0 = Clock::now();
    const tandem::StepStats st = tr.Step(batches[i], i);
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    compute.push_back(st.compute_seconds);
    comm.push_back(st.comm_seconds);
    wait.push_back(st.comm_wait_seconds);
    losses.push_back(static_cast<float>(st.loss));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t_start).count();
  const double cpu = CpuSeconds() - c_start;
  profile.reset();  // writes the trace
  for (float l : losses) {
    if (!std::isfinite(l)) Die("non-finite loss");
  }
  int64_t tokens = 0;
  double flops = 0;
  for (int i = f.warmup; i < f.warmup + f.steps; ++i) {
    tokens += batches[i].target_tokens;
    const double S = batches[i].src.size(1), T = batches[i].tgt_out.size(1);
    flops += config.IsTransformer() ? T1StepFlops(S, T) : StepFlops(S, T);
  }
  auto sum = [](const std::vector<double>& v) {
    double t = 0;
    for (double x : v) t += x;
    return t;
  };
  // Per rank: wall, cpu, rss, tokens, compute, comm, wait; a sum over one-hot slots gathers.
  constexpr int kFields = 7;
  std::vector<float> slots(static_cast<size_t>(f.world) * kFields, 0.0f);
  const double mine[kFields] = {wall,  cpu,       PeakRssMb(), static_cast<double>(tokens),
                                sum(compute), sum(comm), sum(wait)};
  for (int k = 0; k < kFields; ++k) slots[static_cast<size_t>(f.rank * kFields + k)] = static_cast<float>(mine[k]);
  double full_grad_ms = 0;
  if (ring) {
    auto gathered = ring->AllReduceSum(slots.data(), slots.size(),
                                       tandem::collective::OpOptions::WithTimeout(
                                           std::chrono::seconds(120)));
    if (!gathered.ok()) Die(std::string(gathered.message()));
    // A stand-alone all-reduce of one full gradient (as r1_ddp.py measures), median of 5.
    std::vector<float> flat(static_cast<size_t>(kParams), 1.0f);
    std::vector<double> ar;
    for (int i = 0; i < 6; ++i) {
      barrier();
      const auto t0 = Clock::now();
      auto s = ring->AllReduceSum(flat.data(), flat.size(),
                                  tandem::collective::OpOptions::WithTimeout(
                                      std::chrono::seconds(120)));
      if (!s.ok()) Die(std::string(s.message()));
      if (i > 0) ar.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    full_grad_ms = 1e3 * Median(ar);
    barrier();
    tr.replica->SetCommunicator(nullptr);
  }
  if (f.rank != 0) return 0;
  double max_wall = 0, all_tokens = 0;
  std::vector<double> rss, util;
  for (int r = 0; r < f.world; ++r) {
    const float* x = slots.data() + r * kFields;
    max_wall = std::max(max_wall, double{x[0]});
    util.push_back(x[1] / x[0]);
    rss.push_back(x[2]);
    all_tokens += x[3];
  }
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  const double steps = f.steps;
  const double comm_ms = 1e3 * sum(comm) / steps, wait_ms = 1e3 * sum(wait) / steps;
  char buf[4096];
  std::snprintf(
      buf, sizeof buf,
      "{\"workload\": \"%s\", \"impl\": \"tandem\", \"world\": %d, \"ordered\": %s, "
      "\"threads\": %d, "
      "\"steps\": %d, \"warmup\": %d, \"tokens_timed\": %.0f, \"tokens_per_s\": %.1f, "
      "\"ms_per_step_median\": %.1f, \"peak_rss_mb\": %.1f, \"peak_rss_mb_per_proc\": %s, "
      "\"cpu_util\": %.2f, \"cpu_util_per_proc\": %s, \"gflop_per_step_mean\": %.2f, "
      "\"achieved_gflops\": %.2f, \"compute_ms_per_step\": %.1f, \"comm_ms_per_step\": %.1f, "
      "\"comm_exposed_ms_per_step\": %.1f, \"comm_hidden_fraction\": %.3f, "
      "\"allreduce_full_grad_ms\": %.1f, \"bucket_mb\": %.1f, \"recompute_attention\": %s, "
      "\"rss_setup_mb\": %.1f, \"loss_first\": %.4f, "
      "\"loss_last\": %.4f, \"torch\": \"%s\", \"blas\": %s, \"cpu\": \"%s\", \"cpus\": %ld, "
      "\"loadavg\": [%.2f, %.2f, %.2f], \"date\": \"%s\"}",
      config.IsTransformer() ? (f.world > 1 ? "T1-DP" : "T1") : (f.world > 1 ? "R1-DP" : "R1"),
      f.world, f.ordered ? "true" : "false", at::get_num_threads(), f.steps, f.warmup,
      all_tokens, all_tokens / max_wall, 1e3 * Median(times), rss[0], Json(rss).c_str(),
      util[0], Json(util, "%.2f").c_str(), flops / steps / 1e9, f.world * flops / max_wall / 1e9,
      1e3 * sum(compute) / steps, comm_ms, wait_ms,
      comm_ms > 0 ? std::max(0.0, 1.0 - wait_ms / comm_ms) : 0.0, full_grad_ms,
      Trainer::BucketBytes() / double(1 << 20), config.recompute_attention ? "true" : "false",
      rss_setup, losses.front(), losses.back(), TORCH_VERSION,
      blas.c_str(), CpuModel().c_str(), sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2],
      date);
  std::cout << buf << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  tandem::model::ReexecWithTrainingRuntime(argv, env);
  const std::vector<tandem::FlagSpec> specs = {
      {"threads", true, "LibTorch threads", "N", "1"},
      {"steps", true, "timed steps", "N", "20"},
      {"warmup", true, "untimed steps first", "N", "3"},
      {"world", true, "ranks (R1-DP when above 1)", "W", "1"},
      {"rank", true, "this process's rank", "R", "0"},
      {"rendezvous", true, "directory where ranks publish their addresses", "DIR"},
      {"tls_dir", true, "R1-DP with mutual TLS (scripts/make-certs.sh's certificates)", "DIR"},
      {"workload", true, "R1 (the RNN, R1.md) or T1 (the Transformer, BENCHMARKS.md)", "NAME",
       "R1"},
      {"selftest", false, "check the batches and the loss against R1.md, then exit"},
      {"ordered", false,
       "R1-DP with the ordered sum of three or more streams (training/README.md) instead of "
       "the all-reduce: one stream per rank"},
      {"json", false, "accepted for symmetry with the peers: the output is always JSON"}};
  auto args = tandem::ParseArgs({argv + 1, argv + argc}, specs);
  if (!args.ok()) Die(std::string(args.status().message()) + "\n" + tandem::FlagHelp(specs));
  Flags f;
  f.threads = static_cast<int>(Int(*args, "threads", 1, 1024));
  f.steps = static_cast<int>(Int(*args, "steps", 1, 1 << 20));
  f.warmup = static_cast<int>(Int(*args, "warmup", 0, 1 << 20));
  f.world = static_cast<int>(Int(*args, "world", 1, 1024));
  f.rank = static_cast<int>(Int(*args, "rank", 0, f.world - 1));
  f.rendezvous = args->Get("rendezvous");
  f.tls_dir = args->Get("tls_dir");
  f.selftest = args->Has("selftest");
  f.ordered = args->Has("ordered");
  if (f.ordered && f.world < 3) Die("--ordered needs --world 3 or more");
  if (f.world > 1 && f.rendezvous.empty()) Die("--rendezvous is needed with --world above 1");
  if (f.world > 1) tandem::collective::TuneProcessForBulkTransfer();
  tandem::model::ConfigureTrainingRuntime(f.threads);  // at::set_num_threads + heap retention
  const std::string workload = args->Get("workload");
  if (workload != "R1" && workload != "T1") Die("--workload: R1 or T1, got " + workload);
  ModelConfig config = workload == "T1" ? T1Config() : tandem::model::R1Config();
  if (absl::Status s = tandem::model::Validate(config); !s.ok()) {
    Die(workload + " config: " + std::string(s.message()));
  }
  if (tandem::model::ParameterCount(config) != (workload == "T1" ? kT1Params : kParams)) {
    Die(workload + " config has the wrong parameter count");
  }
  // TANDEM_R1_RECOMPUTE=1: the memory-saving variant (ModelConfig::recompute_attention; RNN).
  const char* recompute = std::getenv("TANDEM_R1_RECOMPUTE");
  config.recompute_attention =
      !config.IsTransformer() && recompute != nullptr && std::string(recompute) == "1";
  try {
    return f.selftest ? SelfTest(config) : Measure(f, config);
  } catch (const std::exception& e) {
    Die(std::string("error: ") + e.what());
  }
}
