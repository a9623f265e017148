// The dashboard's read-only JSON API over the store (docs/ui.md): one router
// shared by the HTTP server (`flor ui`) and the self-contained report (`flor
// report`), so the page reads the same documents from either.
//
// Paths (every NAME is a plain experiment name, every ID a run id in digits):
//   /api/experiments                          the experiments in FLOR_HOME
//   /api/experiments/NAME/runs                its runs, newest first
//   /api/experiments/NAME/sweeps              its sweeps' runs: parameters, metrics
//   /api/experiments/NAME/runs/ID/series      the logged values of a record (a
//                                             replay: of the record it replays)
//   /api/experiments/NAME/runs/ID/divergences the run's and its replays' divergences
//   /api/experiments/NAME/runs/ID/diff        its code change since the previous run
//   /api/experiments/NAME/values/KEY          an image's PNG (image(), not get())
//
// Thread-safety: get() may be called from several threads at once (each call
// opens the store; the repository is used under a lock).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "git/repo.h"
#include "util/status.h"

namespace flor::ui {

using Json = nlohmann::json;

class Api {
 public:
  // `home`: FLOR_HOME. `repo`: the repository of the runs' versions, for
  // diffs; null when there is none (the diff path then answers kNotFound).
  // `embed_images`: an image series' values carry the PNG as a data: URI
  // (a self-contained report) instead of the URL of its values path.
  Api(std::string home, std::unique_ptr<git::Repo> repo, bool embed_images = false);

  // The document at `path`. kInvalidArgument for a malformed parameter (a bad
  // name, a run id that is not digits, `..`), kNotFound for an unknown path,
  // experiment or run.
  Result<Json> get(const std::string& path) const;

  // The PNG at /api/experiments/NAME/values/KEY. kInvalidArgument for a key
  // not of the store's form ("<16 hex digits>-<bytes>.png"), kNotFound for
  // an unknown experiment or key.
  Result<std::string> image(const std::string& name, const std::string& key) const;

  const std::string& home() const { return home_; }

 private:
  Result<Json> diff(const std::string& name, int64_t run) const;

  std::string home_;
  std::unique_ptr<git::Repo> repo_;
  bool embed_images_;
  mutable std::mutex repo_mu_;  // libgit2 objects are not to be shared across threads
};

// The HTTP status for an error of get(): 400, 404 or 500.
int http_status(const Status& status);
// {"error": message}: the body of an error answer.
Json error_json(const Status& status);

}  // namespace flor::ui
