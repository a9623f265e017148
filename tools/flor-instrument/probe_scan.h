// Probe detection's half inside the TU: which flor::log calls each skip block
// contains (through visible callees too). Works on plain code (the blocks the
// instrumenter would create) and on manual-API code (the blocks the user
// wrote with flor::loop / flor::block), so a recorded version in either form
// compares with the current one. probes.h does the comparison.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "probes.h"
#include "tu_state.h"

namespace flor::instr {

std::map<std::string, std::vector<std::string>> scan_block_logs(const TuState& state);

// The functions of the main file with the logs each makes, those main()
// calls, and the step loop (plain or manual-API code alike).
LoopFacts scan_loop_facts(const TuState& state);

}  // namespace flor::instr
