// Hindsight across versions: each version to replay exported from the shadow
// branch into FLOR_HOME/NAME/versions/<its tree id>/ and built there with the
// experiment's build command. Versions with the same tree (byte-identical
// files) share one folder and one build; a folder is reused by later replays,
// so the build is incremental, and ccache (CCACHE_BASEDIR is the folder) makes
// files unchanged between versions cost nothing.
#pragma once

#include <optional>
#include <string>

#include "git/repo.h"
#include "util/status.h"

namespace flor::replay {

// FLOR_HOME/NAME/versions/build-command: the build command given once with
// --build, for later replays. nullopt when none was saved.
Result<std::optional<std::string>> saved_build_command(const std::string& experiment_dir);
Status save_build_command(const std::string& experiment_dir, const std::string& command);

struct VersionBuild {
  std::string dir;  // the version's files, built
  std::string log;  // the build's output
  bool interrupted = false;  // Ctrl-C or SIGTERM reached the build: stop the whole job
};

// Exports `commit` (once per tree) and runs `sh -c build_command` in its
// folder. A failed build (not interrupted) is kFailedPrecondition naming its
// first error line and the log.
Result<VersionBuild> build_version(const git::Repo& repo, const std::string& experiment_dir,
                                   const std::string& commit, const std::string& build_command);

}  // namespace flor::replay
