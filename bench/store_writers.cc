// bench/store_writers: logs per second that WORKERS processes write into one
// experiment at once, each its own run, one transaction per epoch (as the
// runtime commits): for bench/store_backends.sh (SQLite vs PostgreSQL).
//
//   store_writers FLOR_HOME NAME WORKERS EPOCHS ROWS
//       the backend is FLOR_STORE's (unset: SQLite under FLOR_HOME); prints
//       "WORKERS workers: N logs in S s: R logs/s".
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

int write_run(const std::string& home, const std::string& name, int epochs, int rows) {
  auto store = flor::store::Store::open(home, name, flor::store::OpenMode::kExisting);
  if (!store.ok()) return std::fprintf(stderr, "store_writers: %s\n", store.status().to_string().c_str()), 1;
  auto id = (*store)->create_run(flor::store::Run{});
  if (!id.ok()) return std::fprintf(stderr, "store_writers: %s\n", id.status().to_string().c_str()), 1;
  for (int e = 0; e < epochs; ++e) {
    std::vector<flor::store::LogRow> logs;
    logs.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      char value[32];
      std::snprintf(value, sizeof value, "%.17g", 1.0 / (1 + e + i));
      logs.push_back({*id, *id, e, i, "loss", value, "double", "train.cc:42", false});
    }
    flor::Status s = (*store)->commit_epoch(flor::store::EpochRow{*id, e}, logs);
    if (!s.ok()) return std::fprintf(stderr, "store_writers: %s\n", s.to_string().c_str()), 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: store_writers FLOR_HOME NAME WORKERS EPOCHS ROWS\n");
    return 2;
  }
  const std::string home = argv[1], name = argv[2];
  const int workers = std::atoi(argv[3]), epochs = std::atoi(argv[4]), rows = std::atoi(argv[5]);
  {
    auto store = flor::store::Store::open(home, name);  // created once, before the clock starts
    if (!store.ok()) return std::fprintf(stderr, "store_writers: %s\n", store.status().to_string().c_str()), 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<pid_t> kids;
  for (int w = 0; w < workers; ++w) {
    const pid_t pid = fork();
    if (pid == 0) _exit(write_run(home, name, epochs, rows));
    kids.push_back(pid);
  }
  int failed = 0;
  for (pid_t pid : kids) {
    int status = 0;
    waitpid(pid, &status, 0);
    failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (failed > 0) return std::fprintf(stderr, "store_writers: %d of %d workers failed\n", failed, workers), 1;
  const double logs = static_cast<double>(workers) * epochs * rows;
  std::printf("%d workers: %.0f logs in %.2f s: %.0f logs/s\n", workers, logs, s, logs / s);
  return 0;
}
