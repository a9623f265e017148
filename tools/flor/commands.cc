#include <algorithm>

#include "command.h"

namespace flor::cli {

Result<int> cmd_help(const std::vector<std::string>& args);

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"help", "show the commands, or one command's help", "usage: flor help [COMMAND]\n",
       Needs::kNothing, cmd_help},
  };
  return table;
}

const Command* find_command(const std::string& name) {
  for (const Command& c : commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string suggest_command(const std::string& name) {
  std::string best;
  size_t best_d = 3;  // farther than 2 edits is not a typo
  for (const Command& c : commands()) {
    size_t d = edit_distance(name, c.name);
    if (d < best_d) best_d = d, best = c.name;
  }
  return best;
}

}  // namespace flor::cli
