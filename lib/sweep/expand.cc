#include "sweep/expand.h"

#include <cctype>
#include <map>
#include <set>

#include "util/file.h"
#include "util/hash.h"

namespace flor::sweep {
namespace {

// Letters, digits and ._+- survive in a folder name; anything else becomes '-'.
std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '-';
    out += keep ? c : '-';
  }
  return out.empty() ? "-" : out;
}

// batch_size -> bs, learning-rate -> lr, optimizer -> opt, lr -> lr.
std::string abbreviate(const std::string& key) {
  std::string initials;
  bool start = true;
  for (char c : key) {
    if (c == '_' || c == '-') {
      start = true;
    } else if (start) {
      initials += c;
      start = false;
    }
  }
  if (initials.size() > 1) return initials;
  return key.size() <= 3 ? key : key.substr(0, 3);
}

// Abbreviations of the axes; colliding ones fall back to the full key.
std::map<std::string, std::string> axis_labels(const Config& config) {
  std::map<std::string, int> uses;
  for (const Axis& a : config.axes) ++uses[abbreviate(a.key)];
  std::map<std::string, std::string> labels;
  for (const Axis& a : config.axes) {
    std::string ab = abbreviate(a.key);
    labels[a.key] = sanitize(uses[ab] > 1 ? a.key : ab);
  }
  return labels;
}

}  // namespace

bool matches_rule(const Json& params, const Json& rule) {
  for (const auto& [k, v] : rule.items()) {
    if (!params.contains(k) || params.at(k) != v) return false;
  }
  return true;
}

std::string param_hash(const Json& params) {
  return fnv1a_hex(params.dump());  // nlohmann's object keeps keys sorted
}

std::string value_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

Result<std::vector<Permutation>> expand(const Config& config) {
  std::vector<Permutation> out;
  std::vector<size_t> index(config.axes.size(), 0);
  while (true) {
    Permutation p;
    p.params = config.fixed;
    for (size_t i = 0; i < config.axes.size(); ++i)
      p.params[config.axes[i].key] = config.axes[i].values[index[i]];
    bool excluded = false;
    for (const Json& rule : config.meta.exclude_configs) excluded = excluded || matches_rule(p.params, rule);
    if (!excluded) {
      p.hash = param_hash(p.params);
      out.push_back(std::move(p));
    }
    // Odometer step: the last axis varies fastest.
    size_t i = config.axes.size();
    while (i > 0 && ++index[i - 1] == config.axes[i - 1].values.size()) index[--i] = 0;
    if (i == 0) break;
  }
  if (out.empty())
    return invalid_argument(
        "the sweep expands to nothing: every permutation is excluded by meta.exclude_configs");
  return out;
}

std::string folder_name(const Config& config, const Permutation& perm) {
  std::map<std::string, std::string> labels = axis_labels(config);
  std::string name = sanitize(config.data_name.empty() ? "run" : config.data_name);
  for (const Axis& a : config.axes) {
    if (perm.params.contains(a.key))
      name += "_" + labels[a.key] + sanitize(value_text(perm.params.at(a.key)));
  }
  if (name.size() > kMaxFolderName) name = name.substr(0, kMaxFolderName - 9) + "_" + perm.hash.substr(0, 8);
  return name;
}

std::vector<std::string> folder_names(const Config& config, const std::vector<Permutation>& perms) {
  std::vector<std::string> names;
  std::map<std::string, std::set<std::string>> hashes_of;
  for (const Permutation& p : perms) {
    names.push_back(folder_name(config, p));
    hashes_of[names.back()].insert(p.hash);
  }
  for (size_t i = 0; i < perms.size(); ++i) {
    if (hashes_of[names[i]].size() > 1) names[i] += "_" + perms[i].hash.substr(0, 8);
  }
  return names;
}

}  // namespace flor::sweep
