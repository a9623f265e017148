// The driver's subcommands are rows of one table: one file per
// subcommand (cmd_<name>.cc) defines its function; commands.cc lists the rows.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace flor::cli {

// What a subcommand needs before it can run; main checks these up front so
// each command gets one clear line when they are missing.
enum class Needs { kNothing, kStore, kRepo, kStoreAndRepo };

// args: the words after the subcommand name. Returns the process exit code on
// success (a replayed program's own exit status, say) or an error for main to print.
using CommandFn = Result<int> (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;  // one line, for `flor help`
  const char* usage;    // full --help text: synopsis, options, examples
  Needs needs;
  CommandFn fn;
};

const std::vector<Command>& commands();
const Command* find_command(const std::string& name);
// The nearest command name by edit distance, or "" when nothing is close.
std::string suggest_command(const std::string& name);

}  // namespace flor::cli
