// Housekeeping of a checkpoint directory, for the driver (`flor gc`) and
// tests. No torch: these only read manifests and delete files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/env.h"
#include "util/status.h"

namespace flor::ckpt {

// Names of the checkpoints (manifest files) in `dir`, sorted. Temp files of
// unfinished writes are never listed. A file counts as a checkpoint when it
// starts with the manifest magic; it may still fail verify().
Result<std::vector<std::string>> list_checkpoints(const std::string& dir);

// Deletes from `dir` every checkpoint not named in `live_checkpoints` (file
// names in dir, or paths whose last component is one), every temp file left by
// a crashed write, and every pack that no live checkpoint references; a pack
// that is at least half dead bytes is rewritten with its live blobs only (the
// live checkpoints that use it are rewritten to point there). Returns the bytes
// freed (with dry_run, deletes and rewrites nothing and returns the bytes it
// would free). If a live checkpoint cannot be read (corrupt), nothing is deleted: its
// references are unknown. Must not run while a process records into `dir` (its
// newest pack is unreferenced until its manifest lands, and it may be about to
// reference blobs in a pack this rewrites). Every change goes through `env`; a
// crash between any two of its steps loses no live checkpoint.
Result<int64_t> collect_garbage(const std::string& dir, const std::vector<std::string>& live_checkpoints,
                                bool dry_run = false, Env* env = Env::posix());

}  // namespace flor::ckpt
