// Expanding a config into its permutations, and the names a permutation gets:
// a parameter hash (its identity across restarts and edits) and a folder name.
#pragma once

#include <string>
#include <vector>

#include "sweep/config.h"

namespace flor::sweep {

struct Permutation {
  Json params = Json::object();  // every key outside meta -> one value
  std::string hash;              // param_hash(params)
};

// Every combination of the axes (the first key, alphabetically, varies
// slowest) merged with the fixed keys, minus those an exclude rule matches.
// kInvalidArgument when nothing is left.
Result<std::vector<Permutation>> expand(const Config& config);

// True when every pair of `rule` equals the permutation's value (1 == 1.0).
bool matches_rule(const Json& params, const Json& rule);

// 16 hex digits over the canonical JSON of `params` (keys sorted): the same
// parameters give the same hash whatever the order of the config's keys or
// of dispatch.
std::string param_hash(const Json& params);

// A value as a flag or an environment variable sees it: strings unquoted,
// numbers in shortest round-trip form, anything else as compact JSON.
std::string value_text(const Json& value);

// "fmnist_bs32_lr0.1_optsgd": the experiment name, then each axis key,
// abbreviated (batch_size -> bs, optimizer -> opt), with its value. Names
// longer than kMaxFolderName are cut and end in part of the hash.
inline constexpr size_t kMaxFolderName = 80;
std::string folder_name(const Config& config, const Permutation& perm);

// Folder names for a whole expansion: folder_name, with the hash appended
// where two permutations would share a folder.
std::vector<std::string> folder_names(const Config& config, const std::vector<Permutation>& perms);

}  // namespace flor::sweep
