// Hindsight across versions (`flor replay --all-runs`): the new log statements
// of the work tree carried into each past run's version of the code.
//
// The statements are the hunks from `base` (the newest record's version) to
// `head` (the work tree's snapshot) whose added lines call flor::log,
// flor::histogram, flor::image or flor::text, and in the same files those that
// include a flor header (what a plain program needs for them); other changes
// stay out, unless the user asks for every hunk (Take::kEverything: a helper
// the new statements call, a header they include). Each file's hunks are
// merged into the past version with a three-way merge (git's
// line merge, ancestor `base`): a statement whose surroundings changed in that
// version, or a file the version lacks, is a conflict, shown, never a guess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "git/merge.h"
#include "git/repo.h"
#include "git/shadow.h"

namespace flor::replay {

// Whether a hunk adds a log statement (a call of flor::log, histogram, image or text).
bool adds_log(const git::Hunk& hunk);
// Whether a hunk adds an #include of a flor header (<flor/...> or "flor/...").
bool adds_flor_include(const git::Hunk& hunk);

struct Transplant {
  std::string commit;              // the version to replay (parent: the run's); "" on a conflict
  std::vector<std::string> files;  // the files the statements went into, sorted
  std::string diff;                // from the run's version to `commit`, git's patch format
  std::string conflict;            // why the statements could not be placed, with the merge's markers
};

// Which hunks of base..head are carried: those that add a log statement, or all.
enum class Take { kLogStatements, kEverything };

// The statements of base..head carried into `target` (run `run`'s version).
// No statements at all: `commit` is `target` and `files` is empty. With
// kUnreferenced (a dry run) the new commit is written but no ref keeps it.
// Neither carries a file's deletion (changed_files lists none).
Result<Transplant> transplant_logs(const git::Repo& repo, const std::string& base, const std::string& head,
                                   const std::string& target, int64_t run, git::Refs refs = git::Refs::kUpdate,
                                   Take take = Take::kLogStatements);

}  // namespace flor::replay
