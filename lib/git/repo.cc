#include "git/repo.h"

#include <git2.h>

#include <memory>

namespace flor::git {
namespace {
// libgit2 keeps global state; init once per process, never shut down (cheap, and
// it avoids ordering problems at exit).
void ensure_init() {
  static const int once = git_libgit2_init();
  (void)once;
}
}  // namespace

Result<std::string> find_work_tree(const std::string& path) {
  ensure_init();
  git_buf root = GIT_BUF_INIT;
  if (git_repository_discover(&root, path.c_str(), 0, nullptr) != 0) {
    return failed_precondition("not inside a git repository: " + path +
                               " (run `git init` there first, or cd into your project)");
  }
  git_repository* repo = nullptr;
  int rc = git_repository_open(&repo, root.ptr);
  git_buf_dispose(&root);
  if (rc != 0) return failed_precondition("cannot open the git repository at " + path);
  std::unique_ptr<git_repository, void (*)(git_repository*)> owner(repo, git_repository_free);
  const char* wd = git_repository_workdir(repo);
  if (!wd) return failed_precondition("the git repository at " + path + " is bare (no work tree)");
  std::string out = wd;
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string libgit2_version() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev);
}

}  // namespace flor::git
