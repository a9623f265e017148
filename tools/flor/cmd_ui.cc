// flor ui [--port P] [--host H]: the dashboard over FLOR_HOME, served until interrupted.
#include <cstdio>

#include "context.h"
#include "ui/server.h"

namespace flor::cli {

// The repository of the runs' versions (for diffs), when flor starts in one.
std::unique_ptr<git::Repo> repo_if_any() {
  auto repo = open_repo();
  return repo.ok() ? std::make_unique<git::Repo>(std::move(repo).value()) : nullptr;
}

Result<int> cmd_ui(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("ui", words,
                                              {{"--port", nullptr, Takes::kValue}, {"--host", nullptr, Takes::kValue}}));
  FLOR_RETURN_IF_ERROR(expect_positionals("ui", args, 0, 0));
  ui::ServeOptions options;
  FLOR_ASSIGN_OR_RETURN(auto port, args.int_value("--port", 0, 65535));
  if (port) options.port = *port;
  if (auto host = args.value("--host")) options.host = *host;
  if (options.host.empty()) return invalid_argument("ui: --host needs an address, e.g. 127.0.0.1");
  bool loopback = options.host == "127.0.0.1" || options.host == "localhost" || options.host == "::1";
  ui::Api api(flor_home(), repo_if_any());
  FLOR_RETURN_IF_ERROR(ui::serve(api, options, [&](const std::string& url) {
    if (!loopback)
      std::fprintf(stderr, "flor: ui: warning: listening on %s: there is no authentication, anyone who can reach "
                           "this address can read every experiment\n", options.host.c_str());
    std::printf("flor ui: %s (FLOR_HOME %s; Ctrl-C stops)\n", url.c_str(), api.home().c_str());
    std::fflush(stdout);
  }));
  return 0;
}

}  // namespace flor::cli
