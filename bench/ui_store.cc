// bench/ui_store: fills an experiment with synthetic runs for bench/ui_report.sh
// (the size and opening time of `flor report`).
//
//   ui_store FLOR_HOME NAME RUNS EPOCHS METRICS
//       RUNS complete record runs of experiment NAME, each logging METRICS
//       doubles ("metric_0", ...) at every one of EPOCHS epochs (full
//       precision: noisy decaying curves), two arguments and an epoch row each.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "store/store.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: ui_store FLOR_HOME NAME RUNS EPOCHS METRICS\n");
    return 2;
  }
  const std::string home = argv[1], name = argv[2];
  const int runs = std::atoi(argv[3]), epochs = std::atoi(argv[4]), metrics = std::atoi(argv[5]);
  auto store = flor::store::Store::open(home, name);
  if (!store.ok()) {
    std::fprintf(stderr, "ui_store: %s\n", store.status().to_string().c_str());
    return 1;
  }
  auto& s = **store;
  const double t0 = static_cast<double>(std::time(nullptr)) - runs * 60.0;
  for (int r = 0; r < runs; ++r) {
    flor::store::Run run;
    run.name = name;
    run.started = t0 + r * 60.0;
    run.command = {"./train", "--lr", std::to_string(0.001 * (r + 1))};
    auto id = s.create_run(run);
    if (!id.ok()) return std::fprintf(stderr, "ui_store: %s\n", id.status().to_string().c_str()), 1;
    (void)s.put_args(*id, {{"lr", std::to_string(0.001 * (r + 1))}, {"batch", "64"}});
    for (int e = 0; e < epochs; ++e) {
      std::vector<flor::store::LogRow> logs;
      for (int m = 0; m < metrics; ++m) {
        char value[32];
        double v = (m + 1) * std::exp(-0.03 * e * (1 + 0.01 * r)) + 0.01 * std::sin(e * 7.3 + r + m);
        std::snprintf(value, sizeof value, "%.17g", v);
        logs.push_back({*id, *id, e, -1, "metric_" + std::to_string(m), value, "double", "train.cc:1", false});
      }
      flor::store::EpochRow row;
      row.run = *id;
      row.epoch = e;
      row.seconds = 1;
      row.ended = run.started + e;
      flor::Status st = s.commit_epoch(row, logs);
      if (!st.ok()) return std::fprintf(stderr, "ui_store: %s\n", st.to_string().c_str()), 1;
    }
    (void)s.finish_run(*id, flor::store::RunStatus::kComplete, 0);
  }
  std::printf("ui_store: %d runs x %d epochs x %d metrics in %s/%s\n", runs, epochs, metrics, home.c_str(), name.c_str());
  return 0;
}
