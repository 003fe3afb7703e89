// Decoding speed against the arithmetic limit: the Tandem side of `bench/run translate`
// (issue [12]). A model of the README's example size (model_config.h defaults: embeddings
// 256, hidden 256, vocabularies 8,000, Bahdanau GRU) with fixed random weights decodes the
// bundled test sentences' lengths (source ids drawn at random, one per word: the work
// depends on lengths only). Random weights almost never emit EOS, so every hypothesis runs to
// its length limit, ceil(2 * (source length + 1)): the same work every run.
//
// For greedy and each beam size, two variants in the same process:
//   before  chunks of 32 sentences in input order, every row decoded to the chunk's end, the
//           attention step by LibTorch's operators (the decoder as it was before the issue's
//           work)
//   after   chunks in length order, (greedy) finished rows leave the batch, the attention step
//           by the fused loops (model/fused_decoder.h AdditiveAttentionStep); chunks of 64
//           sentences greedy and 32 with a beam (inference::Translator::ChunkSize)
//   int8    after, with the output layer in int8 (TranslateRequest.int8; model/int8_linear.h)
// Useful FLOPs are counted from the model's shapes (model_config.h) for the steps each
// hypothesis needs, the same for both variants; the limit is the measured rate of the
// largest matmul (64 rows through the 512 x 8,000 output layer) at the same thread count.
// Prints one JSON line per (beam, variant).
//
// For the growth tables (bench/run translate, part growth): --vocab sets both vocabularies,
// --min_words / --max_words keep sentences of those lengths only, --variants picks variants.
//
//   tandem_translate_bench --corpus FILE [--sentences 1000] [--threads 1] [--beams "1 5"]
//                          [--vocab 8000] [--min_words 1] [--max_words 50] [--variants "before after"]
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/flags.h"
#include "model/decode.h"
#include "model/model_config.h"
#include "model/seq2seq.h"

namespace {

using tandem::model::DecodeOptions;
using tandem::model::ModelConfig;

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "tandem_translate_bench: " << what << "\n";
  std::exit(2);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// FLOPs (2 per multiply-add) of one decoder step of one hypothesis over a source of `s`
// positions (the appended EOS included), and of encoding one source position.
double StepFlops(const ModelConfig& c, double s) {
  const double e = c.embedding_dim, a = c.AnnotationDim(), d = c.DecoderHidden(),
               att = c.attention_dim, p = c.preoutput_dim, v = c.tgt_vocab;
  return 2 * d * att               // the query
         + 2 * s * att             // energies (v . tanh(q + k_j))
         + 2 * s * a               // the context
         + 2 * 3 * d * (e + a + d)  // the GRU cell
         + 2 * p * (d + a + e)     // the pre-output layer
         + 2 * v * p;              // the output layer
}
double EncodeFlops(const ModelConfig& c) {
  const double e = c.embedding_dim, h = c.hidden_dim, a = c.AnnotationDim(), att = c.attention_dim;
  return 2 * (2 * 3 * h * (e + h)) + 2 * a * att;  // both directions, then the keys
}

// GFLOP/s of [64 x preoutput] x [preoutput x vocab], the decoder's largest product.
double MatmulRate(const ModelConfig& c) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({64, c.preoutput_dim});
  torch::Tensor w = torch::randn({c.tgt_vocab, c.preoutput_dim});
  torch::Tensor b = torch::randn({c.tgt_vocab});
  for (int i = 0; i < 5; ++i) torch::addmm(b, x, w.t());
  int n = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (Seconds(t0) < 1.0) {
    torch::addmm(b, x, w.t());
    ++n;
  }
  return 2.0 * 64 * c.preoutput_dim * c.tgt_vocab * n / Seconds(t0) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = tandem::ParseArgs(
      {argv + 1, argv + argc},
      {{"corpus", true, "source sentences, one per line", "FILE"},
       {"sentences", true, "how many", "N", "1000"},
       {"threads", true, "LibTorch threads", "T", "1"},
       {"beams", true, "beam sizes (1: greedy)", "\"K ...\"", "1 5"},
       {"chunk", true, "sentences decoded together by after and int8 (0: 64 greedy, 32 with a "
        "beam, as the Translator; before always 32)", "N", "0"},
       {"bf16", false, "the decoder's step matrices in bfloat16 for steps of up to 16 rows "
        "(Seq2Seq::UseBf16Decoding)"},
       {"vocab", true, "source and target vocabulary size", "N", "8000"},
       {"min_words", true, "keep sentences of at least N words", "N", "1"},
       {"max_words", true, "keep sentences of at most N words", "N", "50"},
       {"variants", true, "which variants", "\"before after int8\"", "before after"}});
  if (!args.ok()) Die(std::string(args.status().message()));
  int sentences = 0, threads = 0, chunk = 0;
  if (!absl::SimpleAtoi(args->Get("sentences"), &sentences) || sentences < 1 ||
      !absl::SimpleAtoi(args->Get("threads"), &threads) || threads < 1 ||
      !absl::SimpleAtoi(args->Get("chunk"), &chunk) || chunk < 0) {
    Die("--sentences and --threads take positive whole numbers, --chunk 0 or more");
  }
  std::vector<int> beams;
  for (absl::string_view b : absl::StrSplit(args->Get("beams"), ' ', absl::SkipEmpty())) {
    int k = 0;
    if (!absl::SimpleAtoi(b, &k) || k < 1) Die("--beams: positive whole numbers");
    beams.push_back(k);
  }
  auto vocab = args->GetInt("vocab", 8, 1 << 20);
  auto min_words = args->GetInt("min_words", 1, 1000);
  auto max_words = args->GetInt("max_words", 1, 1000);
  for (const auto* v : {&vocab, &min_words, &max_words}) {
    if (!v->ok()) Die(std::string(v->status().message()));
  }
  const std::vector<std::string> variants =
      absl::StrSplit(args->Get("variants"), ' ', absl::SkipEmpty());
  for (const std::string& v : variants) {
    if (v != "before" && v != "after" && v != "int8") {
      Die("--variants: before, after and/or int8, got '" + v + "'");
    }
  }
  at::set_num_threads(threads);

  ModelConfig c;  // the README's example size, but for --vocab
  c.src_vocab = c.tgt_vocab = static_cast<int>(*vocab);
  std::ifstream in(args->Get("corpus"));
  if (!in) Die("cannot read --corpus " + args->Get("corpus"));
  std::mt19937 rng(1);
  std::vector<std::vector<int>> src;
  size_t words = 0;
  for (std::string line; src.size() < static_cast<size_t>(sentences) && std::getline(in, line);) {
    const size_t n = std::count(line.begin(), line.end(), ' ') + 1;
    if (line.empty() || static_cast<int64_t>(n) < *min_words || static_cast<int64_t>(n) > *max_words) {
      continue;
    }
    std::vector<int> ids(n);
    for (int& id : ids) id = 4 + static_cast<int>(rng() % (c.src_vocab - 4));
    src.push_back(std::move(ids));
    words += n;
  }
  auto model = tandem::model::CreateSeq2Seq(c, 7);
  if (!model.ok()) Die(std::string(model.status().message()));
  (*model)->PrepareBf16Decoding();
  if (std::find(variants.begin(), variants.end(), "int8") != variants.end()) {
    if (absl::Status s = (*model)->PrepareInt8Decoding(); !s.ok()) Die(std::string(s.message()));
  }
  const double limit = MatmulRate(c);

  for (int beam : beams) {
    // Useful work: each hypothesis to its own limit.
    double useful = 0;
    for (const auto& s : src) {
      const double len = static_cast<double>(s.size()) + 1;
      useful += len * EncodeFlops(c) + beam * std::ceil(2.0 * len) * StepFlops(c, len);
    }
    for (const std::string& variant : variants) {
      std::vector<size_t> order(src.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      if (variant != "before") {
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return src[a].size() > src[b].size(); });
      }
      DecodeOptions o;
      o.beam_size = beam;
      o.compact = variant != "before";
      o.bf16 = args->Has("bf16");
      o.int8 = variant == "int8";
      (*model)->SetFusedDecoder(variant != "before");  // before: the attention's operators
      const size_t step = variant == "before" ? 32
                          : chunk > 0         ? static_cast<size_t>(chunk)
                          : beam == 1         ? 64
                                              : 32;
      size_t finished = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < order.size(); i += step) {
        std::vector<std::vector<int>> part;
        for (size_t k = i; k < std::min(order.size(), i + step); ++k) {
          part.push_back(src[order[k]]);
        }
        auto hyps = beam > 1 ? tandem::model::BeamSearch(**model, part, o)
                             : tandem::model::GreedyDecode(**model, part, o);
        if (!hyps.ok()) Die(std::string(hyps.status().message()));
        for (const auto& h : *hyps) finished += h.finished;
      }
      const double s = Seconds(t0);
      std::printf(
          "{\"beam\":%d,\"bf16\":%s,\"variant\":\"%s\",\"threads\":%d,\"vocab\":%d,"
          "\"min_words\":%d,\"max_words\":%d,\"sentences\":%zu,\"words\":%zu,"
          "\"seconds\":%.3f,\"words_per_s\":%.1f,\"useful_gflop\":%.2f,\"gflop_per_s\":%.2f,"
          "\"matmul_gflop_per_s\":%.2f,\"of_limit\":%.4f,\"finished_early\":%zu}\n",
          beam, args->Has("bf16") ? "true" : "false", variant.c_str(), threads, c.tgt_vocab,
          static_cast<int>(*min_words), static_cast<int>(*max_words), src.size(), words, s,
          words / s, useful / 1e9,
          useful / s / 1e9, limit, useful / s / 1e9 / limit, finished);
      std::fflush(stdout);
    }
  }
  return 0;
}
