// tandem-local: the single-process commands behind `tandem train --local`,
// `tandem translate --model DIR` and `tandem attention --model DIR` (LibTorch lives here, not
// in the `tandem` binary, which execs tandem-local for these).
//
//   tandem-local train JOB_FILE --out DIR [--resume] [--threads N]
//   tandem-local translate --model DIR [--beam N] [SENTENCE ...]   (stdin if none)
//   tandem-local attention --model DIR -o FILE.svg SENTENCE
//
// Model directory: job.json (the spec, defaults applied), source.model, target.model,
// model.ckpt (the final model), checkpoints/step-NNNNNNN.ckpt (the newest
// training.checkpoints_kept) and prepared/ (the prepared corpus and shards).
#ifndef TANDEM_CLIENT_LOCAL_COMMANDS_H_
#define TANDEM_CLIENT_LOCAL_COMMANDS_H_

#include <string>
#include <vector>

namespace tandem {

// Each returns the process exit code: 0 ok, 2 bad input (usage, flags, job file), 1 other
// errors. Messages go to stderr, results to stdout.
int LocalTrain(const std::vector<std::string>& args);
int LocalTranslate(const std::vector<std::string>& args);
int LocalAttention(const std::vector<std::string>& args);
int LocalUsage();

}  // namespace tandem

#endif  // TANDEM_CLIENT_LOCAL_COMMANDS_H_
