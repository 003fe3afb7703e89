// The decoding flags that `tandem translate` and `tandem-local translate` share, and how both
// print translations: one code path from flags to a TranslateRequest and from a
// TranslateResponse to text, whether the coordinator or a local model translates.
#ifndef TANDEM_CLIENT_TRANSLATE_FLAGS_H_
#define TANDEM_CLIENT_TRANSLATE_FLAGS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// "tandem: translated DONE of TOTAL sentences" on `err`, for inputs of more than one request:
// rewritten in place on a terminal (`tty`), one line each otherwise; a final newline on a
// terminal once DONE reaches TOTAL. Nothing for one request's worth.
void PrintTranslateProgress(std::ostream& err, bool tty, size_t done, size_t total,
                            size_t per_request);

// Largest --head accepted before the model is asked (job.proto ModelSpec.heads' limit).
inline constexpr int kMaxHeadFlag = 64;

// --head N of `tandem attention` and `tandem-local attention`: draw attention head N.
FlagSpec HeadFlag();

// The head --head asks for: 0 when it is absent (the average over heads), else 1..kMaxHeadFlag;
// INVALID_ARGUMENT naming --head otherwise. A request for a head needs
// TranslateRequest.heads.
absl::StatusOr<int> HeadOf(const ParsedArgs& a);

// The heatmap `tandem attention` writes for `sentence` and its translation `t` (the answer to
// an attention request): the weights averaged over heads when `head` is 0, else head `head`
// (1-based) of t.head_weights. INVALID_ARGUMENT naming --head and the valid range 1..head_count
// for a head the model lacks, or saying that the model has a single attention map (an RNN, or
// one head); INTERNAL when the weights do not fit the pieces.
absl::StatusOr<std::string> AttentionSvgOf(const v1::Translation& t, int head,
                                           const std::string& sentence);

}  // namespace tandem

#endif  // TANDEM_CLIENT_TRANSLATE_FLAGS_H_
