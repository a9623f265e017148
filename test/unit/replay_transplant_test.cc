// Carrying new log statements into past versions (lib/git/merge.h,
// lib/replay/transplant.h) over real git repositories.
#include <catch2/catch.hpp>

#include "git/merge.h"
#include "git/repo.h"
#include "git/shadow.h"
#include "git_test_repo.h"
#include "replay/transplant.h"

namespace flor::replay {
namespace {

using test::TempRepo;

// A training loop in three versions' shapes.
const char* const kV1 =
    "#include <flor/flor.h>\n"
    "int main() {\n"
    "  double lr = 0.1;\n"
    "  for (int e : flor::loop(\"epoch\", 0, 3)) {\n"
    "    train(lr);\n"
    "    flor::log(\"loss\", loss());\n"
    "  }\n"
    "}\n";

std::string commit_all(const TempRepo& t, const std::string& file, const std::string& text) {
  t.write(file, text);
  t.git("add -A && git -c user.name=t -c user.email=t@t commit -qm v");
  std::string id = t.git("rev-parse HEAD");
  return id.substr(0, id.find('\n'));
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

TEST_CASE("git: diff hunks applied all, none or some", "[git]") {
  const std::string a = "1\n2\n3\n4\n", b = "0\n1\n2x\n3\n3.5\n4\n";
  auto hunks = git::diff_hunks(a, b);
  REQUIRE(hunks.ok());
  REQUIRE(hunks->size() == 3);
  CHECK(git::apply_hunks(a, *hunks, [](const git::Hunk&) { return true; }) == b);
  CHECK(git::apply_hunks(a, *hunks, [](const git::Hunk&) { return false; }) == a);
  // only the insertions: before the first line and after line 3
  CHECK(git::apply_hunks(a, *hunks, [](const git::Hunk& h) { return h.old_lines == 0; }) == "0\n1\n2\n3\n3.5\n4\n");
}

TEST_CASE("replay: new log statements go into an older version, other changes stay out", "[replay]") {
  TempRepo t;
  const std::string v1 = commit_all(t, "train.cc", kV1);
  // The newest record's version changed the learning rate.
  const std::string base_text = replace(kV1, "double lr = 0.1;", "double lr = 0.05;");
  const std::string base = commit_all(t, "train.cc", base_text);
  // The work tree: a new log, and a change that is not one (it must not travel).
  std::string head_text = replace(base_text, "    flor::log(\"loss\", loss());\n",
                                  "    flor::log(\"loss\", loss());\n    flor::log(\"grad_norm\", grad_norm());\n");
  head_text = replace(head_text, "int main() {", "int main() {  // tidied");
  const std::string head = commit_all(t, "train.cc", head_text);
  auto repo = git::Repo::open(t.dir());
  REQUIRE(repo.ok());

  auto into_v1 = transplant_logs(*repo, base, head, v1, 1);
  INFO(into_v1.status().message());
  REQUIRE(into_v1.ok());
  CHECK(into_v1->conflict.empty());
  CHECK(into_v1->files == std::vector<std::string>{"train.cc"});
  const std::string want = replace(kV1, "    flor::log(\"loss\", loss());\n",
                                   "    flor::log(\"loss\", loss());\n    flor::log(\"grad_norm\", grad_norm());\n");
  CHECK(git::file_at(*repo, into_v1->commit, "train.cc").value() == want);  // lr = 0.1 kept, no "tidied"
  CHECK(t.git("rev-parse " + into_v1->commit + "^").substr(0, 40) == v1);  // its parent: the run's version
  CHECK(t.git("for-each-ref --format='%(refname)' refs/flor/versions/") ==
        "refs/flor/versions/" + into_v1->commit + "\n");
  CHECK(into_v1->diff.find("+    flor::log(\"grad_norm\", grad_norm());") != std::string::npos);

  // Into the base version itself: the statements alone.
  auto into_base = transplant_logs(*repo, base, head, base, 2);
  REQUIRE(into_base.ok());
  CHECK(git::file_at(*repo, into_base->commit, "train.cc").value() ==
        replace(base_text, "    flor::log(\"loss\", loss());\n",
                "    flor::log(\"loss\", loss());\n    flor::log(\"grad_norm\", grad_norm());\n"));
}

TEST_CASE("replay: a statement that does not fit a version is a conflict, shown", "[replay]") {
  TempRepo t;
  // The old version logged nothing where the statement hangs.
  const std::string old = commit_all(t, "train.cc", replace(kV1, "    flor::log(\"loss\", loss());\n", "    report();\n"));
  const std::string base = commit_all(t, "train.cc", kV1);
  const std::string head = commit_all(t, "train.cc", replace(kV1, "    flor::log(\"loss\", loss());\n",
                                                             "    flor::log(\"loss\", loss());\n    flor::log(\"g\", g());\n"));
  auto repo = git::Repo::open(t.dir());
  REQUIRE(repo.ok());
  auto r = transplant_logs(*repo, base, head, old, 7);
  REQUIRE(r.ok());
  CHECK(r->commit.empty());
  CHECK(r->conflict.find("train.cc: the new log statements do not fit run 7's version here:") == 0);
  CHECK(r->conflict.find("<<<<<<< run 7") != std::string::npos);
  CHECK(r->conflict.find("    report();") != std::string::npos);
  CHECK(r->conflict.find(">>>>>>> new log statements") != std::string::npos);
  CHECK(t.git("for-each-ref refs/flor/versions/").empty());  // nothing committed

  SECTION("a file the version lacks") {
    const std::string bare = commit_all(t, "other.cc", "int x;\n");
    t.git("rm -q train.cc");
    const std::string without = commit_all(t, "other.cc", "int x;\n// no train.cc\n");
    (void)bare;
    auto missing = transplant_logs(*repo, base, head, without, 8);
    REQUIRE(missing.ok());
    CHECK(missing->conflict == "train.cc: run 8's version has no such file");
  }
}

TEST_CASE("replay: no new log statements, nothing to carry", "[replay]") {
  TempRepo t;
  const std::string base = commit_all(t, "train.cc", kV1);
  const std::string head = commit_all(t, "train.cc", replace(kV1, "double lr = 0.1;", "double lr = 0.2;"));
  auto repo = git::Repo::open(t.dir());
  REQUIRE(repo.ok());
  auto r = transplant_logs(*repo, base, head, base, 1);
  REQUIRE(r.ok());
  CHECK(r->commit == base);
  CHECK(r->files.empty());
  CHECK(r->conflict.empty());
}

TEST_CASE("replay: --transplant all carries every hunk, a new helper file included, no deletion", "[replay]") {
  TempRepo t;
  const std::string v1 = commit_all(t, "train.cc", kV1);
  const std::string base_text = replace(kV1, "double lr = 0.1;", "double lr = 0.05;");
  const std::string base = commit_all(t, "train.cc", base_text);
  // The work tree: a log of a helper's value, the helper's header included, the helper in a new file.
  std::string head_text = replace(base_text, "#include <flor/flor.h>\n", "#include <flor/flor.h>\n#include \"norms.h\"\n");
  head_text = replace(head_text, "    flor::log(\"loss\", loss());\n",
                      "    flor::log(\"loss\", loss());\n    flor::log(\"grad_norm\", grad_norm());\n");
  t.write("norms.h", "double grad_norm();\n");
  const std::string head = commit_all(t, "train.cc", head_text);
  auto repo = git::Repo::open(t.dir());
  REQUIRE(repo.ok());

  // By default the #include hunk and the new file stay out: the statement alone.
  auto logs = transplant_logs(*repo, base, head, v1, 1);
  REQUIRE(logs.ok());
  CHECK(logs->files == std::vector<std::string>{"train.cc"});
  CHECK(git::file_at(*repo, logs->commit, "train.cc")->find("norms.h") == std::string::npos);

  auto all = transplant_logs(*repo, base, head, v1, 1, git::Refs::kUpdate, Take::kEverything);
  INFO(all.status().message());
  REQUIRE(all.ok());
  CHECK(all->conflict.empty());
  CHECK(all->files == std::vector<std::string>{"norms.h", "train.cc"});
  std::string want = replace(kV1, "#include <flor/flor.h>\n", "#include <flor/flor.h>\n#include \"norms.h\"\n");
  want = replace(want, "    flor::log(\"loss\", loss());\n",
                 "    flor::log(\"loss\", loss());\n    flor::log(\"grad_norm\", grad_norm());\n");
  CHECK(git::file_at(*repo, all->commit, "train.cc").value() == want);  // the run's lr = 0.1 kept
  CHECK(git::file_at(*repo, all->commit, "norms.h").value() == "double grad_norm();\n");

  // A deletion in the work tree is not carried: the version keeps its file.
  t.git("rm -q norms.h");
  const std::string gone = commit_all(t, "train.cc", head_text + "// norms.h gone\n");
  auto deleted = transplant_logs(*repo, head, gone, all->commit, 2, git::Refs::kUpdate, Take::kEverything);
  REQUIRE(deleted.ok());
  CHECK(deleted->files == std::vector<std::string>{"train.cc"});
  CHECK(git::file_at(*repo, deleted->commit, "norms.h").value() == "double grad_norm();\n");
}

TEST_CASE("replay: a plain program's new #include <flor/flor.h> travels with its statements", "[replay]") {
  TempRepo t;
  const std::string plain =
      "#include <cstdio>\n"
      "\n"
      "int main() {\n"
      "  double lr = 0.1;\n"
      "  for (int e = 0; e < 3; ++e) {\n"
      "    train(lr);\n"
      "    std::printf(\"%g\\n\", loss());\n"
      "  }\n"
      "}\n";
  const std::string old = commit_all(t, "train.cc", plain);
  const std::string base_text = replace(plain, "double lr = 0.1;", "double lr = 0.05;");
  const std::string base = commit_all(t, "train.cc", base_text);
  const std::string include = "#include <flor/flor.h>\n";
  const std::string statement = "    flor::log(\"loss\", loss());\n";
  std::string head_text = include + base_text;
  head_text = replace(head_text, "    train(lr);\n", "    train(lr);\n" + statement);
  const std::string head = commit_all(t, "train.cc", head_text);
  auto repo = git::Repo::open(t.dir());
  REQUIRE(repo.ok());
  auto r = transplant_logs(*repo, base, head, old, 1);
  INFO(r.status().message());
  REQUIRE(r.ok());
  REQUIRE(r->conflict.empty());
  CHECK(git::file_at(*repo, r->commit, "train.cc").value() ==
        include + replace(plain, "    train(lr);\n", "    train(lr);\n" + statement));

  SECTION("an include alone (no statement in the file) stays out") {
    const std::string only = commit_all(t, "train.cc", include + base_text);
    auto none = transplant_logs(*repo, base, only, old, 2);
    REQUIRE(none.ok());
    CHECK(none->commit == old);
    CHECK(none->files.empty());
  }
}

TEST_CASE("replay: which hunks add flor's headers", "[replay]") {
  auto hunk = [](std::vector<std::string> added) { return git::Hunk{0, 0, std::move(added)}; };
  CHECK(adds_flor_include(hunk({"#include <flor/flor.h>\n"})));
  CHECK(adds_flor_include(hunk({"#include <chrono>\n", "#  include \"flor/flor.h\"\n"})));
  CHECK_FALSE(adds_flor_include(hunk({"#include <torch/torch.h>\n"})));
  CHECK_FALSE(adds_flor_include(hunk({"// see #include <flor/flor.h>\n"})));
  CHECK_FALSE(adds_log(hunk({"#include <flor/flor.h>\n"})));
}

}  // namespace
}  // namespace flor::replay
