#include "ui/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "ui/page.h"

namespace flor::ui {

Status serve(const Api& api, const ServeOptions& options, const std::function<void(const std::string&)>& on_listening) {
  httplib::Server server;
  const std::string page = page_html();
  server.Get("/", [&page](const httplib::Request&, httplib::Response& res) {
    res.set_content(page, "text/html; charset=utf-8");
  });
  // Before the JSON paths: httplib takes the first route that matches.
  server.Get(R"(/api/experiments/([^/]+)/values/([^/]+))", [&api](const httplib::Request& req, httplib::Response& res) {
    Result<std::string> png = api.image(req.matches[1], req.matches[2]);
    res.status = png.ok() ? 200 : http_status(png.status());
    if (png.ok()) res.set_content(*png, "image/png");
    else res.set_content(error_json(png.status()).dump(), "application/json");
  });
  server.Get(R"(/api(/.*)?)", [&api](const httplib::Request& req, httplib::Response& res) {
    if (!req.params.empty()) {
      res.status = 400;
      res.set_content(error_json(invalid_argument("the API takes no query parameters: " + req.target)).dump(),
                      "application/json");
      return;
    }
    Result<Json> doc = api.get(req.path);
    res.status = doc.ok() ? 200 : http_status(doc.status());
    res.set_content(doc.ok() ? doc->dump() : error_json(doc.status()).dump(), "application/json");
    res.set_header("Cache-Control", "no-store");
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // an API error already has its message
    res.set_content(error_json(Status(Code::kNotFound, "nothing at " + req.path + " (the page is at /)")).dump(),
                    "application/json");
  });
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                  const std::exception_ptr&) {
    res.status = 500;
    res.set_content(error_json(internal_error("failed to answer " + req.path)).dump(), "application/json");
  });
  // httplib's default adds SO_REUSEPORT, which lets a second server share a
  // port in use; SO_REUSEADDR alone only allows a restart over TIME_WAIT.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) return io_error("cannot listen on " + options.host + " (a free port): is the host one of this machine's addresses?");
  } else if (!server.bind_to_port(options.host, port)) {
    return io_error("cannot listen on " + options.host + ":" + std::to_string(port) +
                    " (in use? try --port 0 for a free port)");
  }
  std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  on_listening("http://" + host + ":" + std::to_string(port) + "/");
  if (!server.listen_after_bind()) return io_error("the server on " + options.host + " stopped");
  return Status();
}

}  // namespace flor::ui
