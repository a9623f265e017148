#include "snapshot.h"

#include <cstdio>

#include "context.h"
#include "util/number.h"

namespace flor::cli {
namespace {

constexpr size_t kMaxListed = 10;  // skipped files named one per line; the rest counted

void warn_skipped(const git::Snapshot& snap, int64_t max_bytes) {
  if (snap.skipped.empty()) return;
  std::fprintf(stderr,
               "flor: warning: %zu untracked file(s) over %s (%s) left out of the snapshot on flor.shadow:\n",
               snap.skipped.size(), format_bytes(max_bytes).c_str(), kSnapshotMaxSizeName);
  for (size_t i = 0; i < snap.skipped.size() && i < kMaxListed; ++i) {
    const git::SkippedFile& f = snap.skipped[i];
    std::fprintf(stderr, "flor:   %s (%s): add the line /%s to .gitignore or %s to keep it out quietly\n",
                 f.path.c_str(), format_bytes(f.bytes).c_str(), f.path.c_str(), git::kFlorIgnore);
  }
  if (snap.skipped.size() > kMaxListed) {
    std::fprintf(stderr, "flor:   and %zu more (the run's info lists them all: flor dump)\n", snap.skipped.size() - kMaxListed);
  }
}

void note_submodules(const git::Snapshot& snap) {
  if (snap.submodules.empty()) return;
  std::string list;
  for (const git::SubmoduleState& s : snap.submodules) {
    list += (list.empty() ? "" : ", ") + s.path + " at " + short_id(s.commit) +
            (s.dirty ? " (dirty: its uncommitted changes are not in the snapshot)" : "");
  }
  std::fprintf(stderr, "flor: note: submodules are snapshotted as a commit pointer only, not their files: %s\n",
               list.c_str());
}

}  // namespace

Result<int64_t> snapshot_max_bytes(const Args& args) {
  auto v = args.value(kSnapshotMaxSizeName);
  if (!v) return git::kDefaultSnapshotMaxBytes;
  return parse_size(kSnapshotMaxSizeName, *v);
}

Result<git::Snapshot> take_snapshot(const git::Repo& repo, const std::string& message, const std::string& home,
                                    int64_t max_bytes, git::Refs refs) {
  FLOR_ASSIGN_OR_RETURN(git::Snapshot snap, git::commit_snapshot(repo, {message, {home}, max_bytes, refs}));
  warn_skipped(snap, max_bytes);
  note_submodules(snap);
  return snap;
}

void add_snapshot_info(const git::Snapshot& snap, store::RunInfo* info) {
  for (const git::SkippedFile& f : snap.skipped) info->skipped.push_back({f.path, f.bytes});
  for (const git::SubmoduleState& s : snap.submodules) info->submodules.push_back({s.path, s.commit, s.dirty});
}

}  // namespace flor::cli
