// flor gc [NAME] [--keep-last K] [--dry-run]: frees the checkpoints of older records.
#include <cstdio>
#include <filesystem>

#include "ckpt/gc.h"
#include "context.h"

namespace flor::cli {
namespace {

constexpr double kBusyWindowS = 24 * 3600;  // a run this recent and still "running" may be writing

struct GcResult {
  int64_t freed = 0;
  int runs_dropped = 0;
  std::string skipped;  // why the experiment was left alone
};

bool may_be_writing(const std::vector<store::Run>& runs) {
  for (const auto& r : runs) {
    if (r.status == store::RunStatus::kRunning && now_seconds() - r.started < kBusyWindowS) return true;
  }
  return false;
}

Result<GcResult> gc_experiment(const std::string& home, const std::string& name, int keep, bool dry_run) {
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(home, name));
  FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());  // newest first
  GcResult out;
  if (may_be_writing(runs)) {
    out.skipped = "a run is still running";
    return out;
  }
  std::vector<std::string> live;
  std::vector<int64_t> drop;
  int records = 0;
  for (const auto& r : runs) {
    FLOR_ASSIGN_OR_RETURN(auto cks, store->checkpoints(r.id));
    if (cks.empty()) continue;
    bool kept = r.kind == store::RunKind::kRecord && records++ < keep;
    if (r.kind != store::RunKind::kRecord) kept = true;  // replays write none; keep whatever they list
    if (kept) {
      for (const auto& c : cks) live.push_back(c.path);
    } else {
      drop.push_back(r.id), ++out.runs_dropped;
    }
  }
  const std::string dir = store->dir() + "/ckpt";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;  // no checkpoint was ever written
  // Rows first: a row never names a deleted file. A gc that stops after this
  // leaves files no row names, which the next gc deletes (it always collects).
  if (!dry_run) {
    for (int64_t id : drop) FLOR_RETURN_IF_ERROR(store->remove_checkpoints(id));
  }
  FLOR_ASSIGN_OR_RETURN(out.freed, rt::collect_garbage(dir, live, dry_run));
  return out;
}

}  // namespace

Result<int> cmd_gc(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("gc", words, {{"--keep-last", nullptr, Takes::kValue},
                                                           {"--dry-run", nullptr, Takes::kFlag}}));
  FLOR_RETURN_IF_ERROR(expect_positionals("gc", args, 0, 1));
  FLOR_ASSIGN_OR_RETURN(auto keep, args.int_value("--keep-last", 0, 1000000));
  const bool dry = args.has("--dry-run");
  const std::string home = flor_home();
  std::vector<std::string> names;
  if (!args.positional.empty()) {
    names.push_back(args.positional[0]);
  } else {
    FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list(home));
    for (const auto& e : experiments) names.push_back(e.name);
  }
  int64_t total = 0;
  for (const auto& name : names) {
    FLOR_ASSIGN_OR_RETURN(GcResult r, gc_experiment(home, name, keep.value_or(1), dry));
    if (!r.skipped.empty()) {
      std::printf("%s: skipped (%s)\n", name.c_str(), r.skipped.c_str());
      continue;
    }
    total += r.freed;
    std::printf("%s: %s %s from %d run(s)\n", name.c_str(), dry ? "would free" : "freed",
                format_bytes(r.freed).c_str(), r.runs_dropped);
  }
  std::printf("%s %s in total (%lld bytes)\n", dry ? "would free" : "freed", format_bytes(total).c_str(),
              static_cast<long long>(total));
  return 0;
}

}  // namespace flor::cli
