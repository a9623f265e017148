// The code snapshot that `flor run` and `flor replay` commit to flor.shadow:
// the option that bounds it, what it tells the user, what the run row keeps of it.
#pragma once

#include <cstdint>
#include <string>

#include "args.h"
#include "git/shadow.h"
#include "store/run_info.h"

namespace flor::cli {

// --snapshot-max-size SIZE of `flor run` and `flor replay`, with the command's help for it.
inline constexpr const char* kSnapshotMaxSizeName = "--snapshot-max-size";
constexpr OptionSpec snapshot_max_size_option(const char* help) {
  return {kSnapshotMaxSizeName, nullptr, "SIZE", help};
}

// --snapshot-max-size SIZE (500K, 10M, 1G; 0 = no limit), else the default.
Result<int64_t> snapshot_max_bytes(const Args& args);

// Commits the work tree (FLOR_HOME `home` kept out) and says on stderr what a
// user would not expect: untracked files left out for their size, each with the
// .gitignore line that keeps it out quietly, and submodules held as a commit
// pointer only (one line). kUnreferenced: the shadow branch does not move.
Result<git::Snapshot> take_snapshot(const git::Repo& repo, const std::string& message, const std::string& home,
                                    int64_t max_bytes, git::Refs refs = git::Refs::kUpdate);

// A run's info (docs/store-format.md) gets "skipped" and "submodules" when the
// snapshot has any.
void add_snapshot_info(const git::Snapshot& snap, store::RunInfo* info);

}  // namespace flor::cli
