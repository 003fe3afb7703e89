// The decoding flags that `tandem translate` and `tandem-local translate` share, and how both
// print translations: one code path from flags to a TranslateRequest and from a
// TranslateResponse to text, whether the coordinator or a local model translates.
#ifndef TANDEM_CLIENT_TRANSLATE_FLAGS_H_
#define TANDEM_CLIENT_TRANSLATE_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/flags.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

// --beam N, --length_penalty A, --n_best N, --replace_unk.
std::vector<FlagSpec> TranslateFlags();

// Sets the request's decoding options from those flags; INVALID_ARGUMENT naming the flag for
// a value that is not a number (ranges are checked where the request is answered).
absl::Status SetTranslateOptions(const ParsedArgs& a, v1::TranslateRequest* request);

// The same flags again, as command-line arguments (for `tandem translate --model`, which
// runs tandem-local).
std::vector<std::string> TranslateArgs(const ParsedArgs& a);

// Translations as `tandem translate` prints them: one line per sentence; with n-best lists,
// one line per candidate, best first, as Moses and Marian write them:
// "SENTENCE ||| TEXT ||| SCORE" (sentences numbered from `first`, 0-based).
std::string FormatTranslations(const v1::TranslateResponse& response, size_t first = 0);

}  // namespace tandem

#endif  // TANDEM_CLIENT_TRANSLATE_FLAGS_H_
