// flor: the driver. The only place (with flor-instrument's main) that turns an
// error into a message and an exit code. It parses the command line with the
// command's row, opens what the row needs once, and hands it over in a Context.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "command.h"
#include "context.h"
#include "flor/version.h"
#include "git/repo.h"
#include "store/contract.h"

namespace flor::cli {
namespace {

constexpr int kUsageError = 2;

int fail(const Status& s) {
  std::fprintf(stderr, "flor: %s\n", s.message().c_str());
  return s.code() == Code::kInvalidArgument ? kUsageError : 1;
}

// Parses `words` with the row's options and operands, then opens the
// repository and the experiment (or run) the row needs.
Result<Context> make_context(const Command& cmd, const std::vector<std::string>& words) {
  Context ctx;
  FLOR_ASSIGN_OR_RETURN(ctx.args, parse_args(cmd.name, words, cmd.options));
  FLOR_RETURN_IF_ERROR(expect_positionals(cmd.name, ctx.args, operands_of(cmd)));
  ctx.home = flor_home();
  // A command that works in a repository says so up front, in one line.
  if (cmd.needs_repo == NeedsRepo::kYes) {
    FLOR_ASSIGN_OR_RETURN(git::Repo repo, open_repo());
    ctx.repo.emplace(std::move(repo));
  }
  const std::vector<std::string>& given = ctx.args.positional;
  switch (cmd.needs_store) {
    case NeedsStore::kNo:
      break;
    case NeedsStore::kExperiment: {
      if (!given.empty()) {
        ctx.name = given[0];
      } else if (ctx.repo) {
        FLOR_ASSIGN_OR_RETURN(ctx.name, git::read_last_name(*ctx.repo));
      } else {
        FLOR_ASSIGN_OR_RETURN(ctx.name, name_or_last(std::nullopt));
      }
      FLOR_ASSIGN_OR_RETURN(ctx.store, open_experiment(ctx.home, ctx.name));
      break;
    }
    case NeedsStore::kRun: {
      FLOR_ASSIGN_OR_RETURN(RunSpec spec, parse_run_spec(given.at(0)));
      ctx.name = spec.name;
      FLOR_ASSIGN_OR_RETURN(ctx.store, open_experiment(ctx.home, spec.name));
      FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(*ctx.store, spec.ref));
      ctx.run = std::move(run);
      break;
    }
  }
  return ctx;
}

int run_command(const Command& cmd, const std::vector<std::string>& words) {
  Result<Context> ctx = make_context(cmd, words);
  if (!ctx.ok()) return fail(ctx.status());
  Result<int> rc = cmd.fn(*ctx);
  if (!rc.ok()) return fail(rc.status());
  return *rc;
}

// The global option before the command: `--store URL` (or --store=URL) sets
// FLOR_STORE for flor and every program it starts. Removes it from `args`.
Status take_store_option(std::vector<std::string>* args) {
  while (!args->empty() && args->front().rfind("--store", 0) == 0) {
    std::string url;
    if (args->front() == "--store") {
      if (args->size() < 2) return invalid_argument("--store needs a value: sqlite, or postgresql://USER@HOST:PORT/DB");
      url = (*args)[1];
      args->erase(args->begin(), args->begin() + 2);
    } else if (args->front().rfind("--store=", 0) == 0) {
      url = args->front().substr(8);
      args->erase(args->begin());
    } else {
      return Status();  // another word starting with --store: the command's
    }
    ::setenv(kEnvStore, url.c_str(), 1);
  }
  return Status();
}

int flor_main(std::vector<std::string> args) {
  const Command& help = *find_command("help");
  if (Status s = take_store_option(&args); !s.ok()) return fail(s);
  if (args.empty()) {
    (void)run_command(help, {});
    return kUsageError;
  }
  const std::string name = args[0];
  if (name == "--version" || name == "version") {
    std::printf("flor %s (libgit2 %s)\n", FLOR_VERSION_STRING, git::libgit2_version().c_str());
    return 0;
  }
  if (name == "--help" || name == "-h") return run_command(help, {});
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
      std::fputs(usage_text(*cmd).c_str(), stdout);
      return 0;
    }
  }
  return run_command(*cmd, args);
}

}  // namespace
}  // namespace flor::cli

int main(int argc, char** argv) {
  // The last resort: library code returns errors as values and catches what
  // LibTorch, json, SQLite and libgit2 throw at its adapters; anything that
  // still escapes is a bug, said in one line instead of std::terminate's abort.
  try {
    return flor::cli::flor_main(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flor: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "flor: internal error: an exception that is not a std::exception\n");
  }
  return 1;
}
