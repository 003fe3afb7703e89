// The corpus reader: the input becomes a TSV corpus, or (first byte odd) a Moses pair split
// at the first NUL byte, written to files and read with ReadCorpus as preparation does.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "data/corpus.h"
#include "fuzz/fuzz_target.h"

namespace {

// A private folder for the files, made once per process.
const std::string& Dir() {
  static const std::string dir = [] {
    std::string pattern = "/tmp/tandem-fuzz-corpus-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  return dir;
}

void Write(const std::string& path, const char* data, size_t size) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(data, static_cast<std::streamsize>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* text = reinterpret_cast<const char*>(data) + 1;
  const size_t n = size - 1;
  tandem::CorpusFiles files;
  if (data[0] % 2 == 0) {
    files.tsv = Dir() + "/corpus.tsv";
    Write(files.tsv, text, n);
  } else {
    const std::string all(text, n);
    const size_t nul = all.find('\0');
    files.source = Dir() + "/corpus.src";
    files.target = Dir() + "/corpus.tgt";
    Write(files.source, all.data(), nul == std::string::npos ? n : nul);
    if (nul == std::string::npos) {
      Write(files.target, "", 0);
    } else {
      Write(files.target, all.data() + nul + 1, n - nul - 1);
    }
  }
  const uint32_t max_words = 1 + data[0] / 2;
  size_t emitted = 0;
  auto counts = tandem::ReadCorpus(files, max_words,
                                   [&emitted](absl::string_view s, absl::string_view t) {
                                     if (s.empty() || t.empty()) std::abort();  // dropped, never emitted
                                     ++emitted;
                                     return absl::OkStatus();
                                   });
  if (counts.ok() && counts->kept_pairs != emitted) std::abort();
  return 0;
}
