// tandem-local: single-process training and translation (client/local_commands.h). Flags are
// parsed by the commands; environment variables are read here only.
#include <string>
#include <vector>

#include "client/local_commands.h"
#include "common/environment.h"
#include "data/tokenizer.h"
#include "model/runtime.h"

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  tandem::SetSentencePieceModulePath(env.spm_module);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return tandem::LocalUsage();
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "train") {
    tandem::model::ReexecWithTrainingRuntime(argv, env);
    return tandem::LocalTrain(args);
  }
  if (command == "translate") return tandem::LocalTranslate(args);
  if (command == "attention") return tandem::LocalAttention(args);
  if (command == "average") return tandem::LocalAverage(args);
  return tandem::LocalUsage();
}
