// R1 (../shared/anchors/R1.md) trained with Tandem's own model code, one process: the Tandem
// side of `bench/run model`. Prints one JSON line with the reference's fields
// (r1_torch.py --json): tokens_per_s, ms_per_step_median, peak_rss_mb, cpu_util, threads,
// loss_first, loss_last, blas, ...
//
//   tandem_r1_bench --threads N [--steps 20] [--warmup 3]   the measurement (R1.md section 3)
//   tandem_r1_bench --selftest                               known answers (R1.md sections 2, 6)
//
// OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS must be set by the caller before
// the process starts (bench/model/run.sh does): the thread pools read them when loaded.
#include <ATen/Parallel.h>
#include <sys/resource.h>
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
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/batch.h"
#include "model/loss.h"
#include "model/model_config.h"
#include "model/optim.h"
#include "model/runtime.h"
#include "model/seq2seq.h"

namespace {

using tandem::model::Batch;
using tandem::model::ModelConfig;

constexpr int kBatch = 64;
constexpr int kLengths[5] = {12, 20, 28, 36, 44};
constexpr int64_t kParams = 12270912;
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

struct Trainer {
  tandem::model::Seq2Seq model{nullptr};
  std::vector<torch::Tensor> params;
  std::unique_ptr<torch::optim::Adam> adam;

  explicit Trainer(const ModelConfig& config) {
    model = Check(tandem::model::CreateSeq2Seq(config, /*seed=*/0), "CreateSeq2Seq");
    model->train();
    params = model->OrderedParameters();
    tandem::model::AdamConfig ac;  // lr 3e-4, betas (0.9, 0.98), eps 1e-8 (R1.md 1.5)
    adam = Check(tandem::model::MakeAdam(params, ac), "MakeAdam");
  }

  // One training step (R1.md 1.5): clear gradients, forward, loss (token mean), backward,
  // clip 1.0, Adam, read the loss back as a host float.
  float Step(const Batch& batch) {
    for (auto& p : params) p.mutable_grad() = torch::Tensor();  // set_to_none
    torch::Tensor logits = Check(model->Forward(batch), "Forward");
    auto loss = Check(tandem::model::LabelSmoothedLoss(logits, batch.tgt_out, kSmoothing,
                                                       model->config().pad_id),
                      "LabelSmoothedLoss");
    torch::Tensor mean = loss.sum / static_cast<double>(loss.tokens);  // Tandem's loss is a sum
    mean.backward();
    tandem::model::ClipGradNorm(params, kClip);
    adam->step();
    return mean.item<float>();
  }
};

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // KiB on Linux
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
  int64_t n = 0;
  for (const auto& p : tr.params) n += p.numel();
  expect(n == kParams && tr.model->NumParameters() == kParams, "12,270,912 parameters");
  expect(tr.params.size() == 23, "23 parameter tensors");
  const Batch small = MakeR1Batch(config, 0, 0, 16);  // 16 pairs, S = 12, T = 14
  std::vector<float> losses;
  for (int i = 0; i < 20; ++i) losses.push_back(tr.Step(small));
  std::cerr << "selftest losses:";
  for (float l : losses) std::fprintf(stderr, " %.3f", l);
  std::cerr << "\n";
  expect(losses.front() > 8.5 && losses.front() < 9.5, "initial loss near ln 8000 = 8.99");
  expect(losses.back() < losses.front() - 1.0, "loss falls by > 1 on a repeated batch");
  if (failures == 0) {
    std::fprintf(stderr, "selftest OK: %lld parameters, loss %.3f -> %.3f\n",
                 static_cast<long long>(n), losses.front(), losses.back());
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, steps = 20, warmup = 3;
  bool selftest = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> int {
      if (i + 1 >= argc) Die("missing value after " + a);
      return std::atoi(argv[++i]);
    };
    if (a == "--threads") threads = next();
    else if (a == "--steps") steps = next();
    else if (a == "--warmup") warmup = next();
    else if (a == "--selftest") selftest = true;
    else if (a == "--json") {}  // always JSON
    else Die("usage: tandem_r1_bench [--threads N] [--steps N] [--warmup N] [--selftest]");
  }
  if (threads < 1 || steps < 1 || warmup < 0) Die("need threads >= 1, steps >= 1, warmup >= 0");

  tandem::model::ConfigureTrainingRuntime(threads);  // at::set_num_threads + heap retention
  const ModelConfig config = tandem::model::R1Config();
  if (tandem::model::ParameterCount(config) != kParams) Die("R1Config() is not R1");
  try {
    if (selftest) return SelfTest(config);

    Trainer tr(config);
    std::vector<Batch> batches;  // made before the timed loop (R1.md section 2)
    for (int i = 0; i < warmup + steps; ++i) batches.push_back(MakeR1Batch(config, i, 0));
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    const std::string blas = BlasJson();

    std::vector<float> losses;
    for (int i = 0; i < warmup; ++i) losses.push_back(tr.Step(batches[i]));
    using Clock = std::chrono::steady_clock;
    std::vector<double> times;
    const auto t_start = Clock::now();
    const double c_start = CpuSeconds();
    for (int i = warmup; i < warmup + steps; ++i) {
      const auto t0 = Clock::now();
      losses.push_back(tr.Step(batches[i]));
      times.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t_start).count();
    const double cpu = CpuSeconds() - c_start;
    for (float l : losses) {
      if (!std::isfinite(l)) Die("non-finite loss");
    }

    int64_t tokens = 0;
    double flops = 0;
    for (int i = warmup; i < warmup + steps; ++i) {
      tokens += batches[i].target_tokens;
      flops += StepFlops(batches[i].src.size(1), batches[i].tgt_out.size(1));
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const size_t m = sorted.size();
    const double median = m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);

    char date[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
    char buf[4096];
    std::snprintf(
        buf, sizeof buf,
        "{\"workload\": \"R1\", \"impl\": \"tandem\", \"threads\": %d, \"steps\": %d, "
        "\"warmup\": %d, \"tokens_timed\": %lld, \"tokens_per_s\": %.1f, "
        "\"ms_per_step_median\": %.1f, \"peak_rss_mb\": %.1f, \"cpu_util\": %.2f, "
        "\"gflop_per_step_mean\": %.2f, \"achieved_gflops\": %.2f, \"loss_first\": %.4f, "
        "\"loss_last\": %.4f, \"torch\": \"%s\", \"blas\": %s, \"cpu\": \"%s\", \"cpus\": %ld, "
        "\"loadavg\": [%.2f, %.2f, %.2f], \"date\": \"%s\"}",
        at::get_num_threads(), steps, warmup, static_cast<long long>(tokens), tokens / wall,
        1e3 * median, PeakRssMb(), cpu / wall, flops / steps / 1e9, flops / wall / 1e9,
        losses.front(), losses.back(), TORCH_VERSION, blas.c_str(), CpuModel().c_str(),
        sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2], date);
    std::cout << buf << std::endl;
  } catch (const std::exception& e) {
    Die(std::string("error: ") + e.what());
  }
  return 0;
}
