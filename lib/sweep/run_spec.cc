#include "sweep/run_spec.h"

#include <algorithm>
#include <cstdlib>

#include "sweep/expand.h"

namespace flor::sweep {

std::vector<std::string> param_flags(const Json& params, FlagStyle style,
                                     const std::vector<std::string>& keys) {
  std::vector<std::string> flags;
  if (style == FlagStyle::kNone) return flags;
  for (const auto& [k, v] : params.items()) {
    bool wanted = keys.empty() ? k != "data_name" : std::find(keys.begin(), keys.end(), k) != keys.end();
    if (!wanted) continue;
    std::string flag = k;
    if (style == FlagStyle::kDashes) std::replace(flag.begin(), flag.end(), '_', '-');
    flags.push_back("--" + flag + "=" + value_text(v));
  }
  return flags;
}

std::map<std::string, std::string> param_env(const Json& params) {
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : params.items()) env[kEnvArgPrefix + k] = value_text(v);
  return env;
}

ChildSpec run_spec(const RunTemplate& t, const Entry& entry, const Slot& slot, const SweepLayout& layout) {
  ChildSpec spec;
  if (!t.flor_exe.empty()) {
    // flor run's own grace (3 s) ends before the scheduler's (5 s): stopping a
    // sweep, flor run kills its program and ends its run row, then exits itself.
    spec.argv = {t.flor_exe, "run", t.name, "--threads", std::to_string(slot_threads(slot)),
                 "--kill-after", "3", "--"};
  }
  spec.argv.insert(spec.argv.end(), t.command.begin(), t.command.end());
  for (std::string& f : param_flags(entry.params, t.flag_style, t.flag_keys))
    spec.argv.push_back(std::move(f));
  spec.env = slot.env;
  for (const auto& [k, v] : param_env(entry.params)) spec.env[k] = v;
  spec.env[kEnvSweep] = t.sweep_id;
  spec.env[kEnvSweepRun] = entry.folder;
  spec.env[kEnvRunIdFile] = layout.run_id_file(entry.folder);
  spec.stdout_path = layout.stdout_log(entry.folder);
  spec.stderr_path = layout.stderr_log(entry.folder);
  spec.cpus = slot.cpus;
  return spec;
}

std::optional<int64_t> parse_run_id(const std::string& text) {
  char* end = nullptr;
  long long id = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || id <= 0 || std::string(end) != "\n") return std::nullopt;
  return static_cast<int64_t>(id);
}

}  // namespace flor::sweep
