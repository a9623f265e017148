#include "git/shadow.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "git/handles.h"
#include "util/file.h"
#include "util/file_lock.h"

namespace flor::git {
namespace {

constexpr int kMaxRefRaces = 200;

// Tracked paths come from the user's index (read, never written); a path can
// appear once per conflict stage, hence the set.
Status add_tracked_paths(const Repo& repo, std::set<std::string>* paths) {
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo.raw()) != 0) return last_git_error("reading the git index");
  IndexPtr index(raw);
  for (size_t i = 0, n = git_index_entrycount(index.get()); i < n; ++i) {
    paths->insert(git_index_get_byindex(index.get(), i)->path);
  }
  return Status();
}

// .florignore's rules join the repository handle's in-memory ignore rules for
// as long as this lives (libgit2 keeps them per handle, never on disk).
class FlorIgnoreRules {
 public:
  static Result<FlorIgnoreRules> add(const Repo& repo) {
    std::ifstream in(repo.work_tree() + "/" + kFlorIgnore, std::ios::binary);
    std::string rules((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (rules.empty()) return FlorIgnoreRules(nullptr);
    if (git_ignore_add_rule(repo.raw(), rules.c_str()) != 0) {
      return last_git_error("reading " + repo.work_tree() + "/" + kFlorIgnore);
    }
    return FlorIgnoreRules(repo.raw());
  }
  FlorIgnoreRules(FlorIgnoreRules&& other) noexcept : repo_(std::exchange(other.repo_, nullptr)) {}
  FlorIgnoreRules& operator=(FlorIgnoreRules&&) = delete;
  ~FlorIgnoreRules() {
    if (repo_) git_ignore_clear_internal_rules(repo_);
  }

 private:
  explicit FlorIgnoreRules(git_repository* repo) : repo_(repo) {}
  git_repository* repo_;
};

// Untracked files that .gitignore and .florignore do not exclude, listed file by file.
Status add_untracked_paths(const Repo& repo, std::set<std::string>* paths) {
  FLOR_ASSIGN_OR_RETURN(FlorIgnoreRules rules, FlorIgnoreRules::add(repo));
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo.raw(), &opts) != 0) return last_git_error("listing untracked files");
  StatusListPtr list(raw);
  for (size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list.get(), i);
    if ((e->status & GIT_STATUS_WT_NEW) && e->index_to_workdir) {
      paths->insert(e->index_to_workdir->new_file.path);
    }
  }
  return Status();
}

bool excluded(const std::string& abs, const std::vector<std::string>& exclude) {
  for (const std::string& x : exclude) {
    if (abs == x || (abs.size() > x.size() && abs.compare(0, x.size(), x) == 0 && abs[x.size()] == '/')) {
      return true;
    }
  }
  return false;
}

// The submodule commit recorded in the user's index for a gitlink path.
const git_index_entry* user_gitlink(const Repo& repo, const std::string& path) {
  git_index* index = nullptr;
  if (git_repository_index(&index, repo.raw()) != 0) return nullptr;
  const git_index_entry* e = git_index_get_bypath(index, path.c_str(), 0);
  git_index_free(index);  // the repository keeps its own reference: e stays valid
  return e && e->mode == GIT_FILEMODE_COMMIT ? e : nullptr;
}

// The commit checked out in the submodule at `path` (`*id`: the user's index
// entry, replaced by the submodule's HEAD when it is checked out) and whether
// its work tree holds more than that commit.
SubmoduleState submodule_state(const Repo& repo, const std::string& path, git_oid* id) {
  SubmoduleState state;
  state.path = path;
  git_submodule* raw = nullptr;
  if (git_submodule_lookup(&raw, repo.raw(), path.c_str()) == 0) {
    SubmodulePtr sm(raw);
    if (const git_oid* head = git_submodule_wd_id(sm.get())) *id = *head;
    unsigned int flags = 0;
    if (git_submodule_status(&flags, repo.raw(), git_submodule_name(sm.get()), GIT_SUBMODULE_IGNORE_NONE) == 0) {
      state.dirty = (flags & (GIT_SUBMODULE_STATUS_WD_INDEX_MODIFIED | GIT_SUBMODULE_STATUS_WD_WD_MODIFIED |
                              GIT_SUBMODULE_STATUS_WD_UNTRACKED)) != 0;
    }
  }
  state.commit = oid_hex(*id);
  return state;
}

// Adds the work tree's current version of `path` to the private index. Files
// deleted from the work tree are simply absent from the snapshot.
Status add_work_file(const Repo& repo, const std::string& path, git_index* index, Snapshot* snap) {
  std::string abs = repo.work_tree() + "/" + path;
  struct stat st {};
  if (::lstat(abs.c_str(), &st) != 0) return Status();
  git_index_entry entry{};
  entry.path = path.c_str();
  if (S_ISDIR(st.st_mode)) {
    const git_index_entry* link = user_gitlink(repo, path);
    if (!link) return Status();
    entry.mode = GIT_FILEMODE_COMMIT;
    entry.id = link->id;
    snap->submodules.push_back(submodule_state(repo, path, &entry.id));
  } else {
    entry.mode = S_ISLNK(st.st_mode)      ? GIT_FILEMODE_LINK
                 : (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE
                                          : GIT_FILEMODE_BLOB;
    if (git_blob_create_from_workdir(&entry.id, repo.raw(), path.c_str()) != 0) {
      return last_git_error("reading " + abs);
    }
  }
  if (git_index_add(index, &entry) != 0) return last_git_error("adding " + path + " to the snapshot");
  return Status();
}

// The size of an untracked regular file over `max_bytes` (0: no limit), else nullopt.
std::optional<int64_t> oversized(const std::string& abs, int64_t max_bytes) {
  struct stat st {};
  if (max_bytes <= 0 || ::lstat(abs.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (static_cast<int64_t>(st.st_size) <= max_bytes) return std::nullopt;
  return static_cast<int64_t>(st.st_size);
}

// Builds the snapshot's tree; fills in what was skipped and the submodules.
Result<git_oid> write_work_tree(const Repo& repo, const SnapshotOptions& options, Snapshot* snap) {
  std::set<std::string> tracked, untracked;
  FLOR_RETURN_IF_ERROR(add_tracked_paths(repo, &tracked));
  FLOR_RETURN_IF_ERROR(add_untracked_paths(repo, &untracked));
  git_index* raw = nullptr;
  if (git_index_new(&raw) != 0) return last_git_error("creating a private index");
  IndexPtr index(raw);
  for (const std::set<std::string>* paths : {&tracked, &untracked}) {
    for (const std::string& path : *paths) {
      const std::string abs = repo.work_tree() + "/" + path;
      if (excluded(abs, options.exclude)) continue;
      if (paths == &untracked) {
        if (auto bytes = oversized(abs, options.max_untracked_bytes)) {
          snap->skipped.push_back({path, *bytes});
          continue;
        }
      }
      FLOR_RETURN_IF_ERROR(add_work_file(repo, path, index.get(), snap));
    }
  }
  git_oid tree;
  if (git_index_write_tree_to(&tree, index.get(), repo.raw()) != 0) {
    return last_git_error("writing the snapshot tree");
  }
  return tree;
}

// user.name/user.email when configured, else a fixed identity (
// git_signature_default fails without them, and a snapshot must not).
Result<SignaturePtr> signature(const Repo& repo) {
  git_signature* sig = nullptr;
  if (git_signature_default(&sig, repo.raw()) != 0 &&
      git_signature_now(&sig, "flor", "flor@localhost") != 0) {
    return last_git_error("creating a commit signature");
  }
  return SignaturePtr(sig);
}

// An exclusive flock on .git/flor/shadow.lock, released when destroyed (or when
// the process dies). One per call: flock locks belong to the open file, so
// threads of one process exclude each other too.
Result<FileLock> lock_shadow(const Repo& repo) {
  return FileLock::lock(repo.common_dir() + "/flor/shadow.lock");
}

bool is_ref_race(int rc) { return rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED; }

void backoff(int attempt) {
  thread_local std::minstd_rand rng(static_cast<unsigned>(::getpid()) * 7919u + attempt);
  std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % (1000UL * static_cast<unsigned long>(1 + attempt % 10))));
}

// One attempt: a commit on top of the tip we saw, then move the branch only if
// the tip is still that one. Returns GIT_EMODIFIED & co. when another process won.
int try_commit(const Repo& repo, const git_oid& tree_id, const git_signature* sig, const std::string& message,
               Refs refs, git_oid* out) {
  git_oid tip;
  bool has_tip = git_reference_name_to_id(&tip, repo.raw(), kShadowRef) == 0;
  git_tree* tree_raw = nullptr;
  if (git_tree_lookup(&tree_raw, repo.raw(), &tree_id) != 0) return -1;
  TreePtr tree(tree_raw);
  CommitPtr parent;
  if (has_tip) {
    git_commit* p = nullptr;
    if (git_commit_lookup(&p, repo.raw(), &tip) != 0) return -1;
    parent.reset(p);
  }
  const git_commit* parents[] = {parent.get()};
  if (git_commit_create(out, repo.raw(), nullptr, sig, sig, "UTF-8", message.c_str(), tree.get(),
                        has_tip ? 1 : 0, parents) != 0) {
    return -1;
  }
  if (refs == Refs::kUnreferenced) return 0;
  git_reference* ref = nullptr;
  int rc = has_tip
               ? git_reference_create_matching(&ref, repo.raw(), kShadowRef, out, 1, &tip, "flor: snapshot")
               : git_reference_create(&ref, repo.raw(), kShadowRef, out, 0, "flor: snapshot");
  git_reference_free(ref);
  return rc;
}

Result<CommitPtr> lookup_commit(const Repo& repo, const std::string& spec) {
  FLOR_ASSIGN_OR_RETURN(std::string id, resolve_commit(repo, spec));
  git_oid oid;
  git_oid_fromstr(&oid, id.c_str());
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo.raw(), &oid) != 0) return last_git_error("reading commit " + spec);
  return CommitPtr(c);
}

Result<TreePtr> commit_tree(const Repo& repo, const std::string& spec) {
  FLOR_ASSIGN_OR_RETURN(CommitPtr commit, lookup_commit(repo, spec));
  git_tree* t = nullptr;
  if (git_commit_tree(&t, commit.get()) != 0) return last_git_error("reading the tree of " + spec);
  return TreePtr(t);
}

Result<DiffPtr> diff_trees(const Repo& repo, const std::string& a, const std::string& b) {
  FLOR_ASSIGN_OR_RETURN(TreePtr ta, commit_tree(repo, a));
  FLOR_ASSIGN_OR_RETURN(TreePtr tb, commit_tree(repo, b));
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo.raw(), ta.get(), tb.get(), nullptr) != 0) {
    return last_git_error("diffing " + a + " and " + b);
  }
  return DiffPtr(raw);
}

struct ExportState {
  const Repo* repo;
  std::string dir;
  Status status;
};

Status export_blob(const Repo& repo, const git_tree_entry* entry, const std::string& path) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo.raw(), git_tree_entry_id(entry)) != 0)
    return last_git_error("reading " + path);
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
    if (::symlink(std::string(data, size).c_str(), path.c_str()) != 0) {
      return io_error("cannot create symlink " + path + ": " + std::strerror(errno));
    }
    return Status();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
  if (!out.flush()) return io_error("cannot write " + path);
  out.close();
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE) ::chmod(path.c_str(), 0755);
  return Status();
}

int export_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto* st = static_cast<ExportState*>(payload);
  std::string path = st->dir + "/" + root + git_tree_entry_name(entry);
  switch (git_tree_entry_type(entry)) {
    case GIT_OBJECT_TREE:
      st->status = make_dirs(path);
      break;
    case GIT_OBJECT_BLOB:
      st->status = export_blob(*st->repo, entry, path);
      break;
    default:  // a submodule: its commit is not in this repository
      st->status = make_dirs(path);
      break;
  }
  return st->status.ok() ? 0 : -1;
}

}  // namespace

Result<Snapshot> commit_snapshot(const Repo& repo, const SnapshotOptions& options) {
  Snapshot snap;
  FLOR_ASSIGN_OR_RETURN(git_oid tree, write_work_tree(repo, options, &snap));
  FLOR_ASSIGN_OR_RETURN(SignaturePtr sig, signature(repo));
  // flor processes take turns moving the branch (libgit2's compare-and-swap of a
  // loose ref can lose an update under contention); the compare-and-swap and its
  // retries below still guard against a plain `git` moving it meanwhile.
  FLOR_ASSIGN_OR_RETURN(FileLock lock, lock_shadow(repo));
  for (int attempt = 0; attempt < kMaxRefRaces; ++attempt) {
    git_oid commit;
    int rc = try_commit(repo, tree, sig.get(), options.message, options.refs, &commit);
    if (rc == 0) {
      snap.commit = oid_hex(commit);
      return snap;
    }
    if (!is_ref_race(rc)) return last_git_error(std::string("updating ") + kShadowRef);
    backoff(attempt);
  }
  return internal_error(std::string("updating ") + kShadowRef + ": gave up after " +
                        std::to_string(kMaxRefRaces) + " concurrent updates (retry)");
}

Result<std::string> resolve_commit(const Repo& repo, const std::string& spec) {
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo.raw(), spec.c_str()) != 0) {
    return not_found("no commit '" + spec + "' in " + repo.work_tree());
  }
  ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0) {
    return not_found("'" + spec + "' is not a commit");
  }
  ObjectPtr commit(peeled);
  return oid_hex(*git_object_id(commit.get()));
}

Status export_tree(const Repo& repo, const std::string& commit, const std::string& dir) {
  FLOR_ASSIGN_OR_RETURN(TreePtr tree, commit_tree(repo, commit));
  FLOR_RETURN_IF_ERROR(make_dirs(dir));
  ExportState state{&repo, dir, Status()};
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, export_entry, &state) != 0) {
    return state.status.ok() ? last_git_error("writing " + commit + " into " + dir) : state.status;
  }
  return Status();
}

Result<std::string> diff_commits(const Repo& repo, const std::string& a, const std::string& b) {
  FLOR_ASSIGN_OR_RETURN(DiffPtr diff, diff_trees(repo, a, b));
  git_buf buf = GIT_BUF_INIT;
  if (git_diff_to_buf(&buf, diff.get(), GIT_DIFF_FORMAT_PATCH) != 0)
    return last_git_error("formatting a diff");
  std::string out(buf.ptr, buf.size);
  git_buf_dispose(&buf);
  return out;
}

Result<std::vector<std::string>> changed_files(const Repo& repo, const std::string& a, const std::string& b) {
  FLOR_ASSIGN_OR_RETURN(DiffPtr diff, diff_trees(repo, a, b));
  std::vector<std::string> paths;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status != GIT_DELTA_DELETED) paths.push_back(d->new_file.path);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Result<std::string> file_at(const Repo& repo, const std::string& commit, const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(TreePtr tree, commit_tree(repo, commit));
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0) {
    return not_found("no file " + path + " in commit " + commit);
  }
  TreeEntryPtr entry(raw);
  git_blob* blob_raw = nullptr;
  if (git_blob_lookup(&blob_raw, repo.raw(), git_tree_entry_id(entry.get())) != 0) {
    return last_git_error("reading " + path + " in commit " + commit);
  }
  BlobPtr blob(blob_raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

Result<std::string> commit_files(const Repo& repo, const std::string& parent,
                                 const std::map<std::string, std::string>& files, const std::string& message,
                                 Refs refs) {
  FLOR_ASSIGN_OR_RETURN(CommitPtr base, lookup_commit(repo, parent));
  FLOR_ASSIGN_OR_RETURN(TreePtr base_tree, commit_tree(repo, parent));
  git_index* raw = nullptr;
  if (git_index_new(&raw) != 0) return last_git_error("creating an index");
  IndexPtr index(raw);
  if (git_index_read_tree(index.get(), base_tree.get()) != 0) return last_git_error("reading the tree of " + parent);
  for (const auto& [path, text] : files) {
    git_index_entry entry = {};
    entry.path = path.c_str();
    const git_index_entry* old = git_index_get_bypath(index.get(), path.c_str(), 0);
    entry.mode = old ? old->mode : GIT_FILEMODE_BLOB;
    if (git_blob_create_from_buffer(&entry.id, repo.raw(), text.data(), text.size()) != 0 ||
        git_index_add(index.get(), &entry) != 0) {
      return last_git_error("adding " + path + " to a commit");
    }
  }
  git_oid tree_id;
  if (git_index_write_tree_to(&tree_id, index.get(), repo.raw()) != 0) return last_git_error("writing a tree");
  git_tree* tree_raw = nullptr;
  if (git_tree_lookup(&tree_raw, repo.raw(), &tree_id) != 0) return last_git_error("reading a written tree");
  TreePtr tree(tree_raw);
  FLOR_ASSIGN_OR_RETURN(SignaturePtr sig, signature(repo));
  const git_commit* parents[] = {base.get()};
  git_oid id;
  if (git_commit_create(&id, repo.raw(), nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(), tree.get(), 1,
                        parents) != 0) {
    return last_git_error("committing on top of " + parent);
  }
  const std::string hex = oid_hex(id);
  if (refs == Refs::kUnreferenced) return hex;
  git_reference* ref = nullptr;
  const int rc = git_reference_create(&ref, repo.raw(), ("refs/flor/versions/" + hex).c_str(), &id, 1, "flor: version");
  git_reference_free(ref);
  if (rc != 0) return last_git_error("keeping commit " + hex + " (refs/flor/versions/)");
  return hex;
}

Result<CommitInfo> commit_info(const Repo& repo, const std::string& spec) {
  FLOR_ASSIGN_OR_RETURN(CommitPtr commit, lookup_commit(repo, spec));
  CommitInfo info;
  info.id = oid_hex(*git_commit_id(commit.get()));
  info.tree = oid_hex(*git_commit_tree_id(commit.get()));
  info.time = static_cast<int64_t>(git_commit_time(commit.get()));
  const char* summary = git_commit_summary(commit.get());
  info.summary = summary ? summary : "";
  return info;
}

}  // namespace flor::git
