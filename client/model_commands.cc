// The model subcommands of `tandem`: plot, download, train/translate/attention (tandem-local
// or the coordinator's Translate), average (tandem-local) and score.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/command_context.h"
#include "client/commands.h"
#include "client/plot_svg.h"
#include "client/translate_flags.h"
#include "common/files.h"
#include "model/score_report.h"
#include "tandem/v1/cli.pb.h"

namespace tandem::cli {
namespace {

// The local (single-process) modes live in tandem-local, which holds LibTorch; `tandem`
// stays a small gRPC client and hands these commands over to it.
std::string LocalBinary() { return ExecutableDir() + "/tandem-local"; }

int ExecLocal(Context& ctx, std::vector<std::string> args) {
  if (ctx.json) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "--json is not available in the local mode (train --local, --model "
                         "DIR): its output is text"));
  }
  const std::string bin = LocalBinary();
  if (::access(bin.c_str(), X_OK) != 0) {
    return Fail(ctx, absl::FailedPreconditionError(
                         absl::StrCat("the local mode needs ", bin,
                                      " (built with LibTorch: scripts/build.sh tandem-local)")));
  }
  args.insert(args.begin(), bin);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ctx.out->flush();
  ::execv(bin.c_str(), argv.data());
  return Fail(ctx, absl::InternalError(absl::StrCat("cannot run ", bin)));
}

// Scores with 4 decimals, ratios with 6 (as the tables show them, with two more digits).
double Round(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

v1::ScoreOutput::Bleu BleuOutput(const BleuScore& b) {
  v1::ScoreOutput::Bleu out;
  out.set_score(Round(b.score, 4));
  for (int64_t c : b.counts) out.add_counts(c);
  for (int64_t t : b.totals) out.add_totals(t);
  for (double p : b.precisions) out.add_precisions(Round(p, 4));
  out.set_bp(Round(b.bp, 6));
  out.set_ratio(Round(b.ratio(), 6));
  out.set_sys_len(b.sys_len);
  out.set_ref_len(b.ref_len);
  out.set_signature(b.Signature());
  return out;
}

// `tandem score --json`.
v1::ScoreOutput ScoreOutputOf(const ScoreReport& r) {
  v1::ScoreOutput out;
  out.set_hyp(r.hyp_path);
  for (const std::string& ref : r.ref_paths) out.add_refs(ref);
  if (!r.src_path.empty()) out.set_src(r.src_path);
  out.set_segments(r.segments);
  *out.mutable_bleu() = BleuOutput(r.bleu);
  v1::ScoreOutput::Chrf& chrf = *out.mutable_chrf();
  chrf.set_name(r.chrf.Name());
  chrf.set_score(Round(r.chrf.score, 4));
  chrf.set_char_order(r.chrf.char_order);
  chrf.set_beta(r.chrf.beta);
  chrf.set_signature(r.chrf.Signature());
  for (const BucketBleu& b : r.buckets) {
    v1::ScoreOutput::Bucket& bucket = *out.add_buckets();
    bucket.set_label(b.bucket.Label());
    bucket.set_min_words(b.bucket.min_words);
    if (b.bucket.max_words >= 0) bucket.set_max_words(b.bucket.max_words);
    bucket.set_segments(b.segments);
    *bucket.mutable_bleu() = BleuOutput(b.bleu);
  }
  return out;
}

// Sentences per Translate request (the coordinator's limit: TranslateRequest.sentences).
constexpr size_t kSentencesPerRequest = 64;

}  // namespace

// Training curves of a job as SVG: loss, validation BLEU, throughput over steps.
int RunPlot(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 1 || !a.Has("o")) {
    return Fail(ctx, absl::InvalidArgumentError("usage: tandem plot JOB_ID -o FILE.svg"));
  }
  const std::string id = a.positional[0];
  auto points = ctx.client->Metrics(id);
  if (!points.ok()) return Fail(ctx, points.status());
  PlotSeries loss{"train loss", "#1f77b4", {}, false};
  PlotSeries valid_loss{"valid loss", "#d62728", {}, true};
  PlotSeries bleu{"valid BLEU", "#2ca02c", {}, true};
  PlotSeries tps{"tokens/s", "#9467bd", {}, false};
  for (const auto& p : *points) {
    const double x = static_cast<double>(p.step());
    loss.points.push_back({x, p.loss()});
    tps.points.push_back({x, p.tokens_per_second()});
    if (p.has_validation()) {
      valid_loss.points.push_back({x, p.valid_loss()});
      bleu.points.push_back({x, p.valid_bleu()});
    }
  }
  const std::string svg =
      LineChartSvg(absl::StrCat("Tandem job ", id), "step",
                   {{"Loss (label-smoothed cross-entropy per target token)", {loss, valid_loss}},
                    {"Validation BLEU", {bleu}},
                    {"Throughput (target tokens/s, all workers)", {tps}}});
  if (absl::Status s = WriteFileAtomic(a.Get("o"), svg); !s.ok()) return Fail(ctx, s);
  if (ctx.json) {
    v1::PlotOutput plotted;
    plotted.set_file(a.Get("o"));
    plotted.set_points(points->size());
    *ctx.out << JsonObject(plotted) << "\n";
  } else {
    *ctx.out << "wrote " << a.Get("o") << " (" << points->size() << " steps)\n";
  }
  return kExitOk;
}

int RunDownload(const ParsedArgs& a, Context& ctx) {
  if (a.positional.size() != 2) {
    return Fail(ctx,
                absl::InvalidArgumentError("usage: tandem download JOB_ID DIR [--checkpoints]"));
  }
  auto bytes = ctx.client->DownloadModel(a.positional[0], a.positional[1], a.Has("checkpoints"));
  if (!bytes.ok()) return Fail(ctx, bytes.status());
  if (ctx.json) {
    v1::DownloadOutput downloaded;
    downloaded.set_dir(a.positional[1]);
    downloaded.set_bytes(*bytes);
    *ctx.out << JsonObject(downloaded) << "\n";
  } else {
    *ctx.out << "model of " << a.positional[0] << " written to " << a.positional[1] << " ("
             << *bytes << " bytes); try: tandem translate --model " << a.positional[1]
             << " \"a sentence\"\n";
  }
  return kExitOk;
}

int RunTrain(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("local") || a.positional.size() != 1 || !a.Has("out")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem train --local JOB_FILE --out DIR [--resume] [--threads N] "
                         "(distributed jobs: tandem submit)"));
  }
  std::vector<std::string> args = {"train", a.positional[0], "--out", a.Get("out")};
  if (a.Has("resume")) args.push_back("--resume");
  if (a.Has("threads")) args.insert(args.end(), {"--threads", a.Get("threads")});
  return ExecLocal(ctx, args);
}

// --job: translated by the coordinator (JobService.Translate); --model DIR: by tandem-local.
// Both take the same decoding flags (client/translate_flags.h) and print alike.
int RunTranslate(const ParsedArgs& a, Context& ctx) {
  if (a.Has("model") == a.Has("job")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem translate (--model DIR | --job JOB_ID) [--beam N] "
                         "[--length_penalty A] [--n_best N] [--replace_unk] [--bf16] [--int8] "
                         "[SENTENCE ...] (sentences from stdin if none)"));
  }
  v1::TranslateRequest options;
  if (absl::Status s = SetTranslateOptions(a, &options); !s.ok()) return Fail(ctx, s);
  if (a.Has("model")) {
    std::vector<std::string> args = {"translate", "--model", a.Get("model")};
    for (std::string& arg : TranslateArgs(a)) args.push_back(std::move(arg));
    args.push_back("--");
    args.insert(args.end(), a.positional.begin(), a.positional.end());
    return ExecLocal(ctx, args);
  }
  std::vector<std::string> sentences = a.positional;
  if (sentences.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) sentences.push_back(line);
  }
  if (sentences.empty()) return Fail(ctx, absl::InvalidArgumentError("no sentence to translate"));
  // Text output streams: each request's translations are printed as they come back, with
  // "translated N of M sentences" on stderr for inputs of more than one request (rewritten in
  // place on a terminal). JSON waits for the whole response.
  const bool tty = ctx.err == &std::cerr && ::isatty(2);
  v1::TranslateResponse all;
  for (size_t i = 0; i < sentences.size(); i += kSentencesPerRequest) {
    v1::TranslateRequest req = options;
    req.set_job_id(a.Get("job"));
    for (size_t j = i; j < std::min(sentences.size(), i + kSentencesPerRequest); ++j) {
      req.add_sentences(sentences[j]);
    }
    auto resp = ctx.client->Translate(req);
    if (!resp.ok()) {
      if (i == 0 || !absl::IsInvalidArgument(resp.status())) return Fail(ctx, resp.status());
      // The coordinator numbers sentences within a request: name the line overall.
      return Fail(ctx, absl::InvalidArgumentError(absl::StrCat(
                           "in sentences ", i + 1, "..", i + req.sentences_size(), ": ",
                           resp.status().message())));
    }
    all.set_model(resp->model());
    all.set_model_step(resp->model_step());
    if (ctx.json) {
      for (auto& t : *resp->mutable_translations()) *all.add_translations() = std::move(t);
      continue;
    }
    *ctx.out << FormatTranslations(*resp, i) << std::flush;
    PrintTranslateProgress(*ctx.err, tty, i + static_cast<size_t>(req.sentences_size()),
                           sentences.size(), kSentencesPerRequest);
  }
  if (ctx.json) {
    *ctx.out << JsonObject(all) << "\n";
    return kExitOk;
  }
  *ctx.err << "(" << all.model() << " model of job " << a.Get("job") << ", step "
           << all.model_step() << ")\n";
  return kExitOk;
}

int RunAttention(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("o") || a.positional.size() != 1 || a.Has("model") == a.Has("job")) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem attention (--model DIR | --job JOB_ID) -o FILE.svg "
                         "[--head N] \"SENTENCE\""));
  }
  auto head = HeadOf(a);
  if (!head.ok()) return Fail(ctx, head.status());
  if (a.Has("model")) {
    std::vector<std::string> args = {"attention", "--model", a.Get("model"), "-o", a.Get("o")};
    if (*head > 0) args.insert(args.end(), {"--head", a.Get("head")});
    args.insert(args.end(), {"--", a.positional[0]});
    return ExecLocal(ctx, args);
  }
  v1::TranslateRequest req;
  req.set_job_id(a.Get("job"));
  req.add_sentences(a.positional[0]);
  req.set_attention(true);
  req.set_heads(*head > 0);
  auto resp = ctx.client->Translate(req);
  if (!resp.ok()) return Fail(ctx, resp.status());
  if (resp->translations_size() != 1) {
    return Fail(ctx, absl::InternalError("the coordinator sent no translation"));
  }
  const v1::Translation& t = resp->translations(0);
  auto svg = AttentionSvgOf(t, *head, a.positional[0]);
  if (!svg.ok()) return Fail(ctx, svg.status());
  if (absl::Status s = WriteFileAtomic(a.Get("o"), *svg); !s.ok()) return Fail(ctx, s);
  if (ctx.json) {
    *ctx.out << JsonObject(*resp) << "\n";
  } else {
    *ctx.out << t.text() << "\n(attention heatmap"
             << (*head > 0 ? absl::StrCat(", head ", *head, " of ", t.head_count()) : "") << ": "
             << a.Get("o") << ")\n";
  }
  return kExitOk;
}

// Checkpoint averaging, by tandem-local (it reads the checkpoints with LibTorch).
int RunAverage(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("model") || !a.Has("o") || a.Has("last") == !a.positional.empty()) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem average --model DIR (--last N | CHECKPOINT ...) -o OUT"));
  }
  std::vector<std::string> args = {"average", "--model", a.Get("model"), "-o", a.Get("o")};
  if (a.Has("last")) args.insert(args.end(), {"--last", a.Get("last")});
  // After "--": a checkpoint file whose name begins with a dash is still a file.
  if (!a.positional.empty()) args.push_back("--");
  args.insert(args.end(), a.positional.begin(), a.positional.end());
  return ExecLocal(ctx, args);
}

// Scores a translation against references: local files, no coordinator involved.
int RunScore(const ParsedArgs& a, Context& ctx) {
  if (!a.Has("ref") || !a.Has("hyp") || !a.positional.empty()) {
    return Fail(ctx, absl::InvalidArgumentError(
                         "usage: tandem score --ref REF [--ref REF2 ...] --hyp HYP [--src SRC]"));
  }
  auto report = ScoreFiles(a.All("ref"), a.Get("hyp"), a.Get("src"));
  if (!report.ok()) return Fail(ctx, report.status());
  if (ctx.json) {
    *ctx.out << JsonObject(ScoreOutputOf(*report)) << "\n";
  } else {
    *ctx.out << FormatScoreReport(*report);
  }
  return kExitOk;
}

}  // namespace tandem::cli
