// tandem-local: the single-process commands behind `tandem train --local`,
// `tandem translate --model DIR`, `tandem attention --model DIR` and `tandem average`
// (LibTorch lives here, not in the `tandem` binary, which execs tandem-local for these).
//
//   tandem-local train JOB_FILE --out DIR [--resume] [--threads N]
//   tandem-local translate --model DIR [--beam N] [SENTENCE ...]   (stdin if none)
//   tandem-local attention --model DIR -o FILE.svg SENTENCE
//   tandem-local average --model DIR (--last N | CHECKPOINT ...) -o OUT
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
// Checkpoint averaging: OUT gets DIR's job.json and tokenizers and a model.ckpt whose weights
// are the element-wise mean of the checkpoints' model weights (inference/trained_model.h,
// AverageCheckpoints). --last N takes the newest N of DIR/checkpoints (more than there are is
// an error listing the steps there are); CHECKPOINT files (e.g. fetched from the dashboard's
// /api/jobs/<id>/checkpoints/<step>) must be of DIR's model shape. OUT may not be DIR.
int LocalAverage(const std::vector<std::string>& args);
int LocalUsage();

}  // namespace tandem

#endif  // TANDEM_CLIENT_LOCAL_COMMANDS_H_
