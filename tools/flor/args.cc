#include "args.h"

#include <algorithm>
#include <sstream>

#include "util/number.h"

namespace flor::cli {
namespace {

const OptionSpec* find_option(const std::vector<OptionSpec>& options, const std::string& word) {
  for (const OptionSpec& o : options) {
    if (word == o.name || (o.alias && word == o.alias)) return &o;
  }
  return nullptr;
}

Status unknown_option(const std::string& command, const std::string& word, const std::vector<OptionSpec>& options) {
  std::string near;
  size_t best = 3;
  for (const OptionSpec& o : options) {
    size_t d = edit_distance(word, o.name);
    if (d < best) best = d, near = o.name;
  }
  return invalid_argument(command + ": unknown option " + word +
                          (near.empty() ? "" : " (did you mean " + near + "?)") + "; see flor " + command +
                          " --help");
}

// An option given with a value it does not take, or without one it needs.
Status misused_option(const std::string& command, const std::string& key, const char* what) {
  return invalid_argument(command + ": " + key + " " + what + "; see flor " + command + " --help");
}

}  // namespace

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

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::list(const std::string& name) const {
  std::vector<std::string> out;
  auto it = values.find(name);
  if (it == values.end()) return out;
  for (const std::string& v : it->second) {
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

Result<std::optional<int>> Args::int_value(const std::string& name, int min, int max) const {
  auto v = value(name);
  if (!v) return std::optional<int>();
  FLOR_ASSIGN_OR_RETURN(int64_t n, parse_integer(name, *v, min, max));
  return std::optional<int>(static_cast<int>(n));
}

Result<std::optional<double>> Args::real_value(const std::string& name, double min, double max) const {
  auto v = value(name);
  if (!v) return std::optional<double>();
  FLOR_ASSIGN_OR_RETURN(double x, parse_real(name, *v, min, max));
  return std::optional<double>(x);
}

Result<Args> parse_args(const std::string& command, const std::vector<std::string>& words,
                        const std::vector<OptionSpec>& options) {
  Args args;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") {
      args.has_command = true;
      args.command.assign(words.begin() + static_cast<long>(i) + 1, words.end());
      break;
    }
    if (w.size() < 2 || w[0] != '-' || (w[1] >= '0' && w[1] <= '9')) {
      args.positional.push_back(w);
      continue;
    }
    std::string key = w, inline_value;
    bool has_inline = false;
    if (auto eq = w.find('='); eq != std::string::npos && w.rfind("--", 0) == 0) {
      key = w.substr(0, eq), inline_value = w.substr(eq + 1), has_inline = true;
    } else if (w[1] != '-' && w.size() > 2) {
      // "-j4": a short option's value stuck to it, as make and ninja take it.
      const OptionSpec* s = find_option(options, w.substr(0, 2));
      if (s && s->value) key = w.substr(0, 2), inline_value = w.substr(2), has_inline = true;
    }
    const OptionSpec* o = find_option(options, key);
    if (!o) return unknown_option(command, key, options);
    if (!o->value) {
      if (has_inline) return misused_option(command, key, "takes no value");
      args.values[o->name].push_back("");
      continue;
    }
    if (!has_inline) {
      if (i + 1 >= words.size() || words[i + 1] == "--") {
        return misused_option(command, key, "needs a value");
      }
      inline_value = words[++i];
    }
    args.values[o->name].push_back(inline_value);
  }
  return args;
}

Status expect_positionals(const std::string& command, const Args& args, const std::vector<std::string>& operands) {
  size_t min = 0, max = operands.size();
  for (const std::string& o : operands) min += o.front() == '[' ? 0 : 1;
  if (args.positional.size() < min) {
    return invalid_argument(command + ": missing " + operands[args.positional.size()] + "; see flor " + command +
                            " --help");
  }
  if (args.positional.size() > max) {
    return invalid_argument(command + ": unexpected argument '" + args.positional[max] +
                            "'; see flor " + command + " --help");
  }
  return Status();
}

}  // namespace flor::cli
