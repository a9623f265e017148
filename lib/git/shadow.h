// The shadow branch: every `flor run` and `flor replay` commits the work tree
// (tracked files plus untracked files that .gitignore does not exclude) to
// refs/heads/flor.shadow, without touching the user's HEAD, index, branch or
// files. The tree is built in a private in-memory index; the branch moves by
// compare-and-swap, so concurrent flor processes in one repository all land.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "git/repo.h"
#include "util/status.h"

namespace flor::git {

inline constexpr const char* kShadowRef = "refs/heads/flor.shadow";

struct SnapshotOptions {
  std::string message;               // commit message
  // Absolute paths (files or folders) kept out of the commit, e.g. a FLOR_HOME
  // that lives inside the work tree.
  std::vector<std::string> exclude;
};

// Commits the work tree on top of the shadow branch's tip; returns the new
// commit id (40 hex). Works on a repository without commits and on a detached HEAD.
Result<std::string> commit_snapshot(const Repo& repo, const SnapshotOptions& options);

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
