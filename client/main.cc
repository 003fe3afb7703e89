// tandem: the command-line client. All logic is in commands.cc.
#include <iostream>
#include <string>
#include <vector>

#include "client/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return tandem::RunCli(args, std::cout, std::cerr);
}
