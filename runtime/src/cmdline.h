// The training program's command line as flor sees it: flor's own flags
// (`--flor NAME [EPS]`, `--replay_flor [weak|strong] [P/N]`, taken out before
// the program parses argv) and the values of flor::arg flags.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/contract.h"
#include "util/status.h"

namespace flor::rt {

struct FlorFlags {
  std::optional<std::string> record_name;  // --flor NAME
  std::optional<double> eps;               // --flor NAME EPS
  bool replay = false;                     // --replay_flor
  std::optional<InitMode> init;
  std::optional<Segment> segment;
};

// Parses and removes flor's flags from `args` (args[0] is the program).
// Errors name the bad value: "--replay_flor 6/5: P must be between 1 and N (5)".
Result<FlorFlags> take_flor_flags(std::vector<std::string>& args);

// The value of --name=V or --name V in args (the last one wins).
std::optional<std::string> find_flag(const std::vector<std::string>& args, std::string_view name);

// This process's argv from /proc/self/cmdline (empty where unavailable).
std::vector<std::string> process_args();

}  // namespace flor::rt
