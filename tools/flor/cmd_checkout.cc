// flor checkout RUN DIR: a run's source tree into DIR, the repository untouched.
#include <cstdio>
#include <filesystem>

#include "command.h"
#include "context.h"
#include "git/shadow.h"

namespace flor::cli {

namespace {

Result<int> cmd_checkout(Context& ctx) {
  const std::string& dir = ctx.args.positional[1];
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return failed_precondition("checkout: " + dir + " exists and is not empty (give a new folder)");
  }
  const store::Run& run = *ctx.run;
  if (run.vid.empty()) return failed_precondition("run " + std::to_string(run.id) + " has no recorded version");
  FLOR_RETURN_IF_ERROR(git::export_tree(*ctx.repo, run.vid, dir));
  std::printf("wrote version %s (run %lld of '%s') into %s\n", short_id(run.vid).c_str(),
              static_cast<long long>(run.id), ctx.name.c_str(), dir.c_str());
  return 0;
}

}  // namespace

extern const Command kCheckoutCommand = {
    "checkout",
    "write a run's source tree into a folder",
    "RUN DIR",
    "Writes the source tree of RUN's version into DIR (which must not exist or be\n"
    "empty). The repository's HEAD, index and work tree are not touched. RUN is\n"
    "as in flor diff: a run id, NAME or NAME:REF.\n",
    {},
    "",
    NeedsRepo::kYes,
    NeedsStore::kRun,
    cmd_checkout,
};

}  // namespace flor::cli
