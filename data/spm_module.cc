// The SentencePiece module: the only translation unit that includes SentencePiece headers.
// No Abseil or gRPC headers here (SentencePiece's header declares absl::string_view, which
// clashes with Debian's Abseil). See spm_module_api.h for why this is a module.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "data/spm_module_api.h"

// Exported by libsentencepiece but not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

#define TANDEM_SPM_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

void SetError(const std::string& msg, char* err, size_t err_len) {
  if (err == nullptr || err_len == 0) return;
  std::strncpy(err, msg.c_str(), err_len - 1);
  err[err_len - 1] = '\0';
}

}  // namespace

TANDEM_SPM_EXPORT int tandem_spm_train(const char* args, char* err, size_t err_len) {
  // SentencePiece logs progress to std::cerr before it parses --minloglevel; keep job logs
  // quiet (errors still come back as statuses).
  sentencepiece::logging::SetMinLogLevel(100);
  const auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (!status.ok()) {
    SetError(status.ToString(), err, err_len);
    return 1;
  }
  return 0;
}

TANDEM_SPM_EXPORT void tandem_spm_set_seed(unsigned int seed) {
  sentencepiece::SetRandomGeneratorSeed(seed);
}

TANDEM_SPM_EXPORT void* tandem_spm_load(const char* path, char* err, size_t err_len) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  const auto status = sp->Load(path);
  if (!status.ok()) {
    SetError(status.ToString(), err, err_len);
    delete sp;
    return nullptr;
  }
  return sp;
}

TANDEM_SPM_EXPORT void tandem_spm_unload(void* handle) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}

TANDEM_SPM_EXPORT int tandem_spm_encode(void* handle, const char* text, size_t len, int** ids,
                                        size_t* n, char* err, size_t err_len) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  std::vector<int> out;
  const auto status = sp->Encode(std::string(text, len), &out);
  if (!status.ok()) {
    SetError(status.ToString(), err, err_len);
    return 1;
  }
  *n = out.size();
  *ids = static_cast<int*>(std::malloc(sizeof(int) * (out.empty() ? 1 : out.size())));
  if (!out.empty()) std::memcpy(*ids, out.data(), sizeof(int) * out.size());
  return 0;
}

TANDEM_SPM_EXPORT int tandem_spm_pieces(void* handle, const char* text, size_t len,
                                        char** pieces, size_t* bytes, size_t* n, char* err,
                                        size_t err_len) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  std::vector<std::string> out;
  const auto status = sp->Encode(std::string(text, len), &out);
  if (!status.ok()) {
    SetError(status.ToString(), err, err_len);
    return 1;
  }
  size_t total = 0;
  for (const auto& p : out) total += p.size() + 1;
  char* buf = static_cast<char*>(std::malloc(total == 0 ? 1 : total));
  size_t pos = 0;
  for (const auto& p : out) {
    std::memcpy(buf + pos, p.c_str(), p.size() + 1);
    pos += p.size() + 1;
  }
  *pieces = buf;
  *bytes = total;
  *n = out.size();
  return 0;
}

TANDEM_SPM_EXPORT int tandem_spm_decode(void* handle, const int* ids, size_t n, char** text,
                                        char* err, size_t err_len) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  std::string out;
  const auto status = sp->Decode(std::vector<int>(ids, ids + n), &out);
  if (!status.ok()) {
    SetError(status.ToString(), err, err_len);
    return 1;
  }
  *text = static_cast<char*>(std::malloc(out.size() + 1));
  std::memcpy(*text, out.c_str(), out.size() + 1);
  return 0;
}

TANDEM_SPM_EXPORT int tandem_spm_id_to_piece(void* handle, int id, char* out, size_t out_len) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  if (id < 0 || id >= sp->GetPieceSize()) return -1;
  SetError(sp->IdToPiece(id), out, out_len);
  return 0;
}

TANDEM_SPM_EXPORT int tandem_spm_vocab_size(void* handle) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(handle)->GetPieceSize();
}

TANDEM_SPM_EXPORT void tandem_spm_free_buffer(void* buffer) { std::free(buffer); }
