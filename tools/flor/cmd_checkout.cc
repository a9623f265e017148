// flor checkout RUN DIR: a run's source tree into DIR, the repository untouched.
#include <cstdio>
#include <filesystem>

#include "context.h"
#include "git/shadow.h"

namespace flor::cli {

Result<int> cmd_checkout(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("checkout", words, {}));
  FLOR_RETURN_IF_ERROR(expect_positionals("checkout", args, 2, 2));
  FLOR_ASSIGN_OR_RETURN(RunSpec spec, parse_run_spec(args.positional[0]));
  const std::string dir = args.positional[1];
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return failed_precondition("checkout: " + dir + " exists and is not empty (give a new folder)");
  }
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(flor_home(), spec.name));
  FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(*store, spec.ref));
  if (run.vid.empty()) return failed_precondition("run " + std::to_string(run.id) + " has no recorded version");
  FLOR_ASSIGN_OR_RETURN(git::Repo repo, open_repo());
  FLOR_RETURN_IF_ERROR(git::export_tree(repo, run.vid, dir));
  std::printf("wrote version %s (run %lld of '%s') into %s\n", short_id(run.vid).c_str(),
              static_cast<long long>(run.id), spec.name.c_str(), dir.c_str());
  return 0;
}

}  // namespace flor::cli
