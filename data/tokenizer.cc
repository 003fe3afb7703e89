#include "data/tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <mutex>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/files.h"
#include "data/spm_module_api.h"

namespace tandem {
namespace {

constexpr size_t kErrLen = 1024;

struct SpmModule {
  void* dl = nullptr;
  std::string path;
  tandem_spm_train_fn train = nullptr;
  tandem_spm_set_seed_fn set_seed = nullptr;
  tandem_spm_load_fn load = nullptr;
  tandem_spm_unload_fn unload = nullptr;
  tandem_spm_encode_fn encode = nullptr;
  tandem_spm_pieces_fn pieces = nullptr;
  tandem_spm_decode_fn decode = nullptr;
  tandem_spm_id_to_piece_fn id_to_piece = nullptr;
  tandem_spm_vocab_size_fn vocab_size = nullptr;
  tandem_spm_free_buffer_fn free_buffer = nullptr;
};

std::mutex g_module_path_mu;
std::string* const g_module_path = new std::string;  // SetSentencePieceModulePath's; never freed

// Candidate locations, first match wins: SetSentencePieceModulePath's path, next to the
// executable, the install layout (<prefix>/lib/tandem/), the build tree.
std::vector<std::string> Candidates() {
  std::vector<std::string> out;
  {
    std::lock_guard<std::mutex> lock(g_module_path_mu);
    if (!g_module_path->empty()) out.push_back(*g_module_path);
  }
  const std::string dir = ExecutableDir();
  out.push_back(dir + "/libtandem_spm.so");
  out.push_back(dir + "/../lib/tandem/libtandem_spm.so");
#ifdef TANDEM_SPM_MODULE_BUILD_PATH
  out.push_back(TANDEM_SPM_MODULE_BUILD_PATH);
#endif
  return out;
}

}  // namespace

void SetSentencePieceModulePath(std::string path) {
  std::lock_guard<std::mutex> lock(g_module_path_mu);
  *g_module_path = std::move(path);
}

namespace {

absl::StatusOr<const SpmModule*> GetModule() {
  static std::once_flag once;
  static SpmModule module;
  static absl::Status load_status;
  std::call_once(once, [] {
    std::vector<std::string> tried;
    for (const std::string& path : Candidates()) {
      if (::access(path.c_str(), R_OK) != 0) {
        tried.push_back(path);
        continue;
      }
      void* dl = ::dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (dl == nullptr) {
        load_status = absl::InternalError(absl::StrCat("cannot load ", path, ": ", ::dlerror()));
        return;
      }
      module.dl = dl;
      module.path = path;
      bool ok = true;
      auto sym = [&](const char* name) {
        void* p = ::dlsym(dl, name);
        if (p == nullptr) ok = false;
        return p;
      };
      module.train = reinterpret_cast<tandem_spm_train_fn>(sym("tandem_spm_train"));
      module.set_seed = reinterpret_cast<tandem_spm_set_seed_fn>(sym("tandem_spm_set_seed"));
      module.load = reinterpret_cast<tandem_spm_load_fn>(sym("tandem_spm_load"));
      module.unload = reinterpret_cast<tandem_spm_unload_fn>(sym("tandem_spm_unload"));
      module.encode = reinterpret_cast<tandem_spm_encode_fn>(sym("tandem_spm_encode"));
      module.pieces = reinterpret_cast<tandem_spm_pieces_fn>(sym("tandem_spm_pieces"));
      module.decode = reinterpret_cast<tandem_spm_decode_fn>(sym("tandem_spm_decode"));
      module.id_to_piece =
          reinterpret_cast<tandem_spm_id_to_piece_fn>(sym("tandem_spm_id_to_piece"));
      module.vocab_size = reinterpret_cast<tandem_spm_vocab_size_fn>(sym("tandem_spm_vocab_size"));
      module.free_buffer =
          reinterpret_cast<tandem_spm_free_buffer_fn>(sym("tandem_spm_free_buffer"));
      if (!ok) load_status = absl::InternalError(absl::StrCat(path, " lacks a tandem_spm symbol"));
      return;
    }
    load_status = absl::NotFoundError(absl::StrCat(
        "SentencePiece module libtandem_spm.so not found; looked in: ", absl::StrJoin(tried, ", "),
        " (set TANDEM_SPM_MODULE to its path)"));
  });
  if (!load_status.ok()) return load_status;
  return &module;
}

// Rewrites SentencePiece's "Vocabulary size is too high (N). Please set it to a value <= M."
// into an error that names the job field.
absl::Status TrainError(const std::string& spm_error, int vocab_size) {
  const std::string marker = "Please set it to a value <= ";
  const size_t at = spm_error.find(marker);
  if (spm_error.find("Vocabulary size too high") != std::string::npos ||
      spm_error.find("Vocabulary size is too high") != std::string::npos ||
      spm_error.find("Vocabulary size is smaller than required_chars") != std::string::npos) {
    std::string limit;
    if (at != std::string::npos) {
      size_t p = at + marker.size();
      while (p < spm_error.size() && isdigit(static_cast<unsigned char>(spm_error[p]))) {
        limit += spm_error[p++];
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "tokenizer.vocab_size: ", vocab_size, " is larger than this corpus allows",
        limit.empty() ? "" : absl::StrCat(" (at most ", limit, ")"),
        "; lower it or give more text"));
  }
  return absl::InternalError(absl::StrCat("SentencePiece training failed: ", spm_error));
}

}  // namespace

absl::StatusOr<std::string> SpmModulePath() {
  auto module = GetModule();
  if (!module.ok()) return module.status();
  return (*module)->path;
}

absl::Status TrainTokenizer(const TokenizerTrainOptions& o) {
  auto module = GetModule();
  if (!module.ok()) return module.status();
  if (o.input_files.empty()) return absl::InvalidArgumentError("tokenizer: no input files");
  if (o.model_type != "unigram" && o.model_type != "bpe") {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer.model_type: '", o.model_type,
                                                   "' is not one of unigram, bpe"));
  }
  // The flag string is SentencePiece's own command-line syntax; paths with spaces or commas
  // would break it, so reject them.
  for (const auto& f : o.input_files) {
    if (f.find_first_of(" ,\t") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer input path must not contain spaces or commas: ", f));
    }
  }
  const std::string args = absl::StrCat(
      "--input=", absl::StrJoin(o.input_files, ","), " --model_prefix=", o.model_prefix,
      " --vocab_size=", o.vocab_size, " --model_type=", o.model_type,
      " --character_coverage=", o.character_coverage, " --pad_id=", kPadId, " --bos_id=", kBosId,
      " --eos_id=", kEosId, " --unk_id=", kUnkId, " --num_threads=", o.num_threads,
      " --input_sentence_size=2000000 --shuffle_input_sentence=true"
      " --max_sentence_length=65536 --hard_vocab_limit=", o.hard_vocab_limit ? "true" : "false",
      " --minloglevel=100");
  (*module)->set_seed(o.seed);
  char err[kErrLen] = {0};
  if ((*module)->train(args.c_str(), err, sizeof(err)) != 0) {
    return TrainError(err, o.vocab_size);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Load(const std::string& model_path) {
  auto module = GetModule();
  if (!module.ok()) return module.status();
  if (::access(model_path.c_str(), R_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read tokenizer model ", model_path));
  }
  char err[kErrLen] = {0};
  void* handle = (*module)->load(model_path.c_str(), err, sizeof(err));
  if (handle == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot load tokenizer model ", model_path, ": ", err));
  }
  return std::unique_ptr<Tokenizer>(new Tokenizer(handle));
}

Tokenizer::~Tokenizer() {
  auto module = GetModule();
  if (module.ok()) (*module)->unload(handle_);
}

absl::StatusOr<std::vector<int>> Tokenizer::Encode(absl::string_view text) const {
  const SpmModule* m = *GetModule();
  int* ids = nullptr;
  size_t n = 0;
  char err[kErrLen] = {0};
  if (m->encode(handle_, text.data(), text.size(), &ids, &n, err, sizeof(err)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer: ", err));
  }
  std::vector<int> out(ids, ids + n);
  m->free_buffer(ids);
  return out;
}

absl::StatusOr<std::vector<std::string>> Tokenizer::EncodePieces(absl::string_view text) const {
  const SpmModule* m = *GetModule();
  char* buf = nullptr;
  size_t bytes = 0, n = 0;
  char err[kErrLen] = {0};
  if (m->pieces(handle_, text.data(), text.size(), &buf, &bytes, &n, err, sizeof(err)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer: ", err));
  }
  std::vector<std::string> out;
  out.reserve(n);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(buf + pos);
    pos += out.back().size() + 1;
  }
  m->free_buffer(buf);
  return out;
}

absl::StatusOr<std::string> Tokenizer::Decode(const std::vector<int>& ids) const {
  const SpmModule* m = *GetModule();
  const int vocab = m->vocab_size(handle_);
  for (int id : ids) {
    if (id < 0 || id >= vocab) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokenizer: id ", id, " is outside the vocabulary [0, ", vocab, ")"));
    }
  }
  char* text = nullptr;
  char err[kErrLen] = {0};
  if (m->decode(handle_, ids.data(), ids.size(), &text, err, sizeof(err)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer: ", err));
  }
  std::string out(text);
  m->free_buffer(text);
  return out;
}

std::string Tokenizer::IdToPiece(int id) const {
  const SpmModule* m = *GetModule();
  char buf[512];
  if (m->id_to_piece(handle_, id, buf, sizeof(buf)) != 0) return absl::StrCat("<bad id ", id, ">");
  return buf;
}

int Tokenizer::vocab_size() const { return (*GetModule())->vocab_size(handle_); }

}  // namespace tandem
