// A sweep configuration (docs/sweep.md): a JSON object whose array-valued keys
// are the axes of the sweep, the other keys fixed values, and `meta` the
// sweep's own settings. Parsing is strict: every error names the file and,
// for JSON syntax, the line and column.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace flor::sweep {

using Json = nlohmann::json;

enum class OnFailure { kContinue, kHalt };

// How the permutation's values are passed as command-line flags (they are
// always passed as FLOR_ARG_<key> environment variables too).
enum class FlagStyle {
  kKey,     // --batch_size=32 (the key as written)
  kDashes,  // --batch-size=32 (underscores become dashes)
  kNone,    // no flags: environment only
};

struct Meta {
  std::vector<Json> exclude_configs;  // objects: key -> value
  int max_parallel = 0;               // 0: one run per device slot
  bool allow_cpu = true;              // CPU slots when there is no GPU
  int retries = 0;                    // extra attempts of a failed run
  double timeout_s = 0;               // per attempt; 0 = none
  OnFailure on_failure = OnFailure::kContinue;
  bool mem_trace = false;
  double mem_trace_delay_s = 60;  // seconds between samples
  int runs_per_gpu = 1;           // >1 shares a GPU, only when asked
  int threads_per_run = 0;        // CPU slots: 0 = cores / slots
  FlagStyle flag_style = FlagStyle::kKey;
  // Flags for keys of the config that the program does not know (data_name,
  // data_dir...) would make a strict parser fail: only these keys become
  // flags when set ("flags": ["lr", "batch_size"]); empty = every key.
  std::vector<std::string> flag_keys;
};

struct Axis {
  std::string key;
  std::vector<Json> values;
};

struct Config {
  std::string data_name;        // the experiment name ("" when absent)
  Json fixed = Json::object();  // scalar keys, data_name included
  std::vector<Axis> axes;       // array-valued keys, sorted by key
  Meta meta;
  std::vector<std::string> warnings;  // e.g. an exclude rule naming an unknown key
};

// The keys `meta` accepts, in the order the error message lists them.
const std::vector<std::string>& known_meta_keys();

// Parses a config's text. `source` names it in errors ("sweep.json").
Result<Config> parse_config(const std::string& text, const std::string& source);
Result<Config> load_config(const std::string& path);

// 1-based line and column of a byte offset into `text`.
struct TextPos {
  int line = 1;
  int column = 1;
};
TextPos text_position(const std::string& text, size_t byte_offset);

}  // namespace flor::sweep
