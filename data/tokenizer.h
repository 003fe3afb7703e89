// The SentencePiece seam. Everything SentencePiece does for Tandem goes through this header:
// the implementation loads libtandem_spm.so at run time (see spm_module_api.h for why).
//
// Special ids are fixed for every model Tandem trains: PAD 0, BOS 1, EOS 2, UNK 3.
#ifndef TANDEM_DATA_TOKENIZER_H_
#define TANDEM_DATA_TOKENIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tandem {

inline constexpr int kPadId = 0;
inline constexpr int kBosId = 1;
inline constexpr int kEosId = 2;
inline constexpr int kUnkId = 3;

struct TokenizerTrainOptions {
  std::vector<std::string> input_files;  // plain text, one sentence a line
  std::string model_prefix;              // writes <prefix>.model and <prefix>.vocab
  int vocab_size = 8000;
  std::string model_type = "unigram";  // "unigram" or "bpe"
  float character_coverage = 1.0f;
  int num_threads = 2;
  unsigned int seed = 1;  // same input + same seed = same model
  // false: vocab_size is an upper bound (a corpus too small for it gets the pieces it can
  // support) instead of an error.
  bool hard_vocab_limit = true;
};

// Trains a SentencePiece model. A vocabulary larger than the corpus allows is an
// InvalidArgument error naming tokenizer.vocab_size and the largest size allowed.
absl::Status TrainTokenizer(const TokenizerTrainOptions& options);

// A loaded SentencePiece model. Thread-safe for concurrent Encode/Decode calls.
class Tokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Load(const std::string& model_path);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  absl::StatusOr<std::vector<int>> Encode(absl::string_view text) const;
  absl::StatusOr<std::vector<std::string>> EncodePieces(absl::string_view text) const;
  absl::StatusOr<std::string> Decode(const std::vector<int>& ids) const;
  // The piece of an id ("▁the"); "<bad id N>" when out of range.
  std::string IdToPiece(int id) const;
  int vocab_size() const;

 private:
  explicit Tokenizer(void* handle) : handle_(handle) {}
  void* handle_;
};

// Makes `path` the first place libtandem_spm.so is looked for, before the executable's
// directory, the install layout (<prefix>/lib/tandem/) and the build tree; empty: none.
// Process-wide and effective only before the module is first needed (the first
// TrainTokenizer, Tokenizer::Load or SpmModulePath call loads it once): main() calls it with
// $TANDEM_SPM_MODULE (common/environment.h). Thread-safe.
void SetSentencePieceModulePath(std::string path);

// Where the module was found (for diagnostics); an error says where it was looked for.
absl::StatusOr<std::string> SpmModulePath();

}  // namespace tandem

#endif  // TANDEM_DATA_TOKENIZER_H_
