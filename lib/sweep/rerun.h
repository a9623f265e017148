// Which permutations a sweep runs, given its journal: the decisions a restart,
// --retry-failed and a live edit of the config share.
#pragma once

#include <vector>

#include "sweep/expand.h"
#include "sweep/journal.h"

namespace flor::sweep {

enum class Rerun {
  kResume,       // run what never finished; skip done and failed runs
  kRetryFailed,  // run only the failed ones (and permutations never seen)
};

// Journal entries for the permutations: the journal's own entry (folder,
// state, attempts) when it has one, else a new pending entry whose folder is
// unique in the journal and whose order follows the journal's last.
std::vector<Entry> entries_for(const Config& config, const std::vector<Permutation>& perms,
                               const Journal& journal);

// Whether an entry (as entries_for returned it) must be queued.
bool wants_run(const Entry& entry, const Journal& journal, Rerun mode);

}  // namespace flor::sweep
