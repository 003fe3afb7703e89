#include "client/local_commands.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/strings/str_format.h"
#include "client/translate_flags.h"
#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/flags.h"
#include "data/epoch_accounting.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "data/preparer.h"
#include "data/sharding.h"
#include "inference/trained_model.h"
#include "inference/translate_request.h"
#include "training/trainer.h"
#include "training/training_loop.h"

namespace tandem {
namespace {

int Fail(const absl::Status& s) {
  std::cerr << "tandem-local: " << s.message() << "\n";
  return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

// Progress on stderr (one line rewritten in place on a terminal) and validations on their
// own lines. Checkpoints stay in DIR/checkpoints; the caller writes DIR/model.ckpt.
class TerminalObserver final : public TrainingObserver {
 public:
  explicit TerminalObserver(uint64_t max_steps) : max_steps_(max_steps), tty_(::isatty(2) != 0) {}
  ~TerminalObserver() override {
    if (tty_) std::cerr << "\n";
  }

  absl::Status OnCheckpoint(const std::string&, int64_t, bool) override { return absl::OkStatus(); }

  absl::StatusOr<bool> AfterStep(const StepReport& r) override {
    const StepStats& s = r.stats;
    seconds_ += s.seconds;
    if (s.step % 10 == 0 || r.last) {
      std::string line =
          absl::StrFormat("step %d  epoch %d  loss %.3f  lr %.2e  %.0f tok/s", s.step, s.epoch,
                          s.loss, s.learning_rate, r.tokens_per_second);
      if (max_steps_ > 0 && static_cast<uint64_t>(s.step) <= max_steps_) {
        const double per_step = seconds_ / static_cast<double>(s.step);
        absl::StrAppend(
            &line,
            absl::StrFormat("  ETA %.0fs", per_step * static_cast<double>(max_steps_ - s.step)));
      }
      std::cerr << (tty_ ? "\r" : "") << line << (tty_ ? "   " : "\n") << std::flush;
    }
    if (s.epoch_account.has_value()) {
      std::cerr << (tty_ ? "\n" : "") << DescribeEpochAccount(*s.epoch_account) << "\n";
    }
    if (r.validation.has_value()) {
      std::cerr << (tty_ ? "\n" : "")
                << absl::StrFormat("validation at step %d: loss %.3f  BLEU %.2f (%d sentences)\n",
                                   s.step, r.validation->loss, r.validation->bleu,
                                   r.validation->sentences);
    }
    if (r.early_stop) {
      std::cerr << "early stopping: no BLEU improvement in " << r.bad_validations
                << " validations\n";
    }
    if (r.time_up) std::cerr << "training.max_duration reached at step " << s.step << "\n";
    return false;
  }

 private:
  const uint64_t max_steps_;
  const bool tty_;
  double seconds_ = 0;
};

// Prepares the corpus under DIR/prepared (validation, SentencePiece, shards; the sizing of
// `auto_sized` chosen from it) and writes the model directory's job.json and tokenizers;
// returns the trainer's configuration.
absl::StatusOr<TrainerConfig> PrepareLocalJob(const v1::JobSpec& given, const std::string& out,
                                              int threads,
                                              const std::vector<std::string>& auto_sized) {
  std::cerr << "preparing the corpus and training the tokenizer...\n";
  TANDEM_ASSIGN_OR_RETURN(PreparedJob prepared, PrepareJob(given, out + "/prepared", auto_sized));
  const v1::JobSpec& spec = prepared.spec;
  const auto& r = prepared.report;
  std::cerr << r.kept_pairs() << " of " << r.input_pairs() << " pairs kept, " << r.valid_pairs()
            << " validation pairs, vocabularies " << r.source_vocab() << "/" << r.target_vocab()
            << "\n";
  for (const std::string& line : r.chosen()) std::cerr << "chosen: " << line << "\n";
  for (const char* name : {"source.model", "target.model"}) {
    TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(out + "/prepared/tokenizer/" + name));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(out + "/" + name, bytes));
  }
  TANDEM_RETURN_IF_ERROR(WriteFileAtomic(out + "/job.json", SpecToJson(spec)));
  TrainerConfig config;
  config.spec = spec;
  config.source_model = out + "/source.model";
  config.target_model = out + "/target.model";
  // The job's data streams (one per worker it asks for, see Assignment.streams), all in
  // this process: the same updates as the distributed job.
  const uint32_t num_streams = std::max<uint32_t>(1, spec.workers().max());
  const auto num_shards = static_cast<uint32_t>(prepared.shards.size());
  for (uint32_t s = 0; s < num_streams; ++s) {
    TrainerConfig::Stream stream;
    stream.id = s;
    for (uint32_t shard : ShardsForRank(num_shards, s, num_streams)) {
      TANDEM_ASSIGN_OR_RETURN(std::string path,
                              ArtifactPath(out + "/prepared", ShardArtifactName(shard)));
      stream.shard_files.push_back(std::move(path));
    }
    if (!stream.shard_files.empty()) config.streams.push_back(std::move(stream));
  }
  if (r.valid_pairs() > 0) config.valid_file = out + "/prepared/valid.tsv";
  config.threads = threads;
  return config;
}

absl::Status Train(const ParsedArgs& a) {
  if (a.positional.size() != 1 || !a.Has("out")) {
    return absl::InvalidArgumentError("usage: tandem-local train JOB_FILE --out DIR");
  }
  const std::string out = a.Get("out");
  TANDEM_ASSIGN_OR_RETURN(const int64_t threads, a.GetInt("threads", 1, 1024));
  TANDEM_ASSIGN_OR_RETURN(v1::JobSpec spec, ParseJobFile(a.positional[0]));
  const std::vector<std::string> auto_sized = SizingLeftOut(spec);
  ApplyDefaults(spec);
  TANDEM_RETURN_IF_ERROR(ValidateSpec(spec));
  TANDEM_ASSIGN_OR_RETURN(TrainerConfig config,
                          PrepareLocalJob(spec, out, static_cast<int>(threads), auto_sized));
  spec = config.spec;  // with the chosen sizing
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<Trainer> trainer, Trainer::Create(config));
  TrainingLoopOptions loop = TrainingLoopOptions::FromSpec(spec.training());
  loop.validate = !config.valid_file.empty();
  loop.checkpoint_dir = out + "/checkpoints";
  loop.checkpoints_kept = spec.training().checkpoints_kept();
  if (!spec.training().max_duration().empty()) {
    // Counted from this start (a resumed run gets the whole budget again).
    TANDEM_ASSIGN_OR_RETURN(absl::Duration budget,
                            ParseJobDuration("training.max_duration",
                                             spec.training().max_duration()));
    loop.deadline_unix_ms = absl::ToUnixMillis(absl::Now() + budget);
  }
  if (a.Has("resume")) {
    if (std::optional<CheckpointFile> newest = NewestCheckpoint(loop.checkpoint_dir)) {
      TANDEM_RETURN_IF_ERROR(trainer->LoadCheckpoint(newest->path));
      std::cerr << "resumed from " << newest->path << " at step " << trainer->step() << "\n";
    }
  }
  std::cerr << "model: " << trainer->NumParameters() << " parameters, "
            << (spec.model().architecture() == "transformer"
                    ? absl::StrCat("transformer ", spec.model().encoder_layers(), "+",
                                   spec.model().decoder_layers(), " layers")
                    : absl::StrCat(spec.model().attention(), " attention"))
            << "\n";
  {
    TerminalObserver observer(spec.training().max_steps());
    TANDEM_RETURN_IF_ERROR(RunTrainingLoop(*trainer, loop, observer).status());
  }
  // The final model: the trainer's state at the end (also when a resumed run had nothing
  // left to train).
  TANDEM_RETURN_IF_ERROR(trainer->SaveCheckpoint(out + "/model.ckpt"));
  std::cout << "model written to " << out << " (step " << trainer->step() << ")\n";
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<inference::TrainedModel>> LoadModel(const std::string& dir) {
  return inference::TrainedModel::Load(inference::ModelPaths::InDirectory(dir), /*threads=*/2);
}

// The same decoding flags and printing as `tandem translate --job` (client/translate_flags.h),
// answered by the same code as the coordinator's Translate (inference/translate_request.h).
absl::Status Translate(const ParsedArgs& a) {
  if (!a.Has("model")) {
    return absl::InvalidArgumentError(
        "usage: tandem-local translate --model DIR [--beam N] [--length_penalty A] [--n_best N] "
        "[--replace_unk] [--bf16] [--int8] [SENTENCE ...]");
  }
  v1::TranslateRequest options;
  TANDEM_RETURN_IF_ERROR(SetTranslateOptions(a, &options));
  std::vector<std::string> sentences = a.positional;
  if (sentences.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) sentences.push_back(line);
  }
  if (sentences.empty()) return absl::InvalidArgumentError("no sentence to translate");
  for (size_t i = 0; i < sentences.size(); ++i) {
    TANDEM_RETURN_IF_ERROR(inference::CheckTranslationInput(sentences[i], i + 1));
  }
  TANDEM_RETURN_IF_ERROR(inference::OptionsOf(options).status());  // before loading the model
  TANDEM_ASSIGN_OR_RETURN(auto model, LoadModel(a.Get("model")));
  const bool tty = ::isatty(2) != 0;
  for (size_t i = 0; i < sentences.size(); i += inference::kMaxTranslateSentences) {
    v1::TranslateRequest request = options;
    for (size_t j = i; j < std::min(sentences.size(), i + inference::kMaxTranslateSentences); ++j) {
      request.add_sentences(sentences[j]);
    }
    TANDEM_ASSIGN_OR_RETURN(v1::TranslateResponse response,
                            inference::TranslateWith(model->translator(), request));
    std::cout << FormatTranslations(response, i) << std::flush;
    PrintTranslateProgress(std::cerr, tty, i + static_cast<size_t>(request.sentences_size()),
                           sentences.size(), inference::kMaxTranslateSentences);
  }
  return absl::OkStatus();
}

absl::Status Attention(const ParsedArgs& a) {
  if (!a.Has("model") || !a.Has("o") || a.positional.size() != 1) {
    return absl::InvalidArgumentError(
        "usage: tandem-local attention --model DIR -o FILE.svg [--head N] SENTENCE");
  }
  const std::string& sentence = a.positional[0];
  TANDEM_RETURN_IF_ERROR(inference::CheckTranslationInput(sentence, 1));
  TANDEM_ASSIGN_OR_RETURN(const int head, HeadOf(a));
  TANDEM_ASSIGN_OR_RETURN(auto model, LoadModel(a.Get("model")));
  // The coordinator's request, answered here: one code path for both `tandem attention`s.
  v1::TranslateRequest request;
  request.add_sentences(sentence);
  request.set_attention(true);
  request.set_heads(head > 0);
  TANDEM_ASSIGN_OR_RETURN(v1::TranslateResponse response,
                          inference::TranslateWith(model->translator(), request));
  const v1::Translation& t = response.translations(0);
  TANDEM_ASSIGN_OR_RETURN(std::string svg, AttentionSvgOf(t, head, sentence));
  TANDEM_RETURN_IF_ERROR(WriteFileAtomic(a.Get("o"), svg));
  std::cout << t.text() << "\n(attention heatmap"
            << (head > 0 ? absl::StrCat(", head ", head, " of ", t.head_count()) : "") << ": "
            << a.Get("o") << ")\n";
  return absl::OkStatus();
}

// Averages checkpoints of the run in --model DIR (its newest --last N, or the files named)
// into the model directory -o OUT: DIR's job.json and tokenizers, and model.ckpt with the
// element-wise mean of the checkpoints' model weights.
absl::Status Average(const ParsedArgs& a) {
  if (!a.Has("model") || !a.Has("o") || a.Has("last") == !a.positional.empty()) {
    return absl::InvalidArgumentError(
        "usage: tandem-local average --model DIR (--last N | CHECKPOINT ...) -o OUT");
  }
  const std::string dir = a.Get("model");
  const std::string out = a.Get("o");
  std::vector<std::string> files = a.positional;
  std::vector<int64_t> steps;
  if (a.Has("last")) {
    TANDEM_ASSIGN_OR_RETURN(const int64_t last, a.GetInt("last", 1, 1000));
    const std::string checkpoint_dir = dir + "/checkpoints";
    const std::vector<CheckpointFile> kept = ListCheckpoints(checkpoint_dir);
    if (static_cast<size_t>(last) > kept.size()) {
      std::vector<std::string> have;
      for (const CheckpointFile& c : kept) have.push_back(absl::StrCat(c.step));
      return absl::InvalidArgumentError(absl::StrCat(
          "--last ", last, ": ", checkpoint_dir, " holds ", kept.size(), " checkpoint",
          kept.size() == 1 ? "" : "s",
          kept.empty() ? "" : absl::StrCat(" (steps ", absl::StrJoin(have, ", "), ")"),
          "; training keeps the newest training.checkpoints_kept"));
    }
    for (size_t i = kept.size() - static_cast<size_t>(last); i < kept.size(); ++i) {
      files.push_back(kept[i].path);
      steps.push_back(kept[i].step);
    }
  }
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(out, dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("-o ", out, " is the --model directory: the average would replace its "
                     "model.ckpt; write it to another directory"));
  }
  const inference::ModelPaths from = inference::ModelPaths::InDirectory(dir);
  const inference::ModelPaths to = inference::ModelPaths::InDirectory(out);
  // DIR's small files first (a missing one is an error before anything is written), then the
  // model file: a checkpoint of another shape or a broken one leaves OUT as it was (a directory
  // made for it is removed again), then the small files beside it.
  std::vector<std::pair<std::string, std::string>> copies;  // (destination, bytes)
  for (const auto& [src, dst] : {std::pair{from.job_json, to.job_json},
                                 std::pair{from.source_model, to.source_model},
                                 std::pair{from.target_model, to.target_model}}) {
    TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(src));
    copies.emplace_back(dst, std::move(bytes));
  }
  const bool made = !PathExists(out);
  TANDEM_RETURN_IF_ERROR(MakeDirs(out));
  absl::StatusOr<int64_t> step = inference::AverageCheckpoints(from, files, to.checkpoint);
  if (!step.ok()) {
    if (made) std::filesystem::remove(out, ec);  // only if still empty
    return step.status();
  }
  for (const auto& [dst, bytes] : copies) TANDEM_RETURN_IF_ERROR(WriteFileAtomic(dst, bytes));
  std::cout << "averaged " << files.size() << " checkpoint" << (files.size() == 1 ? "" : "s");
  if (!steps.empty()) std::cout << " (steps " << absl::StrJoin(steps, ", ") << ")";
  std::cout << " into " << to.checkpoint << " (step " << *step << ")\n";
  return absl::OkStatus();
}

int Run(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags,
        absl::Status (*command)(const ParsedArgs&)) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, flags);
  if (!parsed.ok()) return Fail(parsed.status());
  absl::Status s = command(*parsed);
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

int LocalTrain(const std::vector<std::string>& args) {
  return Run(args,
             {{"out", true, "model directory", "DIR"},
              {"resume", false, "continue from the newest checkpoint in DIR/checkpoints"},
              {"threads", true, "LibTorch threads", "N", "2"}},
             Train);
}

int LocalTranslate(const std::vector<std::string>& args) {
  std::vector<FlagSpec> flags = {{"model", true, "model directory", "DIR"}};
  for (FlagSpec& f : TranslateFlags()) flags.push_back(std::move(f));
  return Run(args, flags, Translate);
}

int LocalAttention(const std::vector<std::string>& args) {
  return Run(args,
             {{"model", true, "model directory", "DIR"}, {"o", true, "SVG file", "FILE"},
              HeadFlag()},
             Attention);
}

int LocalAverage(const std::vector<std::string>& args) {
  return Run(args,
             {{"model", true, "model directory (its job.json, tokenizers, checkpoints/)", "DIR"},
              {"last", true, "average the newest N checkpoints of DIR/checkpoints", "N"},
              {"o", true, "model directory to write", "OUT"}},
             Average);
}

int LocalUsage() {
  std::cerr << "usage:\n  tandem-local train JOB_FILE --out DIR [--resume] [--threads N]\n"
               "  tandem-local translate --model DIR [--beam N] [--length_penalty A] [--n_best N]\n"
               "      [--replace_unk] [SENTENCE ...]\n"
               "  tandem-local attention --model DIR -o FILE.svg [--head N] SENTENCE\n"
               "  tandem-local average --model DIR (--last N | CHECKPOINT ...) -o OUT\n";
  return 2;
}

}  // namespace tandem
