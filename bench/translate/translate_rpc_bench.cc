// Translation through the coordinator: the coordinator side of `bench/run translate`
// (issue [12]). Talks to a running tandem-coordinator (JobService.Translate, through
// JobClient) about a job whose model is also downloaded to --model, and prints one JSON line
// per measured point:
//
//   latency     one short sentence (the first of --corpus with 6-8 words), sent --requests
//               times in a row after one warm-up request (which loads the model on the
//               coordinator), greedy and beam 5; each request alternates with the same
//               sentence decoded in this process by inference::TrainedModel on --model with
//               --threads LibTorch threads (pass the coordinator's --translate_threads), so
//               both paths see the same machine at the same moments. p50/p90/p99 in ms, and
//               the CPU ms per request: the coordinator's (with --coordinator_pid, from
//               /proc) and this process's over the in-process decodes.
//   concurrent  --clients clients, each on its own JobClient and thread, send --short_requests
//               one-sentence requests back to back (the corpus's 5-8-word sentences in turn,
//               beam --concurrent_beam), alone ("short"), and again while --long_clients more
//               send requests of the corpus's 64 longest sentences back to back until the
//               short clients are done ("short+long"; their last request is waited for).
//               The short requests' p50/p90/p99, the long requests' p50, all sentences
//               translated over the wall time from the first request to the last answer,
//               and the short sentences over the time to the last short answer.
//               A short request that waited for a long one's whole batch would take at least
//               as long as that batch: compare the short p99 with the long p50.
//
//   tandem_translate_rpc_bench --target HOST:PORT --job ID --model DIR --corpus FILE
//       [--threads 1] [--requests 50] [--clients 20] [--short_requests 20]
//       [--long_clients 2] [--concurrent_beam 5] [--coordinator_pid PID]
//
// Exits 1 (with the status on stderr) on any failed request: a benchmark of errors is none.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/job_client.h"
#include "common/flags.h"
#include "inference/trained_model.h"
#include "inference/translate_request.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "tandem_translate_rpc_bench: " << what << "\n";
  std::exit(1);
}

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// CPU seconds this process has used (all its threads).
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// CPU seconds process `pid` has used (user + system, from /proc/PID/stat); -1 when it
// cannot be read.
double PidCpuSeconds(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // After the name: state is field 3 of the whole line, utime 14 and stime 15.
  double utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtod(fields[11], &utime) ||
      !absl::SimpleAtod(fields[12], &stime)) {
    return -1;
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t Words(const std::string& s) {
  return std::vector<absl::string_view>(absl::StrSplit(s, ' ', absl::SkipEmpty())).size();
}

// The q-quantile of `xs` (nearest rank; 0 when empty).
double Quantile(std::vector<double> xs, double q) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  const size_t i = std::min(xs.size() - 1, static_cast<size_t>(q * static_cast<double>(xs.size())));
  return xs[i];
}

tandem::v1::TranslateRequest Request(const std::string& job, std::vector<std::string> sentences,
                                     int beam, bool bf16 = false, bool int8 = false) {
  tandem::v1::TranslateRequest r;
  r.set_job_id(job);
  for (auto& s : sentences) r.add_sentences(std::move(s));
  r.set_beam_size(static_cast<uint32_t>(beam));
  r.set_bf16(bf16);
  r.set_int8(int8);
  return r;
}

// One request through `client`, timed in ms; dies on an error.
double TimedRpc(tandem::JobClient& client, const tandem::v1::TranslateRequest& request) {
  const auto t0 = Clock::now();
  auto r = client.Translate(request);
  const double ms = Ms(t0);
  if (!r.ok()) Die(absl::StrCat("Translate: ", r.status().ToString()));
  if (r->translations_size() != request.sentences_size()) Die("Translate: wrong answer count");
  return ms;
}

struct Load {
  std::vector<double> short_ms, long_ms;
  size_t sentences = 0;
  double wall_ms = 0;        // the first request to the last answer
  double short_wall_ms = 0;  // the first request to the last short answer
};

// The concurrent part: `clients` short clients of `short_requests` each, and `long_clients`
// sending `long_sentences` requests until the short clients are done.
Load RunLoad(const std::string& target, const std::string& job,
             const std::vector<std::string>& shorts, const std::vector<std::string>& longs,
             int clients, int short_requests, int long_clients, int beam) {
  Load load;
  std::mutex mu;
  std::atomic<int> short_left{clients};
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int c = 0; c < long_clients; ++c) {
    threads.emplace_back([&] {
      tandem::JobClient client(target, std::chrono::minutes(30));
      const auto request = Request(job, longs, beam);
      do {
        const double ms = TimedRpc(client, request);
        std::lock_guard<std::mutex> lock(mu);
        load.long_ms.push_back(ms);
        load.sentences += longs.size();
      } while (short_left.load() > 0);
    });
  }
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      tandem::JobClient client(target, std::chrono::minutes(30));
      for (int i = 0; i < short_requests; ++i) {
        const std::string& s = shorts[(static_cast<size_t>(c) * short_requests + i) % shorts.size()];
        const double ms = TimedRpc(client, Request(job, {s}, beam));
        std::lock_guard<std::mutex> lock(mu);
        load.short_ms.push_back(ms);
        ++load.sentences;
      }
      if (--short_left == 0) {
        std::lock_guard<std::mutex> lock(mu);
        load.short_wall_ms = Ms(t0);
      }
    });
  }
  for (auto& t : threads) t.join();
  load.wall_ms = Ms(t0);
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tandem::ParseArgs(
      {argv + 1, argv + argc},
      {{"target", true, "the coordinator", "HOST:PORT"},
       {"job", true, "the job whose model translates", "ID"},
       {"model", true, "the same model downloaded (tandem download)", "DIR"},
       {"corpus", true, "source sentences, one per line", "FILE"},
       {"threads", true, "LibTorch threads in this process (the coordinator's)", "T", "1"},
       {"requests", true, "sequential requests per latency point", "N", "50"},
       {"clients", true, "concurrent short clients", "N", "20"},
       {"short_requests", true, "requests per short client", "N", "20"},
       {"long_clients", true, "clients sending the 64 longest sentences", "N", "2"},
       {"concurrent_beam", true, "beam size of the concurrent part", "K", "5"},
       {"coordinator_pid", true, "the coordinator's PID, for its CPU time per request", "PID",
        "0"},
       {"batch_ms", true, "the coordinator's --translate_batch_ms (a label in the output)", "MS",
        "5"},
       {"latency", true, "run the latency part (a.): 1 or 0", "0|1", "1"}});
  if (!args.ok()) Die(std::string(args.status().message()));
  for (const char* f : {"target", "job", "model", "corpus"}) {
    if (args->Get(f).empty()) Die(absl::StrCat("--", f, " is required"));
  }
  auto threads = args->GetInt("threads", 1, 64);
  auto requests = args->GetInt("requests", 1, 100000);
  auto clients = args->GetInt("clients", 1, 1000);
  auto short_requests = args->GetInt("short_requests", 1, 100000);
  auto long_clients = args->GetInt("long_clients", 0, 1000);
  auto beam = args->GetInt("concurrent_beam", 1, tandem::inference::kMaxBeamSize);
  auto coordinator_pid = args->GetInt("coordinator_pid", 0, 1 << 30);
  auto batch_ms = args->GetInt("batch_ms", 0, 1000);
  for (const auto* v : {&threads, &requests, &clients, &short_requests, &long_clients, &beam,
                        &coordinator_pid, &batch_ms}) {
    if (!v->ok()) Die(std::string(v->status().message()));
  }
  const std::string target = args->Get("target"), job = args->Get("job");

  // The sentences: the first of 6-8 words; every 5-8-word one; the 64 longest the request
  // limits allow.
  std::ifstream in(args->Get("corpus"));
  if (!in) Die("cannot read --corpus " + args->Get("corpus"));
  std::string one;
  std::vector<std::string> shorts, all;
  for (std::string line; std::getline(in, line);) {
    const size_t n = Words(line);
    if (n == 0 || !tandem::inference::CheckTranslationInput(line, 1).ok()) continue;
    if (one.empty() && n >= 6 && n <= 8) one = line;
    if (n >= 5 && n <= 8) shorts.push_back(line);
    all.push_back(line);
  }
  if (one.empty() || shorts.empty()) Die("--corpus has no sentence of 5-8 words");
  std::stable_sort(all.begin(), all.end(),
                   [](const std::string& a, const std::string& b) { return Words(a) > Words(b); });
  all.resize(std::min(all.size(), tandem::inference::kMaxTranslateSentences));
  const std::vector<std::string> longs = all;
  size_t long_words = 0;
  for (const auto& s : longs) long_words += Words(s);

  auto model = tandem::inference::TrainedModel::Load(
      tandem::inference::ModelPaths::InDirectory(args->Get("model")), static_cast<int>(*threads));
  if (!model.ok()) Die(model.status().ToString());
  tandem::JobClient client(target, std::chrono::minutes(10));

  // Warm-up: the coordinator loads the model; both paths decode once.
  for (int b : {1, 5}) {
    TimedRpc(client, Request(job, {one}, b));
    auto r = tandem::inference::TranslateWith((*model)->translator(), Request(job, {one}, b));
    if (!r.ok()) Die(r.status().ToString());
  }

  auto latency = args->GetInt("latency", 0, 1);
  if (!latency.ok()) Die(std::string(latency.status().message()));
  for (const auto& [b, bf16, int8] :
       {std::tuple{1, false, false}, std::tuple{5, false, false}, std::tuple{1, true, false},
        std::tuple{5, true, false}, std::tuple{1, false, true}, std::tuple{5, false, true}}) {
    if (!*latency) break;
    const auto request = Request(job, {one}, b, bf16, int8);
    std::vector<double> rpc, lib;
    std::string rpc_text, lib_text;
    // CPU seconds: the coordinator's over the RPCs (it does nothing else meanwhile), this
    // process's over the in-process decodes. On a shared machine the wall times carry other
    // processes' load; a one-thread decode's CPU time is about its latency on a free core.
    double rpc_cpu = 0, lib_cpu = 0;
    const int pid = static_cast<int>(*coordinator_pid);
    for (int64_t i = 0; i < *requests; ++i) {
      const double c0 = pid > 0 ? PidCpuSeconds(pid) : 0;
      auto t0 = Clock::now();
      auto a = client.Translate(request);
      rpc.push_back(Ms(t0));
      if (pid > 0) rpc_cpu += PidCpuSeconds(pid) - c0;
      if (!a.ok()) Die(absl::StrCat("Translate: ", a.status().ToString()));
      const double l0 = ProcessCpuSeconds();
      t0 = Clock::now();
      auto r = tandem::inference::TranslateWith((*model)->translator(), request);
      lib.push_back(Ms(t0));
      lib_cpu += ProcessCpuSeconds() - l0;
      if (!r.ok()) Die(absl::StrCat("TranslateWith: ", r.status().ToString()));
      if (a->translations_size() != 1 || r->translations_size() != 1) Die("no translation");
      rpc_text = a->translations(0).text();
      lib_text = r->translations(0).text();
    }
    const double n = static_cast<double>(*requests);
    // The output's length in words: the decoder's steps, which make the work, follow it (a
    // model trained a few steps may write up to the length limit).
    for (const auto& [path, xs, text, cpu] :
         {std::tuple{"coordinator", &rpc, &rpc_text, pid > 0 ? rpc_cpu / n * 1000 : -1.0},
          std::tuple{"library", &lib, &lib_text, lib_cpu / n * 1000}}) {
      std::printf(
          "{\"part\":\"latency\",\"path\":\"%s\",\"beam\":%d,\"bf16\":%s,\"int8\":%s,"
          "\"threads\":%d,"
          "\"words\":%zu,"
          "\"out_words\":%zu,\"requests\":%zu,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,"
          "\"max_ms\":%.2f,\"cpu_ms\":%.2f}\n",
          path, b, bf16 ? "true" : "false", int8 ? "true" : "false",
          static_cast<int>(*threads), Words(one),
          Words(*text), xs->size(),
          Quantile(*xs, 0.5), Quantile(*xs, 0.9), Quantile(*xs, 0.99), Quantile(*xs, 1.0), cpu);
    }
    std::fflush(stdout);
  }

  for (const int with_long : {0, 1}) {
    const int lc = with_long ? static_cast<int>(*long_clients) : 0;
    if (with_long && lc == 0) break;
    const int pid = static_cast<int>(*coordinator_pid);
    const double cpu0 = pid > 0 ? PidCpuSeconds(pid) : 0;
    const Load load = RunLoad(target, job, shorts, longs, static_cast<int>(*clients),
                              static_cast<int>(*short_requests), lc, static_cast<int>(*beam));
    // The coordinator's CPU per sentence answered: what batching saves, whatever else ran on
    // the machine (its wall times share the cores with other processes).
    const double cpu_ms = pid > 0 ? (PidCpuSeconds(pid) - cpu0) * 1000 / load.sentences : -1;
    std::printf(
        "{\"part\":\"concurrent\",\"batch_ms\":%d,\"load\":\"%s\",\"clients\":%d,"
        "\"long_clients\":%d,"
        "\"beam\":%d,\"short_requests\":%zu,\"short_p50_ms\":%.2f,\"short_p90_ms\":%.2f,"
        "\"short_p99_ms\":%.2f,\"short_max_ms\":%.2f,\"long_requests\":%zu,"
        "\"long_sentences\":%zu,\"long_words\":%zu,\"long_p50_ms\":%.2f,\"sentences\":%zu,"
        "\"seconds\":%.3f,\"sentences_per_s\":%.2f,\"short_seconds\":%.3f,"
        "\"short_sentences_per_s\":%.2f,\"cpu_ms_per_sentence\":%.2f}\n",
        static_cast<int>(*batch_ms), with_long ? "short+long" : "short",
        static_cast<int>(*clients), lc,
        static_cast<int>(*beam), load.short_ms.size(), Quantile(load.short_ms, 0.5),
        Quantile(load.short_ms, 0.9), Quantile(load.short_ms, 0.99), Quantile(load.short_ms, 1.0),
        load.long_ms.size(), longs.size(), long_words, Quantile(load.long_ms, 0.5),
        load.sentences, load.wall_ms / 1000, load.sentences / (load.wall_ms / 1000),
        load.short_wall_ms / 1000, load.short_ms.size() / (load.short_wall_ms / 1000), cpu_ms);
    std::fflush(stdout);
  }
  return 0;
}
