#include <cstdio>

#include "command.h"

namespace flor::cli {

Result<int> cmd_help(const std::vector<std::string>& args) {
  if (!args.empty()) {
    const Command* c = find_command(args[0]);
    if (!c) return invalid_argument("no such command: " + args[0] + " (see `flor help`)");
    std::fputs(c->usage, stdout);
    return 0;
  }
  std::printf("flor: hindsight logging for C++ LibTorch training\n\n"
              "usage: flor COMMAND [ARGS...]   (flor help COMMAND, or flor COMMAND --help)\n\n"
              "commands:\n");
  for (const Command& c : commands()) std::printf("  %-10s %s\n", c.name, c.summary);
  return 0;
}

}  // namespace flor::cli
