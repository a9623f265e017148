// How one permutation is started: as `flor run NAME --threads T -- CMD
// --key=value...` (recorded: shadow-branch version, checkpoints, logs), or
// CMD directly when recording is off. Its values always go in the
// environment too, as FLOR_ARG_<key> (what flor::arg reads, docs/api.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sweep/child.h"
#include "sweep/journal.h"
#include "sweep/outputs.h"
#include "sweep/slots.h"

namespace flor::sweep {

inline constexpr const char* kEnvArgPrefix = "FLOR_ARG_";      // + key: flor::arg's override
inline constexpr const char* kEnvSweep = "FLOR_SWEEP";         // the sweep id (informational)
inline constexpr const char* kEnvSweepRun = "FLOR_SWEEP_RUN";  // the run's folder name

struct RunTemplate {
  std::string flor_exe;  // the flor binary; "" = run CMD without recording
  std::string name;      // experiment (data_name)
  std::string sweep_id;
  std::vector<std::string> command;  // CMD ARGS...
  FlagStyle flag_style = FlagStyle::kKey;
  std::vector<std::string> flag_keys;  // meta.flags; empty = every key but data_name
};

// "--lr=0.1" style flags for the permutation's values, keys sorted.
std::vector<std::string> param_flags(const Json& params, FlagStyle style,
                                     const std::vector<std::string>& keys);
// FLOR_ARG_<key> = value for every key.
std::map<std::string, std::string> param_env(const Json& params);
// The child for one attempt of `entry` on `slot`; logs in the run's folder.
ChildSpec run_spec(const RunTemplate& t, const Entry& entry, const Slot& slot, const SweepLayout& layout);

// The store run a `flor run` created, from the file it wrote (FLOR_RUN_ID_FILE):
// a positive integer and a newline; nullopt for anything else.
std::optional<int64_t> parse_run_id(const std::string& text);

}  // namespace flor::sweep
