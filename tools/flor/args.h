// Argument parsing shared by the subcommands: options declared as data, words
// after `--` kept verbatim as the command to run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::cli {

// One option of a subcommand, declared once: the parser reads it, and its
// --help, docs/cli.md and the shell completion are printed from it.
struct OptionSpec {
  const char* name;   // "--eps"
  const char* alias;  // "-j", or nullptr
  // What it takes: a placeholder ("E", "REF", "DIR", "PATH") or choices
  // ("table|csv|json"); nullptr for a flag. The completion offers run ids for
  // REF, folders for DIR, files for PATH, and the choices.
  const char* value;
  const char* help;  // one paragraph, wrapped when printed
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // by OptionSpec::name; flags map to {""}
  std::vector<std::string> command;                        // the words after `--`
  bool has_command = false;

  bool has(const std::string& name) const { return values.count(name) > 0; }
  // The last value given for `name`.
  std::optional<std::string> value(const std::string& name) const;
  // All values, with comma-separated lists split ("--probe a,b --probe c").
  std::vector<std::string> list(const std::string& name) const;
  // A number option within [min, max] (util/number.h: the whole text, plain
  // decimal, finite); nullopt when absent.
  Result<std::optional<int>> int_value(const std::string& name, int min, int max) const;
  Result<std::optional<double>> real_value(const std::string& name, double min, double max) const;
};

// `--opt value`, `--opt=value`, `-j 4`, `-j4`, flags, positionals in any order, `--` ends
// options. An unknown option is an error naming `command` and the nearest option.
Result<Args> parse_args(const std::string& command, const std::vector<std::string>& words,
                        const std::vector<OptionSpec>& options);

// The positionals `operands` allow (an optional one written [WORD]), else a
// usage error naming `command` and the operand missing or the word too many.
Status expect_positionals(const std::string& command, const Args& args, const std::vector<std::string>& operands);

// Levenshtein distance (the "did you mean" of commands and options).
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace flor::cli
