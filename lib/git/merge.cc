#include "git/merge.h"

#include <git2.h>

#include <memory>

#include "git/handles.h"
#include "git/repo.h"

namespace flor::git {
namespace {

struct PatchFree {
  void operator()(git_patch* p) const { git_patch_free(p); }
};

}  // namespace

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

Result<std::vector<Hunk>> diff_hunks(const std::string& old_text, const std::string& new_text) {
  ensure_init();  // the diff needs no repository
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  git_patch* raw = nullptr;
  if (git_patch_from_buffers(&raw, old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(),
                             nullptr, &opts) != 0) {
    return last_git_error("diffing two versions of a file");
  }
  std::unique_ptr<git_patch, PatchFree> patch(raw);
  std::vector<Hunk> hunks;
  for (size_t h = 0, n = git_patch_num_hunks(patch.get()); h < n; ++h) {
    const git_diff_hunk* gh = nullptr;
    size_t lines = 0;
    if (git_patch_get_hunk(&gh, &lines, patch.get(), h) != 0) return last_git_error("reading a diff hunk");
    Hunk hunk{gh->old_start, gh->old_lines, {}};
    for (size_t l = 0; l < lines; ++l) {
      const git_diff_line* line = nullptr;
      if (git_patch_get_line_in_hunk(&line, patch.get(), h, l) != 0) return last_git_error("reading a diff line");
      if (line->origin == GIT_DIFF_LINE_ADDITION) hunk.added.emplace_back(line->content, line->content_len);
    }
    hunks.push_back(std::move(hunk));
  }
  return hunks;
}

std::string apply_hunks(const std::string& old_text, const std::vector<Hunk>& hunks,
                        const std::function<bool(const Hunk&)>& keep) {
  const std::vector<std::string> lines = split_lines(old_text);
  std::string out;
  size_t next = 0;  // the first old line (0-based) not yet copied
  for (const Hunk& h : hunks) {
    if (!keep(h)) continue;
    // A replacement starts at its first old line; an insertion after line old_start.
    const size_t first = h.old_lines == 0 ? static_cast<size_t>(h.old_start) : static_cast<size_t>(h.old_start - 1);
    for (; next < first && next < lines.size(); ++next) out += lines[next];
    for (const std::string& a : h.added) out += a;
    next = first + static_cast<size_t>(h.old_lines);
  }
  for (; next < lines.size(); ++next) out += lines[next];
  return out;
}

Result<MergedFile> merge_file(const std::string& ancestor, const std::string& ours, const std::string& theirs,
                              const std::string& our_label, const std::string& their_label) {
  ensure_init();
  auto input = [](const std::string& text) {
    git_merge_file_input in = GIT_MERGE_FILE_INPUT_INIT;
    in.ptr = text.data();
    in.size = text.size();
    return in;
  };
  const git_merge_file_input a = input(ancestor), o = input(ours), t = input(theirs);
  git_merge_file_options opts = GIT_MERGE_FILE_OPTIONS_INIT;
  opts.our_label = our_label.c_str();
  opts.their_label = their_label.c_str();
  git_merge_file_result result = {};
  if (git_merge_file(&result, &a, &o, &t, &opts) != 0) return last_git_error("merging two versions of a file");
  MergedFile merged{result.automergeable != 0, std::string(result.ptr, result.len)};
  git_merge_file_result_free(&result);
  return merged;
}

}  // namespace flor::git
