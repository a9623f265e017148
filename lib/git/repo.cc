#include "git/repo.h"

#include <git2.h>

#include <fstream>
#include <sstream>

#include "git/handles.h"
#include "util/durable_file.h"

namespace flor::git {

void ensure_init() {
  static const int kInitOnce = git_libgit2_init();
  (void)kInitOnce;
}

namespace {

std::string without_trailing_slash(std::string s) {
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string last_name_path(const Repo& repo) { return repo.common_dir() + "/flor/last"; }
}  // namespace

void Repo::Free::operator()(git_repository* r) const { git_repository_free(r); }

Status last_git_error(const std::string& what) {
  const git_error* e = git_error_last();
  return internal_error(what + ": " + (e && e->message ? e->message : "unknown libgit2 error"));
}

Result<Repo> Repo::open(const std::string& path) {
  ensure_init();
  git_buf root = GIT_BUF_INIT;
  if (git_repository_discover(&root, path.c_str(), 0, nullptr) != 0) {
    return failed_precondition("not inside a git repository: " + path +
                               " (run `git init` there first, or cd into your project)");
  }
  git_repository* raw = nullptr;
  int rc = git_repository_open(&raw, root.ptr);
  git_buf_dispose(&root);
  if (rc != 0) return last_git_error("cannot open the git repository at " + path);
  Repo repo;
  repo.repo_.reset(raw);
  const char* wd = git_repository_workdir(raw);
  if (!wd) return failed_precondition("the git repository at " + path + " is bare (no work tree)");
  repo.work_tree_ = without_trailing_slash(wd);
  repo.common_dir_ = without_trailing_slash(git_repository_commondir(raw));
  return repo;
}

Result<std::string> find_work_tree(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(Repo repo, Repo::open(path));
  return repo.work_tree();
}

Result<std::string> read_last_name(const Repo& repo) {
  std::ifstream in(last_name_path(repo));
  std::string name;
  if (!in || !std::getline(in, name) || name.empty()) {
    return not_found("no experiment was run with flor in " + repo.work_tree() +
                     " yet (give a NAME, or start with `flor run NAME -- CMD`)");
  }
  return name;
}

Status write_last_name(const Repo& repo, const std::string& name) {
  return write_file_atomic(last_name_path(repo), name + "\n");  // a concurrent reader never sees half a name
}

std::string libgit2_version() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev);
}

}  // namespace flor::git
