// Probes found automatically: the skip blocks that now contain flor::log calls
// the recorded version lacks. `flor replay` marks exactly those probed.
// And whether those names are all that must run, so that a step loop they do
// not name may be skipped whole (FLOR_PROBE_COMPLETE, docs/replay.md).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace flor::instr {

using BlockLogs = std::map<std::string, std::vector<std::string>>;  // block -> sorted log names

// Names of blocks in `current` whose log names (counted with repeats) are not
// all in the same block of `recorded`. A block new since the record counts as
// probed when it logs anything.
std::vector<std::string> probed_blocks(const BlockLogs& recorded, const BlockLogs& current);

// What one version of a file says about where its logs run (probe_scan.h).
struct LoopFacts {
  // Every function defined in the file ("name\ttype") -> the sorted names of
  // the flor::log calls it makes, its visible callees' included.
  BlockLogs function_logs;
  std::set<std::string> reached;  // the functions main() calls (visible callees), main() included
  std::string step_loop;          // the step loop's name; empty: the file has none
  std::string step_loop_text;     // its source text, as written
};

struct ProbeVerdict {
  bool complete = false;
  std::string why;  // when not complete: what may log in a loop the probes do not name
};

// The probes (`probed`, from probed_blocks) name every loop of this file that
// must run when each function that gained logs is one main() calls (so its
// new logs run where main's do: in a named block or loop, or outside the main
// loop) and the step loop, unless named, is as it was. A function that main()
// does not call (a file without main) may be called from inside the loop.
ProbeVerdict probe_verdict(const LoopFacts& recorded, const LoopFacts& current,
                           const std::vector<std::string>& probed);

}  // namespace flor::instr
