#include "data/preparer.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "common/log.h"
#include "common/status.h"
#include "data/corpus.h"
#include "data/sharding.h"
#include "data/tokenizer.h"

namespace tandem {
namespace {

using tandem::v1::JobSpec;

CorpusFiles TrainFiles(const JobSpec& spec) {
  return {spec.corpus().train_source(), spec.corpus().train_target(), spec.corpus().train_tsv()};
}

bool HasValid(const JobSpec& spec) {
  return !spec.corpus().valid_source().empty() || !spec.corpus().valid_tsv().empty();
}

CorpusFiles ValidFiles(const JobSpec& spec) {
  return {spec.corpus().valid_source(), spec.corpus().valid_target(), spec.corpus().valid_tsv()};
}

// Writes the source side, the target side, or both, of corpus.tsv as plain text for
// SentencePiece. side: 0 source, 1 target, 2 both.
absl::Status WriteSide(const std::string& tsv, const std::string& out_path, int side) {
  std::ifstream in(tsv, std::ios::binary);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!in || !out) return absl::InternalError(absl::StrCat("cannot write ", out_path));
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (side == 0 || side == 2) out << line.substr(0, tab) << '\n';
    if (side == 1 || side == 2) out << line.substr(tab + 1) << '\n';
  }
  out.close();
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", out_path));
}

absl::Status TrainOne(const JobSpec& spec, const std::string& input, const std::string& prefix,
                      bool soft_vocab_limit) {
  TokenizerTrainOptions o;
  o.hard_vocab_limit = !soft_vocab_limit;
  o.input_files = {input};
  o.model_prefix = prefix;
  o.vocab_size = static_cast<int>(spec.tokenizer().vocab_size());
  o.model_type = spec.tokenizer().model_type();
  o.character_coverage = spec.tokenizer().character_coverage();
  return TrainTokenizer(o);
}

}  // namespace

std::string ShardArtifactName(uint32_t index) { return absl::StrCat("shard/", index); }

absl::StatusOr<std::string> ArtifactPath(const std::string& job_dir, const std::string& name) {
  if (name == "source.model" || name == "target.model") {
    return absl::StrCat(job_dir, "/tokenizer/", name);
  }
  if (name == "valid.tsv") return absl::StrCat(job_dir, "/valid.tsv");
  if (name == "checkpoint") return absl::StrCat(job_dir, "/checkpoint.ckpt");
  uint32_t index;
  if (name.rfind("shard/", 0) == 0 && absl::SimpleAtoi(name.substr(6), &index)) {
    return absl::StrFormat("%s/shards/shard-%05d.tsv", job_dir, index);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown artifact '", name, "'"));
}

absl::Status CheckCorpus(const JobSpec& spec) {
  auto noop = [](absl::string_view, absl::string_view) { return absl::OkStatus(); };
  const uint32_t max_words = spec.corpus().max_words() ? spec.corpus().max_words() : 100;
  TANDEM_RETURN_IF_ERROR(ReadCorpus(TrainFiles(spec), max_words, noop).status());
  if (HasValid(spec)) {
    TANDEM_RETURN_IF_ERROR(
        Annotate(ReadCorpus(ValidFiles(spec), max_words, noop).status(), "validation set"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedJob> PrepareJob(const JobSpec& given, const std::string& job_dir,
                                       const std::vector<std::string>& auto_sized) {
  PreparedJob out;
  out.spec = given;
  const JobSpec& spec = out.spec;
  auto& report = out.report;
  TANDEM_RETURN_IF_ERROR(MakeDirs(job_dir + "/tokenizer"));
  TANDEM_RETURN_IF_ERROR(MakeDirs(job_dir + "/shards"));

  // 1. The prepared corpus.
  const std::string corpus_tsv = job_dir + "/corpus.tsv";
  TANDEM_ASSIGN_OR_RETURN(CorpusCounts counts,
                          PrepareCorpusTsv(TrainFiles(spec), spec.corpus().max_words(), corpus_tsv));
  report.set_input_pairs(counts.input_pairs);
  report.set_kept_pairs(counts.kept_pairs);
  report.set_dropped_empty(counts.dropped_empty);
  report.set_dropped_too_long(counts.dropped_too_long);
  report.set_crlf_stripped(counts.crlf_stripped);
  report.set_tabs_replaced(counts.tabs_replaced);
  if (HasValid(spec)) {
    auto valid = PrepareCorpusTsv(ValidFiles(spec), spec.corpus().max_words(),
                                  job_dir + "/valid.tsv");
    if (!valid.ok()) return Annotate(valid.status(), "validation set");
    report.set_valid_pairs(valid->kept_pairs);
    TANDEM_ASSIGN_OR_RETURN(out.artifacts["valid.tsv"], Sha256OfFile(job_dir + "/valid.tsv"));
  }
  TANDEM_LOG(INFO) << "prepared corpus " << corpus_tsv << ": " << counts.kept_pairs << " of "
                   << counts.input_pairs << " pairs kept";
  for (std::string& line : ChooseSizing(out.spec, auto_sized, counts.kept_pairs)) {
    TANDEM_LOG(INFO) << "chosen " << line;
    report.add_chosen(std::move(line));
  }
  const bool soft_vocab = std::find(auto_sized.begin(), auto_sized.end(),
                                    "tokenizer.vocab_size") != auto_sized.end();

  // 2. The tokenizer: one joint model, or one per language.
  const std::string tok = job_dir + "/tokenizer";
  if (spec.tokenizer().joint()) {
    TANDEM_RETURN_IF_ERROR(WriteSide(corpus_tsv, tok + "/joint.txt", 2));
    TANDEM_RETURN_IF_ERROR(TrainOne(spec, tok + "/joint.txt", tok + "/joint", soft_vocab));
    TANDEM_ASSIGN_OR_RETURN(std::string model, ReadFile(tok + "/joint.model"));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(tok + "/source.model", model));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(tok + "/target.model", model));
    std::remove((tok + "/joint.txt").c_str());
  } else {
    TANDEM_RETURN_IF_ERROR(WriteSide(corpus_tsv, tok + "/source.txt", 0));
    TANDEM_RETURN_IF_ERROR(WriteSide(corpus_tsv, tok + "/target.txt", 1));
    TANDEM_RETURN_IF_ERROR(
        Annotate(TrainOne(spec, tok + "/source.txt", tok + "/source", soft_vocab), "source side"));
    TANDEM_RETURN_IF_ERROR(
        Annotate(TrainOne(spec, tok + "/target.txt", tok + "/target", soft_vocab), "target side"));
    std::remove((tok + "/source.txt").c_str());
    std::remove((tok + "/target.txt").c_str());
  }
  for (const char* name : {"source.model", "target.model"}) {
    TANDEM_ASSIGN_OR_RETURN(out.artifacts[name], Sha256OfFile(tok + "/" + name));
  }
  TANDEM_ASSIGN_OR_RETURN(auto src_tok, Tokenizer::Load(tok + "/source.model"));
  TANDEM_ASSIGN_OR_RETURN(auto tgt_tok, Tokenizer::Load(tok + "/target.model"));
  report.set_source_vocab(static_cast<uint32_t>(src_tok->vocab_size()));
  report.set_target_vocab(static_cast<uint32_t>(tgt_tok->vocab_size()));

  // 3. The shards: contiguous line ranges of corpus.tsv.
  const uint32_t num_shards = ShardCountFor(counts.kept_pairs, spec.workers().max());
  const std::vector<LineRange> ranges = ShardRanges(counts.kept_pairs, num_shards);
  std::ifstream in(corpus_tsv, std::ios::binary);
  std::string line;
  for (uint32_t i = 0; i < num_shards; ++i) {
    std::string data;
    for (uint64_t k = 0; k < ranges[i].count && std::getline(in, line); ++k) {
      absl::StrAppend(&data, line, "\n");
    }
    TANDEM_ASSIGN_OR_RETURN(std::string path, ArtifactPath(job_dir, ShardArtifactName(i)));
    TANDEM_RETURN_IF_ERROR(WriteFileAtomic(path, data));
    tandem::v1::ShardInfo shard;
    shard.set_index(i);
    shard.set_first_line(ranges[i].first);
    shard.set_num_lines(ranges[i].count);
    shard.set_bytes(data.size());
    shard.set_sha256(Sha256Hex(data));
    out.shards.push_back(std::move(shard));
  }
  report.set_num_shards(num_shards);
  return out;
}

}  // namespace tandem
