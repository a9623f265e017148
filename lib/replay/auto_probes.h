// Probes found automatically: when `flor replay` is given no --probe, the skip
// blocks that gained flor::log calls since the record are probed (they run;
// the others are skipped), so the new logs inside them get values.
//
// flor-instrument does the analysis: for each changed C++ file whose log lines
// changed, it parses the recorded and the current version with the flags from
// the build's compile_commands.json (found beside the program, or in the
// build/ of the folder that holds the current version) and names the blocks.
// What cannot be analyzed (a header, no compilation database, no
// flor-instrument) becomes a note telling the user to name the blocks with
// --probe; the replay goes on (a step loop then runs).
#pragma once

#include <string>
#include <vector>

#include "git/repo.h"

namespace flor::replay {

struct FoundProbes {
  std::vector<std::string> blocks;  // sorted, unique
  std::vector<std::string> notes;   // one line each, for stderr
  // `blocks` names every loop that must run, so a step loop it does not name
  // may be skipped (FLOR_PROBE_COMPLETE): every changed C++ file is a source
  // file flor-instrument analyzed, whose verdict (tools/flor-instrument/probes.h)
  // is that each function that gained logs is one main() calls and the step
  // loop, unless probed, is as it was; and one at least was analyzed (with no
  // line that logs changed, a replay is a check of the record: the loop runs).
  // Otherwise `why` says what stopped it.
  bool complete = false;
  std::string why;
};

// `record_vid` and `vid` are shadow-branch commits (the record's version and
// the replay's); `tree` is the folder that holds vid's files and their build
// (the work tree, or a past version's folder for --all-runs); `program` is
// the path of the command's argv[0], resolved.
FoundProbes find_probes(const git::Repo& repo, const std::string& record_vid, const std::string& vid,
                        const std::string& program, const std::string& tree);

}  // namespace flor::replay
