// RAII owners for libgit2 objects, private to lib/git.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

namespace flor::git {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using IndexPtr = GitPtr<git_index, git_index_free>;
using StatusListPtr = GitPtr<git_status_list, git_status_list_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using SubmodulePtr = GitPtr<git_submodule, git_submodule_free>;

// libgit2 keeps global state: init once per process, never shut down (cheap, and
// it avoids ordering problems at exit).
void ensure_init();

// git_oid_tostr_s shares one buffer per thread: format into our own.
inline std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace flor::git
