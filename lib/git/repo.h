// Finding the user's git repository (libgit2). The shadow branch lives here too.
#pragma once

#include <string>

#include "util/status.h"

namespace flor::git {

// The work tree root of the repository that contains `path` (searching upward),
// or kFailedPrecondition "not inside a git repository: PATH".
Result<std::string> find_work_tree(const std::string& path);

// libgit2's version, "1.5.1".
std::string libgit2_version();

}  // namespace flor::git
