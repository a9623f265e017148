#include "sweep/rerun.h"

#include <algorithm>
#include <set>

namespace flor::sweep {

std::vector<Entry> entries_for(const Config& config, const std::vector<Permutation>& perms,
                               const Journal& journal) {
  std::vector<std::string> names = folder_names(config, perms);
  std::set<std::string> taken;
  int next_order = 0;
  for (const Entry* e : journal.entries()) {
    taken.insert(e->folder);
    next_order = std::max(next_order, e->order + 1);
  }
  std::vector<Entry> out;
  for (size_t i = 0; i < perms.size(); ++i) {
    if (const Entry* known = journal.find(perms[i].hash)) {
      out.push_back(*known);
      continue;
    }
    Entry e;
    e.hash = perms[i].hash;
    e.params = perms[i].params;
    // An edit can make a new permutation's name equal an older one's (a new
    // axis, a renamed key): the hash keeps folders apart.
    e.folder = taken.count(names[i]) ? names[i] + "_" + e.hash.substr(0, 8) : names[i];
    e.order = next_order++;
    taken.insert(e.folder);
    out.push_back(e);
  }
  return out;
}

bool wants_run(const Entry& entry, const Journal& journal, Rerun mode) {
  const Entry* known = journal.find(entry.hash);
  if (!known) return true;
  switch (known->state) {
    case RunState::kDone:
      return false;
    case RunState::kFailed:
      return mode == Rerun::kRetryFailed;
    case RunState::kPending:
    case RunState::kRunning:
    case RunState::kDropped:
      return mode == Rerun::kResume;
  }
  return false;
}

}  // namespace flor::sweep
