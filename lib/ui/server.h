// `flor ui`'s HTTP server (cpp-httplib): GET / is the page, GET /api/... the
// JSON API (ui/api.h); nothing else, and nothing that writes.
#pragma once

#include <functional>
#include <string>

#include "ui/api.h"

namespace flor::ui {

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback: no one else can connect
  int port = 8080;                 // 0: a free port, chosen by the kernel
};

// Binds, then calls `on_listening` with the URL ("http://127.0.0.1:8080/")
// and serves until the process ends. A port in use or a host that cannot be
// bound is an error naming it.
Status serve(const Api& api, const ServeOptions& options, const std::function<void(const std::string&)>& on_listening);

}  // namespace flor::ui
