// flor: the driver. The only place (with flor-instrument's main) that turns an
// error into a message and an exit code.
#include <cstdio>
#include <string>
#include <vector>

#include "command.h"
#include "context.h"
#include "flor/version.h"
#include "git/repo.h"

namespace {
constexpr int kUsageError = 2;

int fail(const flor::Status& s) {
  std::fprintf(stderr, "flor: %s\n", s.message().c_str());
  return s.code() == flor::Code::kInvalidArgument ? kUsageError : 1;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace flor::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    (void)find_command("help")->fn({});
    return kUsageError;
  }
  const std::string name = args[0];
  if (name == "--version" || name == "version") {
    std::printf("flor %s (libgit2 %s)\n", FLOR_VERSION_STRING, flor::git::libgit2_version().c_str());
    return 0;
  }
  if (name == "--help" || name == "-h") return find_command("help")->fn({}).value();
  const Command* cmd = find_command(name);
  if (!cmd) {
    std::string near = suggest_command(name);
    std::fprintf(stderr, "flor: unknown command '%s'%s (see `flor help`)\n", name.c_str(),
                 near.empty() ? "" : (", did you mean '" + near + "'?").c_str());
    return kUsageError;
  }
  args.erase(args.begin());
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      std::fputs(cmd->usage, stdout);
      return 0;
    }
  }
  // A command that works in a repository says so up front, in one line.
  if (cmd->needs == Needs::kRepo || cmd->needs == Needs::kStoreAndRepo) {
    if (auto repo = open_repo(); !repo.ok()) return fail(repo.status());
  }
  flor::Result<int> rc = cmd->fn(args);
  if (!rc.ok()) return fail(rc.status());
  return rc.value();
}
