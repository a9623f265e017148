#include "replay/versions.h"

#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>

#include "git/shadow.h"
#include "sched/process.h"
#include "util/durable_file.h"
#include "util/file.h"

namespace flor::replay {
namespace {

std::string versions_dir(const std::string& experiment_dir) { return experiment_dir + "/versions"; }

// The first line of the build log at `path` that reads like a compiler's or a
// build tool's error; else its last line.
std::string first_error(const std::string& path) {
  static const std::regex kError(R"((^|[^A-Za-z])(error|Error|ERROR)\b)");
  auto log = read_file(path);
  std::istringstream in(log.ok() ? *log : "");
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, kError)) return line;
  return sched::read_tail(path, 1);
}

}  // namespace

Result<std::optional<std::string>> saved_build_command(const std::string& experiment_dir) {
  const std::string path = versions_dir(experiment_dir) + "/build-command";
  if (!file_exists(path)) return std::optional<std::string>();
  FLOR_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return std::optional<std::string>(text);
}

Status save_build_command(const std::string& experiment_dir, const std::string& command) {
  FLOR_RETURN_IF_ERROR(make_dirs(versions_dir(experiment_dir)));
  return write_file_atomic(versions_dir(experiment_dir) + "/build-command", command);
}

Result<VersionBuild> build_version(const git::Repo& repo, const std::string& experiment_dir,
                                   const std::string& commit, const std::string& build_command) {
  FLOR_ASSIGN_OR_RETURN(git::CommitInfo info, git::commit_info(repo, commit));
  VersionBuild b{versions_dir(experiment_dir) + "/" + info.tree, versions_dir(experiment_dir) + "/" + info.tree + ".log"};
  if (!file_exists(b.dir)) {
    // Exported beside, then renamed: a folder under its final name is always whole.
    const std::string tmp = b.dir + ".tmp";
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    FLOR_RETURN_IF_ERROR(git::export_tree(repo, commit, tmp));
    if (std::rename(tmp.c_str(), b.dir.c_str()) != 0) return os_error("cannot rename to", b.dir);
  }
  std::remove(b.log.c_str());
  sched::SpawnSpec spec{{"/bin/sh", "-c", build_command},
                        {{"CCACHE_BASEDIR", b.dir}, {"CCACHE_NOHASHDIR", "1"}},
                        b.log,
                        sched::Echo::kNone,
                        {},
                        b.dir};
  sched::ProcessGroup group;
  FLOR_RETURN_IF_ERROR(group.start(spec).status());
  const sched::ExitInfo exit = group.wait(nullptr, std::chrono::milliseconds(1000))[0];
  b.interrupted = exit.interrupted;
  if (exit.exit_code != 0 && !b.interrupted) {
    return failed_precondition("the build failed (exit " + std::to_string(exit.exit_code) +
                               "): " + first_error(b.log) + " (whole output: " + b.log + ")");
  }
  return b;
}

}  // namespace flor::replay
