#include "replay/transplant.h"

#include <algorithm>
#include <map>
#include <regex>

#include "git/shadow.h"

namespace flor::replay {

bool adds_log(const git::Hunk& hunk) {
  static const std::regex kLogCall(R"(\bflor::(log|histogram|image|text)\s*\()");
  for (const std::string& line : hunk.added)
    if (std::regex_search(line, kLogCall)) return true;
  return false;
}

bool adds_flor_include(const git::Hunk& hunk) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]flor/)");
  for (const std::string& line : hunk.added)
    if (std::regex_search(line, kInclude)) return true;
  return false;
}

namespace {

// What travels with the statements of a file: their hunks, and those that
// include flor's headers (a plain, hands-free program gains
// #include <flor/flor.h> with its first flor::log; flor-instrument's probe
// analysis parses the file as it is, so it needs the declaration).
bool carried(const git::Hunk& hunk) { return adds_log(hunk) || adds_flor_include(hunk); }

// The file at `commit`, "" when it has none (a file the change adds); `exists` says which.
Result<std::string> text_at(const git::Repo& repo, const std::string& commit, const std::string& path,
                            bool* exists = nullptr) {
  auto text = git::file_at(repo, commit, path);
  if (exists) *exists = text.ok();
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::string();
  return text;
}

// The conflicts of a merged file, each region from its <<<<<<< to its
// >>>>>>> line, numbered, with two lines before it.
std::string conflict_regions(const std::string& text) {
  std::vector<std::string> lines = git::split_lines(text);
  for (std::string& line : lines)
    if (!line.empty() && line.back() == '\n') line.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("<<<<<<< ", 0) != 0) continue;
    for (size_t j = i >= 2 ? i - 2 : 0; j < lines.size(); ++j) {
      out += "  " + std::to_string(j + 1) + "  " + lines[j] + "\n";
      if (lines[j].rfind(">>>>>>> ", 0) == 0) {
        i = j;
        break;
      }
    }
  }
  return out;
}

}  // namespace

Result<Transplant> transplant_logs(const git::Repo& repo, const std::string& base, const std::string& head,
                                   const std::string& target, int64_t run, git::Refs refs, Take take) {
  Transplant out;
  std::map<std::string, std::string> merged;
  FLOR_ASSIGN_OR_RETURN(auto paths, git::changed_files(repo, base, head));
  const std::string run_label = "run " + std::to_string(run);
  const bool everything = take == Take::kEverything;
  const std::string label = everything ? "work tree's changes" : "new log statements";  // the merge's side
  const std::string what = "the " + label;
  // A file takes part when a hunk adds a statement (any hunk, with kEverything); then these hunks go.
  auto moves_file = [everything](const git::Hunk& h) { return everything || adds_log(h); };
  auto keep = [everything](const git::Hunk& h) { return everything || carried(h); };
  for (const std::string& path : paths) {
    bool in_base = false, in_target = false;
    FLOR_ASSIGN_OR_RETURN(std::string before, text_at(repo, base, path, &in_base));
    FLOR_ASSIGN_OR_RETURN(std::string after, text_at(repo, head, path));
    FLOR_ASSIGN_OR_RETURN(auto hunks, git::diff_hunks(before, after));
    if (std::none_of(hunks.begin(), hunks.end(), moves_file)) continue;
    const std::string theirs = git::apply_hunks(before, hunks, keep);
    FLOR_ASSIGN_OR_RETURN(std::string ours, text_at(repo, target, path, &in_target));
    if (in_base && !in_target) {
      out.conflict = path;
      out.conflict += ": " + run_label + "'s version has no such file";
      return out;
    }
    FLOR_ASSIGN_OR_RETURN(git::MergedFile m, git::merge_file(before, ours, theirs, run_label, label));
    if (!m.clean) {
      out.conflict = path;
      out.conflict.append(": ").append(what).append(" do not fit ").append(run_label).append("'s version here:\n");
      out.conflict += conflict_regions(m.text);
      return out;
    }
    out.files.push_back(path);
    merged[path] = std::move(m.text);
  }
  if (merged.empty()) {
    out.commit = target;
    return out;
  }
  FLOR_ASSIGN_OR_RETURN(out.commit,
                        git::commit_files(repo, target, merged,
                                          "flor: " + what + " of " + head.substr(0, 10) + " in " +
                                              run_label + "'s version " + target.substr(0, 10),
                                          refs));
  FLOR_ASSIGN_OR_RETURN(out.diff, git::diff_commits(repo, target, out.commit));
  return out;
}

}  // namespace flor::replay
