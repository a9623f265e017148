// Line-level diffs and three-way merges of file contents (libgit2's xdiff),
// for carrying a change made in one version of a file into another version
// (`flor replay --all-runs`: new log statements into each past run's code).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::git {

// One hunk of a diff without context: old lines [old_start, old_start + old_lines)
// (1-based) become `added`. A pure insertion has old_lines == 0 and goes after
// line old_start (0: before the first line), as in a patch's "@@ -5,0 +6,2 @@".
struct Hunk {
  int old_start = 0;
  int old_lines = 0;
  std::vector<std::string> added;    // the new lines, each with its '\n'
};

// The lines of `text`, each with its '\n' (the last one may lack it).
std::vector<std::string> split_lines(const std::string& text);

// The hunks from `old_text` to `new_text`, in order.
Result<std::vector<Hunk>> diff_hunks(const std::string& old_text, const std::string& new_text);

// `old_text` with only the hunks that `keep` accepts applied.
std::string apply_hunks(const std::string& old_text, const std::vector<Hunk>& hunks,
                        const std::function<bool(const Hunk&)>& keep);

struct MergedFile {
  bool clean = false;  // false: `text` holds conflict markers (<<<<<<< ours ... >>>>>>> theirs)
  std::string text;
};

// Three-way merge of one file's contents: the changes from `ancestor` to
// `theirs` made on `ours`. `labels` name the two sides in conflict markers.
Result<MergedFile> merge_file(const std::string& ancestor, const std::string& ours, const std::string& theirs,
                              const std::string& our_label, const std::string& their_label);

}  // namespace flor::git
