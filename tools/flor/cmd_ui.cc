// flor ui: the dashboard over FLOR_HOME, served until interrupted.
#include <cstdio>

#include "command.h"
#include "context.h"
#include "ui/server.h"

namespace flor::cli {

// The repository of the runs' versions (for diffs), when flor starts in one.
std::unique_ptr<git::Repo> repo_if_any() {
  auto repo = open_repo();
  return repo.ok() ? std::make_unique<git::Repo>(std::move(repo).value()) : nullptr;
}

namespace {

Result<int> cmd_ui(Context& ctx) {
  ui::ServeOptions options;
  FLOR_ASSIGN_OR_RETURN(auto port, ctx.args.int_value("--port", 0, 65535));
  if (port) options.port = *port;
  if (auto host = ctx.args.value("--host")) options.host = *host;
  if (options.host.empty()) return invalid_argument("ui: --host needs an address, e.g. 127.0.0.1");
  bool loopback = options.host == "127.0.0.1" || options.host == "localhost" || options.host == "::1";
  ui::Api api(ctx.home, repo_if_any());
  FLOR_RETURN_IF_ERROR(ui::serve(api, options, [&](const std::string& url) {
    if (!loopback)
      std::fprintf(stderr,
                   "flor: ui: warning: listening on %s: there is no authentication, anyone who can reach "
                   "this address can read every experiment\n",
                   options.host.c_str());
    std::printf("flor ui: %s (FLOR_HOME %s; Ctrl-C stops)\n", url.c_str(), api.home().c_str());
    std::fflush(stdout);
  }));
  return 0;
}

}  // namespace

extern const Command kUiCommand = {
    "ui",
    "serve the dashboard: charts of every run, live while runs run",
    "",
    "Serves the dashboard of the experiments in FLOR_HOME: their runs (status,\n"
    "kind, version with its code change since the previous run, args, duration,\n"
    "checkpoints, bytes), sweeps, and charts of every logged value over epochs\n"
    "(per-step logs over the global step), recorded and hindsight values in one\n"
    "chart; tick runs to overlay them. While a run, replay or sweep runs, the page\n"
    "updates itself. The page and its JSON API (docs/ui.md) only read the store.\n"
    "Diffs need the runs' repository: start flor ui inside it. Prints the URL and\n"
    "serves until Ctrl-C.\n",
    {{"--port", nullptr, "P", "the port (default 8080; 0: a free one, printed)"},
     {"--host", nullptr, "H",
      "the address to listen on (default 127.0.0.1, this machine only). Any other (0.0.0.0: every interface) "
      "gets a warning: there is no authentication"}},
    "example: flor ui --port 0\n",
    NeedsRepo::kNo,
    NeedsStore::kNo,  // every experiment, each opened as the page asks
    cmd_ui,
};

}  // namespace flor::cli
