#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "git/repo.h"
#include "git/shadow.h"
#include "git_test_repo.h"

namespace flor::git {
namespace {

using test::TempRepo;

std::string snapshot(const TempRepo& t, const std::string& msg = "flor: test",
                     std::vector<std::string> exclude = {}) {
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  auto snap = commit_snapshot(*repo, SnapshotOptions{msg, std::move(exclude)});
  REQUIRE(snap.ok());
  return snap->commit;
}

// Everything a user could notice: HEAD, index bytes, refs of their branches, status.
std::string user_state(const TempRepo& t) {
  std::string state = test::slurp(t.path(".git/HEAD")) + "|" + test::slurp(t.path(".git/index"));
  state += "|" + t.git("status --porcelain=v1 --untracked-files=all");
  return state + "|" + t.git("for-each-ref refs/heads/main");
}

TEST_CASE("Repo::open finds the work tree from a subfolder and refuses a non-repo", "[git]") {
  TempRepo t;
  ::mkdir(t.path("sub").c_str(), 0755);
  auto repo = Repo::open(t.path("sub"));
  REQUIRE(repo.ok());
  CHECK(repo->work_tree() == t.dir());
  CHECK(repo->common_dir() == t.dir() + "/.git");
  auto none = Repo::open("/");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == Code::kFailedPrecondition);
  CHECK(none.status().message().find("not inside a git repository") != std::string::npos);
}

TEST_CASE("a snapshot of a repository without commits holds untracked files, not ignored ones", "[git]") {
  TempRepo t;
  t.write("train.cc", "int main() {}\n");
  t.write(".gitignore", "build/\n*.log\n");
  t.write("run.log", "noise\n");
  ::mkdir(t.path("build").c_str(), 0755);
  t.write("build/train", "binary\n");
  ::mkdir(t.path("src").c_str(), 0755);
  t.write("src/model.h", "#pragma once\n");
  std::string before = user_state(t);
  std::string id = snapshot(t);
  CHECK(id.size() == 40);
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == ".gitignore\nsrc/model.h\ntrain.cc\n");
  CHECK(t.git("show flor.shadow:train.cc") == "int main() {}\n");
  CHECK(user_state(t) == before);
  CHECK(t.git("rev-parse --verify -q HEAD").empty());  // still unborn
}

TEST_CASE("a snapshot takes the work tree's version of tracked files and leaves the user's state alone",
          "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  t.write("gone.txt", "bye\n");
  t.write("forced.log", "tracked though ignored\n");
  t.write(".gitignore", "*.log\n");
  t.git("add a.txt gone.txt .gitignore && git -c user.name=t -c user.email=t@t commit -qm init");
  t.git("add -f forced.log && git -c user.name=t -c user.email=t@t commit -qm forced");
  t.write("a.txt", "two\n");          // modified, unstaged
  t.write("staged.txt", "staged\n");  // staged new file
  t.git("add staged.txt");
  std::remove(t.path("gone.txt").c_str());  // deleted in the work tree
  t.write("script.sh", "#!/bin/sh\n");
  ::chmod(t.path("script.sh").c_str(), 0755);
  ::symlink("a.txt", t.path("link").c_str());
  std::string before = user_state(t);
  std::string head = t.git("rev-parse HEAD");

  snapshot(t);
  CHECK(t.git("ls-tree -r --name-only flor.shadow") ==
        ".gitignore\na.txt\nforced.log\nlink\nscript.sh\nstaged.txt\n");
  CHECK(t.git("show flor.shadow:a.txt") == "two\n");
  CHECK(t.git("ls-tree flor.shadow script.sh").rfind("100755", 0) == 0);
  CHECK(t.git("ls-tree flor.shadow link").rfind("120000", 0) == 0);
  CHECK(user_state(t) == before);
  CHECK(t.git("rev-parse HEAD") == head);
  CHECK(t.git("symbolic-ref HEAD") == "refs/heads/main\n");
}

TEST_CASE("snapshots chain on the shadow branch and work on a detached HEAD", "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  t.git("add a.txt && git -c user.name=t -c user.email=t@t commit -qm init");
  t.git("checkout -q --detach");
  std::string before = user_state(t);
  std::string first = snapshot(t, "flor: first");
  t.write("a.txt", "two\n");
  std::string second = snapshot(t, "flor: second");
  CHECK(t.git("rev-parse flor.shadow^") == first + "\n");
  CHECK(t.git("rev-parse flor.shadow") == second + "\n");
  CHECK(t.git("log -1 --format=%s flor.shadow") == "flor: second\n");
  CHECK(t.git("rev-parse --abbrev-ref HEAD") == "HEAD\n");  // still detached
  t.write("a.txt", "one\n");
  CHECK(user_state(t) == before);
}

TEST_CASE("excluded folders (a FLOR_HOME inside the repository) stay out of the snapshot", "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  ::mkdir(t.path(".flor").c_str(), 0755);
  t.write(".flor/flor.db", "store\n");
  snapshot(t, "m", {t.path(".flor")});
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == "a.txt\n");
}

Snapshot snapshot_with_limit(const TempRepo& t, int64_t max_bytes) {
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  auto snap = commit_snapshot(*repo, SnapshotOptions{"m", {}, max_bytes});
  REQUIRE(snap.ok());
  return *snap;
}

TEST_CASE("untracked files over the size limit stay out of the snapshot and are listed", "[git][snapshot]") {
  TempRepo t;
  const std::string big(2 << 20, 'x');  // 2 MiB against a 1 MiB limit
  ::mkdir(t.path("data").c_str(), 0755);
  t.write("data/big.bin", big);
  t.write("tracked.bin", std::string(2 << 20, 'z'));  // tracked: always taken
  t.git("add tracked.bin && git -c user.name=t -c user.email=t@t commit -qm init");
  t.write("train.cc", "int main() {}\n");
  t.write("exact.bin", std::string(1 << 20, 'y'));  // at the limit: kept

  Snapshot snap = snapshot_with_limit(t, 1 << 20);
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == "exact.bin\ntracked.bin\ntrain.cc\n");
  REQUIRE(snap.skipped.size() == 1);
  CHECK(snap.skipped[0].path == "data/big.bin");
  CHECK(snap.skipped[0].bytes == 2 << 20);
  // The skipped file's content was never written into .git.
  CHECK(t.git("cat-file -e $(git hash-object data/big.bin) && echo stored") != "stored\n");

  Snapshot unlimited = snapshot_with_limit(t, 0);
  CHECK(unlimited.skipped.empty());
  CHECK(t.git("ls-tree -r --name-only flor.shadow").find("data/big.bin\n") != std::string::npos);
}

TEST_CASE(".florignore keeps untracked files out of the snapshot, not tracked ones", "[git][snapshot]") {
  TempRepo t;
  t.write("kept.ckpt", "tracked\n");
  t.git("add kept.ckpt && git -c user.name=t -c user.email=t@t commit -qm init");
  t.write(".florignore", "# outputs\n*.ckpt\n/outputs/\n");
  ::mkdir(t.path("outputs").c_str(), 0755);
  t.write("outputs/sample.png", "png\n");
  t.write("model.ckpt", "weights\n");
  t.write("train.cc", "int main() {}\n");
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  REQUIRE(commit_snapshot(*repo, {"m", {}}).ok());
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == ".florignore\nkept.ckpt\ntrain.cc\n");
  // git itself still sees the files: the rules lived in flor's handle only, and only for that snapshot.
  CHECK(t.git("status --porcelain --untracked-files=all").find("?? model.ckpt") != std::string::npos);
  std::remove(t.path(".florignore").c_str());
  REQUIRE(commit_snapshot(*repo, {"m", {}}).ok());
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == "kept.ckpt\nmodel.ckpt\noutputs/sample.png\ntrain.cc\n");
}

TEST_CASE("a submodule is snapshotted as its checked-out commit, listed with whether it is dirty",
          "[git][snapshot]") {
  TempRepo dep;
  dep.write("lib.h", "int f();\n");
  dep.git("add lib.h && git -c user.name=t -c user.email=t@t commit -qm one");
  TempRepo t;
  t.write("train.cc", "int main() {}\n");
  t.git("-c protocol.file.allow=always submodule add -q '" + dep.dir() + "' libs/dep && "
        "git -c user.name=t -c user.email=t@t commit -qm 'with dep'");
  const std::string first = t.git("-C libs/dep rev-parse HEAD");

  Snapshot clean = snapshot_with_limit(t, kDefaultSnapshotMaxBytes);
  REQUIRE(clean.submodules.size() == 1);
  CHECK(clean.submodules[0].path == "libs/dep");
  CHECK(clean.submodules[0].commit + "\n" == first);
  CHECK_FALSE(clean.submodules[0].dirty);
  CHECK(t.git("ls-tree flor.shadow libs/dep") == "160000 commit " + clean.submodules[0].commit + "\tlibs/dep\n");

  // A new commit checked out in the submodule (not staged in the superproject) and an uncommitted edit.
  t.write("libs/dep/lib.h", "int f(int);\n");
  t.git("-C libs/dep -c user.name=t -c user.email=t@t commit -qam two");
  const std::string second = t.git("-C libs/dep rev-parse HEAD");
  t.write("libs/dep/lib.h", "int f(long);\n");
  Snapshot dirty = snapshot_with_limit(t, kDefaultSnapshotMaxBytes);
  REQUIRE(dirty.submodules.size() == 1);
  CHECK(dirty.submodules[0].commit + "\n" == second);
  CHECK(dirty.submodules[0].dirty);
  CHECK(t.git("ls-tree flor.shadow libs/dep") == "160000 commit " + dirty.submodules[0].commit + "\tlibs/dep\n");
  CHECK(t.git("ls-tree -r --name-only flor.shadow") == ".gitmodules\nlibs/dep\ntrain.cc\n");
}

TEST_CASE("concurrent snapshots all land on the shadow branch", "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  constexpr int kThreads = 4, kEach = 5;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto repo = Repo::open(t.dir());
      for (int k = 0; k < kEach; ++k) {
        if (!repo.ok() ||
            !commit_snapshot(*repo, {"t" + std::to_string(i) + "-" + std::to_string(k), {}}).ok()) {
          ++failures[static_cast<size_t>(i)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == std::vector<int>(kThreads, 0));
  CHECK(t.git("rev-list --count flor.shadow") == std::to_string(kThreads * kEach) + "\n");
}

TEST_CASE("export_tree writes a version's files; diff_commits shows what changed", "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  t.write("run.sh", "#!/bin/sh\n");
  ::chmod(t.path("run.sh").c_str(), 0755);
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  std::string first = snapshot(t);
  t.write("a.txt", "two\n");
  std::string second = snapshot(t);

  test::TempDir out;
  std::string dir = out / "tree/v1";
  REQUIRE(export_tree(*repo, first.substr(0, 10), dir).ok());
  CHECK(test::slurp(dir + "/a.txt") == "one\n");
  struct stat st {};
  REQUIRE(::stat((dir + "/run.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXUSR) != 0);

  auto diff = diff_commits(*repo, first, second);
  REQUIRE(diff.ok());
  CHECK(diff->find("-one\n+two\n") != std::string::npos);
  CHECK(diff_commits(*repo, first, first).value().empty());
  CHECK(resolve_commit(*repo, "nope").status().code() == Code::kNotFound);
  auto info = commit_info(*repo, second);
  REQUIRE(info.ok());
  CHECK(info->id == second);
  CHECK(info->time > 0);
}

TEST_CASE("changed_files lists added and modified files, file_at reads a version", "[git]") {
  TempRepo t;
  t.write("a.txt", "one\n");
  t.write("gone.txt", "bye\n");
  t.write("same.txt", "same\n");
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  std::string first = snapshot(t);
  t.write("a.txt", "two\n");
  ::mkdir(t.path("src").c_str(), 0755);
  t.write("src/new.cc", "int x;\n");
  ::unlink(t.path("gone.txt").c_str());
  std::string second = snapshot(t);

  CHECK(changed_files(*repo, first, second).value() == std::vector<std::string>{"a.txt", "src/new.cc"});
  CHECK(changed_files(*repo, second, second).value().empty());
  CHECK(file_at(*repo, first, "a.txt").value() == "one\n");
  CHECK(file_at(*repo, second, "src/new.cc").value() == "int x;\n");
  CHECK(file_at(*repo, first, "src/new.cc").status().code() == Code::kNotFound);
}

TEST_CASE("the last experiment name lives in .git/flor, not in the work tree", "[git]") {
  TempRepo t;
  auto repo = Repo::open(t.dir());
  REQUIRE(repo.ok());
  CHECK(read_last_name(*repo).status().code() == Code::kNotFound);
  REQUIRE(write_last_name(*repo, "mnist").ok());
  CHECK(read_last_name(*repo).value() == "mnist");
  CHECK(test::slurp(t.path(".git/flor/last")) == "mnist\n");
  CHECK(t.git("status --porcelain").empty());
}

}  // namespace
}  // namespace flor::git
