// The user's git repository (libgit2): finding it, and the little state flor
// keeps inside its .git folder (never in the work tree).
//
// A Repo owns one libgit2 handle; it is movable, not copyable, and not
// thread-safe (one per thread, as libgit2 requires).
#pragma once

#include <memory>
#include <string>

#include "util/status.h"

struct git_repository;

namespace flor::git {

class Repo {
 public:
  // Opens the repository containing `path` (searching upward). A bare
  // repository or none at all is kFailedPrecondition with what to do.
  static Result<Repo> open(const std::string& path);

  const std::string& work_tree() const { return work_tree_; }  // no trailing '/'
  // The common .git folder (shared by linked worktrees), no trailing '/'.
  const std::string& common_dir() const { return common_dir_; }
  git_repository* raw() const { return repo_.get(); }

 private:
  struct Free {
    void operator()(git_repository* r) const;
  };
  std::unique_ptr<git_repository, Free> repo_;
  std::string work_tree_;
  std::string common_dir_;
};

// The work tree root of the repository that contains `path` (searching upward),
// or kFailedPrecondition "not inside a git repository: PATH".
Result<std::string> find_work_tree(const std::string& path);

// The experiment name last used by flor in this repository (.git/flor/last),
// kNotFound when none was used yet.
Result<std::string> read_last_name(const Repo& repo);
Status write_last_name(const Repo& repo, const std::string& name);

// libgit2's version, "1.5.1".
std::string libgit2_version();

// libgit2's last error as a Status: "<what>: <libgit2 message>".
Status last_git_error(const std::string& what);

}  // namespace flor::git
