// tandem-local: the single-process mode. `train` prepares a job file's corpus and trains
// with the same Trainer a worker runs (a world of one); `translate` uses a trained model.
//
//   tandem-local train JOB_FILE --out DIR [--resume] [--threads N]
//   tandem-local translate --model DIR [--beam N] [SENTENCE ...]   (stdin if none)
//   tandem-local attention --model DIR -o FILE.svg SENTENCE
//
// Model directory: job.json (the spec), source.model, target.model, model.ckpt, and
// checkpoints/step-NNNNNNN.ckpt (the newest few).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "coordinator/preparer.h"
#include "data/corpus.h"
#include "data/sharding.h"
#include "model/attention_svg.h"
#include "model/runtime.h"
#include "worker/trainer.h"
#include "worker/translation.h"

namespace tandem {
namespace {

int Usage() {
  std::cerr << "usage:\n  tandem-local train JOB_FILE --out DIR [--resume] [--threads N]\n"
               "  tandem-local translate --model DIR [--beam N] [SENTENCE ...]\n"
               "  tandem-local attention --model DIR -o FILE.svg SENTENCE\n";
  return 2;
}

int Fail(const absl::Status& s) {
  std::cerr << "tandem-local: " << s.message() << "\n";
  return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

// Flag lookup for this small binary: "--name value" or "--name=value".
bool FlagValue(std::vector<std::string>& args, const std::string& name, std::string* value) {
  for (size_t i = 0; i < args.size(); ++i) {
    const bool short_form = name.size() == 1 && args[i] == "-" + name;
    if ((args[i] == "--" + name || short_form) && i + 1 < args.size()) {
      *value = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return true;
    }
    if (args[i].rfind("--" + name + "=", 0) == 0) {
      *value = args[i].substr(name.size() + 3);
      args.erase(args.begin() + static_cast<long>(i));
      return true;
    }
  }
  return false;
}

bool FlagBool(std::vector<std::string>& args, const std::string& name) {
  auto it = std::find(args.begin(), args.end(), "--" + name);
  if (it == args.end()) return false;
  args.erase(it);
  return true;
}

std::string CheckpointPath(const std::string& dir, int64_t step) {
  return absl::StrFormat("%s/checkpoints/step-%07d.ckpt", dir, step);
}


absl::Status CopyFile(const std::string& from, const std::string& to) {
  TANDEM_ASSIGN_OR_RETURN(std::string data, ReadFile(from));
  return WriteFileAtomic(to, data);
}

int Train(std::vector<std::string> args) {
  std::string out, threads_flag = "2";
  if (!FlagValue(args, "out", &out)) return Usage();
  FlagValue(args, "threads", &threads_flag);
  const bool resume = FlagBool(args, "resume");
  if (args.size() != 1) return Usage();
  int threads = 2;
  if (!absl::SimpleAtoi(threads_flag, &threads) || threads < 1) return Usage();
  auto spec = ParseJobFile(args[0]);
  if (!spec.ok()) return Fail(spec.status());
  ApplyDefaults(*spec);
  if (absl::Status s = ValidateSpec(*spec); !s.ok()) return Fail(s);
  if (absl::Status s = MakeDirs(out + "/checkpoints"); !s.ok()) return Fail(s);

  std::cerr << "preparing the corpus and training the tokenizer...\n";
  auto prepared = PrepareJob(*spec, out + "/prepared");
  if (!prepared.ok()) return Fail(prepared.status());
  const auto& r = prepared->report;
  std::cerr << r.kept_pairs() << " of " << r.input_pairs() << " pairs kept, " << r.valid_pairs()
            << " validation pairs, vocabularies " << r.source_vocab() << "/" << r.target_vocab()
            << "\n";
  for (const char* name : {"source.model", "target.model"}) {
    if (absl::Status s = CopyFile(out + "/prepared/tokenizer/" + name, out + "/" + name);
        !s.ok()) {
      return Fail(s);
    }
  }
  if (absl::Status s = WriteFileAtomic(out + "/job.json", SpecToJson(*spec)); !s.ok()) {
    return Fail(s);
  }

  TrainerConfig config;
  config.spec = *spec;
  config.source_model = out + "/source.model";
  config.target_model = out + "/target.model";
  // The job's data streams (one per worker it asks for, see Assignment.streams), all in
  // this process: the same updates as the distributed job.
  const uint32_t num_streams = std::max<uint32_t>(1, spec->workers().max());
  for (uint32_t s = 0; s < num_streams; ++s) {
    TrainerConfig::Stream stream;
    stream.id = s;
    for (uint32_t shard :
         ShardsForRank(static_cast<uint32_t>(prepared->shards.size()), s, num_streams)) {
      stream.shard_files.push_back(*ArtifactPath(out + "/prepared", ShardArtifactName(shard)));
    }
    if (!stream.shard_files.empty()) config.streams.push_back(std::move(stream));
  }
  if (r.valid_pairs() > 0) config.valid_file = out + "/prepared/valid.tsv";
  config.threads = threads;
  auto trainer = Trainer::Create(config);
  if (!trainer.ok()) return Fail(trainer.status());
  Trainer& t = **trainer;
  if (resume) {
    const auto ckpts = ListFiles(out + "/checkpoints", ".ckpt");
    if (!ckpts.empty()) {
      if (absl::Status s = t.LoadCheckpoint(ckpts.back()); !s.ok()) return Fail(s);
      std::cerr << "resumed from " << ckpts.back() << " at step " << t.step() << "\n";
    }
  }
  std::cerr << "model: " << t.NumParameters() << " parameters, " << spec->model().attention()
            << " attention\n";

  const auto& tr = spec->training();
  const bool tty = ::isatty(2);
  EarlyStopping early_stopping(tr.early_stopping_patience());
  double tokens = 0, seconds = 0;
  while (!t.Finished()) {
    auto step = t.Step();
    if (!step.ok()) return Fail(step.status());
    tokens += static_cast<double>(step->tokens);
    seconds += step->seconds;
    if (step->step % 10 == 0 || t.Finished()) {
      std::string line = absl::StrFormat("step %d  epoch %d  loss %.3f  lr %.2e  %.0f tok/s",
                                         step->step, step->epoch, step->loss, step->learning_rate,
                                         tokens / std::max(seconds, 1e-9));
      if (tr.max_steps() > 0) {
        const double per_step = seconds / static_cast<double>(step->step);
        absl::StrAppend(&line, absl::StrFormat(
                                   "  ETA %.0fs",
                                   per_step * static_cast<double>(tr.max_steps() - step->step)));
      }
      std::cerr << (tty ? "\r" : "") << line << (tty ? "   " : "\n") << std::flush;
    }
    const bool validate = !config.valid_file.empty() &&
                          (step->step % tr.validation_interval_steps() == 0 || t.Finished());
    if (validate) {
      auto v = t.Validate();
      if (!v.ok()) return Fail(v.status());
      std::cerr << (tty ? "\n" : "")
                << absl::StrFormat("validation at step %d: loss %.3f  BLEU %.2f (%d sentences)\n",
                                   step->step, v->loss, v->bleu, v->sentences);
      if (early_stopping.ShouldStop(v->bleu)) {
        std::cerr << "early stopping: no BLEU improvement in "
                  << early_stopping.bad_validations() << " validations\n";
        break;
      }
    }
    if (step->step % tr.checkpoint_interval_steps() == 0) {
      if (absl::Status s = t.SaveCheckpoint(CheckpointPath(out, step->step)); !s.ok()) {
        return Fail(s);
      }
      auto ckpts = ListFiles(out + "/checkpoints", ".ckpt");
      while (ckpts.size() > tr.checkpoints_kept()) {
        std::remove(ckpts.front().c_str());
        ckpts.erase(ckpts.begin());
      }
    }
  }
  if (tty) std::cerr << "\n";
  if (absl::Status s = t.SaveCheckpoint(out + "/model.ckpt"); !s.ok()) return Fail(s);
  std::cout << "model written to " << out << " (step " << t.step() << ")\n";
  return 0;
}

// Loads a model directory written by `train` (or by `tandem download`).
absl::StatusOr<std::unique_ptr<Trainer>> LoadModel(const std::string& dir) {
  return LoadTrainedModel(ModelPaths::InDirectory(dir), /*threads=*/2);
}

int Attention(std::vector<std::string> args) {
  std::string dir, out;
  if (!FlagValue(args, "model", &dir) || !FlagValue(args, "o", &out) || args.size() != 1) {
    return Usage();
  }
  if (absl::Status s = CheckTranslationInput(args[0], 1); !s.ok()) return Fail(s);
  auto trainer = LoadModel(dir);
  if (!trainer.ok()) return Fail(trainer.status());
  auto a = (*trainer)->Attention(args[0]);
  if (!a.ok()) return Fail(a.status());
  auto svg = AttentionHeatmapSvg(a->source_pieces, a->target_pieces, a->weights,
                                 args[0] + "  →  " + a->translation);
  if (!svg.ok()) return Fail(svg.status());
  if (absl::Status s = WriteFileAtomic(out, *svg); !s.ok()) return Fail(s);
  std::cout << a->translation << "\n(attention heatmap: " << out << ")\n";
  return 0;
}

int Translate(std::vector<std::string> args) {
  std::string dir, beam_flag = "5";
  if (!FlagValue(args, "model", &dir)) return Usage();
  FlagValue(args, "beam", &beam_flag);
  int beam = 5;
  if (!absl::SimpleAtoi(beam_flag, &beam) || beam < 1 || beam > kMaxBeamSize) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--beam: expected 1..", kMaxBeamSize)));
  }
  std::vector<std::string> sentences = args;
  if (sentences.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) sentences.push_back(line);
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (absl::Status s = CheckTranslationInput(sentences[i], i + 1); !s.ok()) return Fail(s);
  }
  auto trainer = LoadModel(dir);
  if (!trainer.ok()) return Fail(trainer.status());
  auto out = (*trainer)->Translate(sentences, beam);
  if (!out.ok()) return Fail(out.status());
  for (const auto& line : *out) std::cout << line << "\n";
  return 0;
}

}  // namespace
}  // namespace tandem

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return tandem::Usage();
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "train") {
    tandem::model::ReexecWithTrainingMalloc(argv);
    return tandem::Train(args);
  }
  if (cmd == "translate") return tandem::Translate(args);
  if (cmd == "attention") return tandem::Attention(args);
  return tandem::Usage();
}
