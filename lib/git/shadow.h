// The shadow branch: every `flor run` and `flor replay` commits the work tree
// (tracked files plus untracked files that .gitignore and .florignore do not
// exclude, up to a size limit) to
// refs/heads/flor.shadow, without touching the user's HEAD, index, branch or
// files. The tree is built in a private in-memory index; the branch moves by
// compare-and-swap, so concurrent flor processes in one repository all land.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "git/repo.h"
#include "util/status.h"

namespace flor::git {

inline constexpr const char* kShadowRef = "refs/heads/flor.shadow";

// Untracked files matching the patterns in this file at the work tree's root
// (gitignore syntax) stay out of snapshots, as .gitignore's do, while git
// still sees them.
inline constexpr const char* kFlorIgnore = ".florignore";
inline constexpr int64_t kDefaultSnapshotMaxBytes = int64_t{10} << 20;  // 10 MiB

// Whether a new commit is kept by a ref (kUpdate) or only written (kUnreferenced).
enum class Refs { kUpdate, kUnreferenced };

struct SnapshotOptions {
  std::string message;               // commit message
  // Absolute paths (files or folders) kept out of the commit, e.g. a FLOR_HOME
  // that lives inside the work tree.
  std::vector<std::string> exclude;
  // Untracked files larger than this many bytes are left out (and listed in
  // Snapshot::skipped): a data set or a model file would otherwise be copied into
  // .git on every run. 0 = no limit. Tracked files are always taken.
  int64_t max_untracked_bytes = kDefaultSnapshotMaxBytes;
  // kUnreferenced: the commit is written but the shadow branch does not move
  // (a dry run: nothing visible changes; git's gc prunes the objects).
  Refs refs = Refs::kUpdate;
};

struct SkippedFile {
  std::string path;  // relative to the work tree
  int64_t bytes = 0;
};

// A submodule is snapshotted as a commit pointer only: its files are not copied.
struct SubmoduleState {
  std::string path;    // relative to the work tree
  std::string commit;  // the commit checked out in it (40 hex), the pointer the snapshot holds
  bool dirty = false;  // its work tree has changes or untracked files that the pointer does not hold
};

struct Snapshot {
  std::string commit;  // the new commit on the shadow branch (40 hex)
  std::vector<SkippedFile> skipped;         // untracked files over the size limit, by path
  std::vector<SubmoduleState> submodules;   // by path
};

// Commits the work tree on top of the shadow branch's tip. Works on a
// repository without commits and on a detached HEAD.
Result<Snapshot> commit_snapshot(const Repo& repo, const SnapshotOptions& options);

// The full commit id for a full or abbreviated id (or any revspec git knows).
Result<std::string> resolve_commit(const Repo& repo, const std::string& spec);

// Writes the tree of `commit` into `dir` (created when missing; must be empty
// or absent). Does not touch the repository's index or work tree.
Status export_tree(const Repo& repo, const std::string& commit, const std::string& dir);

// A unified diff (git's patch format) from commit `a` to commit `b`; "" when the trees match.
Result<std::string> diff_commits(const Repo& repo, const std::string& a, const std::string& b);

// Paths (relative to the work tree) of files added or modified from commit `a`
// to commit `b`, sorted; deleted files are not listed.
Result<std::vector<std::string>> changed_files(const Repo& repo, const std::string& a, const std::string& b);

// The content of `path` (relative to the work tree) in `commit`; kNotFound
// when the commit has no such file.
Result<std::string> file_at(const Repo& repo, const std::string& commit, const std::string& path);

// A commit whose parent is `parent` and whose tree is the parent's with
// `files` (paths relative to the work tree -> contents) written over it; each
// keeps its file mode. With kUpdate it stays reachable through the ref
// refs/flor/versions/<its id>; the shadow branch does not move.
Result<std::string> commit_files(const Repo& repo, const std::string& parent,
                                 const std::map<std::string, std::string>& files, const std::string& message,
                                 Refs refs = Refs::kUpdate);

// Commit time (unix seconds) and first message line, for listings; the tree
// names the content (snapshots of the same files share it).
struct CommitInfo {
  std::string id;
  std::string tree;
  int64_t time = 0;
  std::string summary;
};
Result<CommitInfo> commit_info(const Repo& repo, const std::string& commit);

}  // namespace flor::git
