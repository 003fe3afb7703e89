// tandem: the command-line client. All logic is in commands.cc.
#include <iostream>
#include <string>
#include <vector>

#include "client/commands.h"
#include "common/environment.h"

int main(int argc, char** argv) {
  const tandem::MainEnvironment env = tandem::ApplyEnvironment();
  std::vector<std::string> args(argv + 1, argv + argc);
  return tandem::RunCli(args, std::cout, std::cerr, env);
}
