// The table of subcommands: each row lives in its cmd_<name>.cc;
// this file lists them in the order `flor help` shows them, and prints a row's
// --help (also its section of docs/cli.md, `flor help --markdown`).
#include <algorithm>
#include <sstream>

#include "command.h"

namespace flor::cli {

extern const Command kRunCommand, kReplayCommand, kShowCommand, kLsCommand, kLogCommand, kDumpCommand,
    kDiffCommand, kCheckoutCommand, kGcCommand, kExportCommand, kQueryCommand, kSweepCommand, kUiCommand,
    kReportCommand, kStoreCommand, kCompletionCommand, kHelpCommand;

const std::vector<const Command*>& commands() {
  static const std::vector<const Command*> kTable = {
      &kRunCommand,  &kReplayCommand,   &kShowCommand,       &kLsCommand,     &kLogCommand,   &kDumpCommand,
      &kDiffCommand, &kCheckoutCommand, &kGcCommand,         &kExportCommand, &kQueryCommand, &kSweepCommand,
      &kUiCommand,   &kReportCommand,   &kStoreCommand,      &kCompletionCommand, &kHelpCommand,
  };
  return kTable;
}

namespace {

constexpr size_t kWidth = 80;                               // help lines wrap before this column
constexpr size_t kMinHelpColumn = 16, kMaxHelpColumn = 20;  // where an option's help starts

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// `words` filled into lines of at most kWidth, the first after `first`, the
// others after `indent` spaces.
std::string fill(const std::vector<std::string>& words, std::string first, size_t indent) {
  std::string out, line = std::move(first);
  bool empty = true;
  for (const std::string& w : words) {
    if (!empty && line.size() + 1 + w.size() > kWidth) {
      out += line + "\n";
      line = std::string(indent, ' ') + w;
    } else {
      line += (line.empty() ? "" : " ") + w;
    }
    empty = false;
  }
  return out + line + "\n";
}

std::string spelling(const OptionSpec& o) {
  std::string s = o.alias ? std::string(o.alias) + ", " + o.name : std::string(o.name);
  return o.value ? s + " " + o.value : s;
}

// "usage: flor NAME OPERANDS [--opt V]... -- CMD [ARGS...]", wrapped under itself.
std::string synopsis(const Command& c) {
  const std::string head = std::string("usage: flor ") + c.name + " ";
  std::vector<std::string> words, tail;
  for (const std::string& w : words_of(c.operands)) {
    bool command = !tail.empty() || w == "--" || w == "[--";
    (command ? tail : words).push_back(w);
  }
  // "[-- CMD [ARGS...]]" is one group: kept on one line.
  std::string rest;
  for (const std::string& w : tail) rest += (rest.empty() ? "" : " ") + w;
  for (const OptionSpec& o : c.options)
    words.push_back("[" + std::string(o.name) + (o.value ? std::string(" ") + o.value : "") + "]");
  if (!rest.empty()) words.push_back(rest);
  return fill(words, head.substr(0, head.size() - 1), head.size());
}

std::string options_text(const Command& c) {
  // The help column: past the longest spelling that leaves it within
  // kMaxHelpColumn; a longer one gets its help on the next line.
  size_t column = kMinHelpColumn;
  for (const OptionSpec& o : c.options) {
    size_t end = 2 + spelling(o).size() + 2;
    if (end <= kMaxHelpColumn) column = std::max(column, end);
  }
  std::string out = "options:\n";
  for (const OptionSpec& o : c.options) {
    std::string left = "  " + spelling(o);
    if (left.size() + 2 <= column) {
      out += fill(words_of(o.help), left + std::string(column - left.size() - 1, ' '), column);
    } else {
      out += left + "\n" + fill(words_of(o.help), std::string(column - 1, ' '), column);
    }
  }
  return out;
}

}  // namespace

std::string usage_text(const Command& c) {
  std::string out = synopsis(c) + "\n" + c.about;
  if (!c.options.empty()) out += "\n" + options_text(c);
  if (*c.notes) out += std::string("\n") + c.notes;
  return out;
}

std::vector<std::string> operands_of(const Command& c) {
  std::vector<std::string> out;
  for (const std::string& w : words_of(c.operands)) {
    if (w == "--" || w == "[--") break;
    out.push_back(w);
  }
  return out;
}

const Command* find_command(const std::string& name) {
  for (const Command* c : commands()) {
    if (name == c->name) return c;
  }
  return nullptr;
}

std::string suggest_command(const std::string& name) {
  // "rep" -> "replay": a prefix is the best guess; of several ("replay",
  // "report"), the first row of the table (the commands used most come first).
  for (const Command* c : commands()) {
    if (!name.empty() && std::string(c->name).rfind(name, 0) == 0) return c->name;
  }
  std::string best;
  size_t best_d = 3;  // farther than 2 edits is not a typo
  for (const Command* c : commands()) {
    size_t d = edit_distance(name, c->name);
    if (d < best_d) best_d = d, best = c->name;
  }
  return best;
}

}  // namespace flor::cli
