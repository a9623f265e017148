// Probes found automatically: the skip blocks that now contain flor::log calls
// the recorded version lacks. `flor replay` marks exactly those probed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace flor::instr {

using BlockLogs = std::map<std::string, std::vector<std::string>>;  // block -> sorted log names

// Names of blocks in `current` whose log names (counted with repeats) are not
// all in the same block of `recorded`. A block new since the record counts as
// probed when it logs anything.
std::vector<std::string> probed_blocks(const BlockLogs& recorded, const BlockLogs& current);

}  // namespace flor::instr
