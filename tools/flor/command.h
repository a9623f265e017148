// The driver's subcommands are rows of one table. Each
// cmd_<name>.cc defines its row, a Command: name, summary, operands, options
// with their help, what it needs, its function; commands.cc lists the rows.
// Everything a user reads about a command (--help, `flor help --markdown`,
// which is docs/cli.md, and the shell completion) is printed from its row, and
// main parses the command line with the same row, so they cannot drift apart.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "args.h"
#include "git/repo.h"
#include "store/store.h"
#include "util/status.h"

namespace flor::cli {

// What main opens before the command runs, so each command gets one clear
// line when it is missing and nothing is opened twice.
enum class NeedsRepo { kNo, kYes };  // the repository containing the current directory
enum class NeedsStore {
  kNo,
  kExperiment,  // the first operand NAME, else the experiment last used in the repository
  kRun,         // the first operand RUN (parse_run_spec): its experiment and the run
};

// What main hands a command. It owns what it opened; a command borrows it.
struct Context {
  Args args;                            // parsed with the row's options, operand count checked
  std::string home;                     // FLOR_HOME, absolute
  std::optional<git::Repo> repo;        // set when the row needs it
  std::unique_ptr<store::Store> store;  // set when the row needs an experiment or a run
  std::string name;                     // that experiment's name
  std::optional<store::Run> run;        // set when the row needs a run
};

// Returns the process exit code on success (a replayed program's own exit
// status, say) or an error for main to print.
using CommandFn = Result<int> (*)(Context& ctx);

struct Command {
  const char* name;
  const char* summary;   // one line, for `flor help`
  // The synopsis without its options, as a user types it: "NAME -- CMD [ARGS...]",
  // "[NAME] [P/N] [-- CMD [ARGS...]]", "RUN DIR". The options are printed
  // before the `--` part; the operands before it set how many main accepts
  // (one in [...] is optional) and what the completion offers (NAME, RUN, DIR,
  // COMMAND, a file name with a dot, choices a|b).
  const char* operands;
  const char* about;     // the text between the synopsis and the options
  std::vector<OptionSpec> options;
  const char* notes;     // the text after the options (environment, exit status, examples), or ""
  NeedsRepo needs_repo;
  NeedsStore needs_store;
  CommandFn fn;
};

const std::vector<const Command*>& commands();
const Command* find_command(const std::string& name);
// The nearest command name by edit distance, or "" when nothing is close.
std::string suggest_command(const std::string& name);

// The full --help text, from the row.
std::string usage_text(const Command& c);
// The operands before `--`, as written: {"[NAME]", "[P/N]"}, {"RUN", "DIR"}.
std::vector<std::string> operands_of(const Command& c);

}  // namespace flor::cli
