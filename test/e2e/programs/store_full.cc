// A manual-API program that fills the disk under its own store, for the e2e
// test of a full disk during a record (driver_store_full_*.sh). Every epoch
// logs --rows values of --bytes characters in a block (no registered state:
// no checkpoint files). At the start of epoch --fill-at it writes --ballast (a
// file on the store's filesystem) until the disk is full; at the start of
// epoch --free-at (or after the loop, when --free-at >= --epochs) it deletes
// it, so the store can take writes again. --free-at -1: never. With --hook
// CMD the store goes away another way: `CMD down` runs at --fill-at and
// `CMD up` at --free-at (a PostgreSQL server stopped and started again).
// STORE_FULL_SKIP_END=1 leaves with _Exit(0), before the runtime ends the run.
//   store_full --epochs 12 --rows 1000 --bytes 500 --ballast $FLOR_HOME/ballast --fill-at 2 --free-at 8
#include <flor/flor.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Writes `path` until the filesystem refuses (ENOSPC); false on another error.
bool fill_disk(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::vector<char> chunk(64 * 1024, 'x');
  while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size()) {
  }
  const bool full = errno == ENOSPC;
  std::fclose(f);
  // Whatever a partial chunk left: one byte at a time to the last free one.
  if (std::FILE* g = std::fopen(path.c_str(), "ab")) {
    std::setvbuf(g, nullptr, _IONBF, 0);
    while (std::fputc('x', g) != EOF) {
    }
    std::fclose(g);
  }
  return full;
}

// Runs `hook word`; false (and says why) when it fails.
bool run_hook(const std::string& hook, const char* word) {
  const std::string cmd = hook + " " + word;
  if (std::system(cmd.c_str()) == 0) return true;
  std::fprintf(stderr, "store_full: '%s' failed\n", cmd.c_str());
  return false;
}

bool store_away(const std::string& hook, const std::string& ballast) {
  if (!hook.empty()) return run_hook(hook, "down");
  if (fill_disk(ballast)) return true;
  std::fprintf(stderr, "store_full: cannot fill the disk with %s: %s\n", ballast.c_str(), std::strerror(errno));
  return false;
}

bool store_back(const std::string& hook, const std::string& ballast) {
  if (!hook.empty()) return run_hook(hook, "up");
  std::remove(ballast.c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  flor::init(argc, argv);
  const int64_t epochs = flor::arg("epochs", int64_t{12});
  const int64_t rows = flor::arg("rows", int64_t{1000});
  const int64_t bytes = flor::arg("bytes", int64_t{500});
  const std::string ballast = flor::arg("ballast", std::string());
  const int64_t fill_at = flor::arg("fill-at", int64_t{-1});
  const int64_t free_at = flor::arg("free-at", int64_t{-1});
  const std::string hook = flor::arg("hook", std::string());
  const std::string text(static_cast<size_t>(bytes), 'v');

  for (int64_t epoch : flor::loop("epoch", 0, epochs)) {
    if (epoch == fill_at && !store_away(hook, ballast)) return 1;
    if (epoch == free_at && !store_back(hook, ballast)) return 1;
    flor::block("log_rows", [&] {  // a block: an epoch row per epoch (not a step loop's periods)
      for (int64_t i = 0; i < rows; ++i) flor::log("value", text);
    });
  }
  if (free_at >= epochs && !store_back(hook, ballast)) return 1;
  if (std::getenv("STORE_FULL_SKIP_END")) std::_Exit(0);
  return 0;
}
