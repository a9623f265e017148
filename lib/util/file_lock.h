// An exclusive flock on a file, for processes that must take turns (the shadow
// branch, a sweep's journal, the probe cache). No product code.
#pragma once

#include <string>

#include "util/status.h"

namespace flor {

// Opens `path` (created when missing, close-on-exec) and takes an exclusive
// flock on it. Returns the descriptor: the lock lasts until it is closed or the
// process dies. flock locks belong to the open file, so two calls in one
// process exclude each other too. wait = false: kFailedPrecondition at once
// when another holder has it; wait = true: blocks until it is free.
Result<int> lock_file(const std::string& path, bool wait);

}  // namespace flor
