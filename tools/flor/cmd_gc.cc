// flor gc: frees the checkpoints of older records.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "ckpt/gc.h"
#include "objstore/remote_gc.h"
#include "command.h"
#include "context.h"
#include "store/value.h"

namespace flor::cli {
namespace {

constexpr double kBusyWindowS = 24 * 3600;  // a run this recent and still "running" may be writing

enum class Orphans { kKeep, kDelete };
enum class DryRun { kNo, kYes };  // --dry-run: say what would be freed, change nothing

struct GcResult {
  int64_t freed = 0;
  int runs_dropped = 0;
  int unattributed = 0;  // checkpoint files no run of the store names: kept, or deleted with --orphans
  std::string skipped;   // why the experiment was left alone
  std::optional<objstore::RemoteGcResult> remote;  // with --ckpt-url / FLOR_CKPT_URL
};

bool may_be_writing(const std::vector<store::Run>& runs) {
  for (const auto& r : runs) {
    if (r.status == store::RunStatus::kRunning && now_seconds() - r.started < kBusyWindowS) return true;
  }
  return false;
}

// The store lost (missing or empty flor.db) and --orphans given: every checkpoint file goes.
Result<GcResult> gc_lost_store(const std::string& dir, DryRun dry_run) {
  GcResult out;
  FLOR_ASSIGN_OR_RETURN(auto names, ckpt::list_checkpoints(dir));
  out.unattributed = static_cast<int>(names.size());
  FLOR_ASSIGN_OR_RETURN(out.freed, ckpt::collect_garbage(dir, {}, dry_run == DryRun::kYes));
  return out;
}

Result<GcResult> gc_experiment(const std::string& home, const std::string& name, int keep, DryRun dry_run,
                               Orphans orphans, const std::string& ckpt_url) {
  if (orphans == Orphans::kDelete && store::Store::store_lost(home, name)) {
    return gc_lost_store(home + "/" + name + "/ckpt", dry_run);
  }
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(home, name));
  FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());  // newest first; dead runs no longer read as running
  GcResult out;
  if (may_be_writing(runs)) {
    out.skipped = "a run is still running";
    return out;
  }
  std::vector<std::string> live;
  std::vector<int64_t> drop;
  std::set<std::string> named;  // file names the store's rows give
  int records = 0;
  for (const auto& r : runs) {
    FLOR_ASSIGN_OR_RETURN(auto cks, store->checkpoints(r.id));
    if (cks.empty()) continue;
    for (const auto& c : cks) named.insert(std::filesystem::path(c.path).filename().string());
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
  // A file is this store's when a row names it or its name carries the store's
  // id (a file whose row a crash, or an earlier gc, left out). Any other file
  // (an older store's in this folder) is kept, with its packs, unless --orphans.
  FLOR_ASSIGN_OR_RETURN(auto files, ckpt::list_checkpoints(dir));
  for (const auto& f : files) {
    if (named.count(f) || f.rfind(store->id() + "-", 0) == 0) continue;
    ++out.unattributed;
    if (orphans == Orphans::kKeep) live.push_back(f);
  }
  // Rows first: a row never names a deleted file. A gc that stops after this
  // leaves files no row names but with the store's id, which the next gc deletes.
  if (dry_run == DryRun::kNo) {
    for (int64_t id : drop) FLOR_RETURN_IF_ERROR(store->remove_checkpoints(id));
  }
  FLOR_ASSIGN_OR_RETURN(out.freed, ckpt::collect_garbage(dir, live, dry_run == DryRun::kYes));
  if (!ckpt_url.empty()) {
    FLOR_ASSIGN_OR_RETURN(objstore::S3Config config, objstore::s3_config(ckpt_url, process_env()));
    objstore::S3Client client(std::move(config));
    FLOR_ASSIGN_OR_RETURN(out.remote,
                          objstore::collect_remote_garbage(client, name, live, dry_run == DryRun::kYes, dir));
  }
  FLOR_ASSIGN_OR_RETURN(int64_t values, store::collect_value_blobs(*store, dry_run == DryRun::kYes));
  out.freed += values;
  return out;
}

Result<int> cmd_gc(Context& ctx) {
  const Args& args = ctx.args;
  FLOR_ASSIGN_OR_RETURN(auto keep, args.int_value("--keep-last", 0, 1000000));
  const bool dry = args.has("--dry-run");
  const Orphans orphans = args.has("--orphans") ? Orphans::kDelete : Orphans::kKeep;
  FLOR_ASSIGN_OR_RETURN(std::string ckpt_url, ckpt_url_value("gc", args));
  const std::string& home = ctx.home;
  std::vector<std::string> names;
  if (!args.positional.empty()) {
    names.push_back(args.positional[0]);
  } else {
    FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list(home));
    for (const auto& e : experiments) names.push_back(e.name);
  }
  int64_t total = 0;
  int64_t remote_total = 0;
  int unreadable = 0;
  for (const auto& name : names) {
    Result<GcResult> r = gc_experiment(home, name, keep.value_or(1), dry ? DryRun::kYes : DryRun::kNo, orphans,
                                       ckpt_url);
    if (!r.ok()) {
      // One experiment that cannot be read leaves the others to be collected.
      std::fprintf(stderr, "flor: gc: skipped '%s': %s\n", name.c_str(), r.status().message().c_str());
      ++unreadable;
      continue;
    }
    if (!r->skipped.empty()) {
      std::printf("%s: skipped (%s)\n", name.c_str(), r->skipped.c_str());
      continue;
    }
    total += r->freed;
    std::printf("%s: %s %s from %d run(s)", name.c_str(), dry ? "would free" : "freed", format_bytes(r->freed).c_str(),
                r->runs_dropped);
    if (r->unattributed > 0 && orphans == Orphans::kKeep) {
      std::printf("; kept %d checkpoint file(s) no run of this store names (`flor gc %s --orphans` deletes them)",
                  r->unattributed, name.c_str());
    } else if (r->unattributed > 0) {
      std::printf("; %s %d checkpoint file(s) no run of this store names", dry ? "would delete" : "deleted",
                  r->unattributed);
    }
    std::printf("\n");
    if (r->remote) {
      for (const auto& o : r->remote->deleted) {
        std::printf("  %s s3://%s/%s (%lld bytes)\n", dry ? "would delete" : "deleted", r->remote->bucket.c_str(),
                    o.key.c_str(),
                    static_cast<long long>(o.size));
      }
      std::printf("%s: %s %lld bytes in %zu object(s) of the object store\n", name.c_str(),
                  dry ? "would free" : "freed", static_cast<long long>(r->remote->bytes), r->remote->deleted.size());
      remote_total += r->remote->bytes;
    }
  }
  std::printf("%s %s in total (%lld bytes)\n", dry ? "would free" : "freed", format_bytes(total).c_str(),
              static_cast<long long>(total));
  if (!ckpt_url.empty()) {
    std::printf("%s %lld bytes in the object store (%s)\n", dry ? "would free" : "freed",
                static_cast<long long>(remote_total), ckpt_url.c_str());
  }
  return unreadable == 0 ? 0 : 1;
}

}  // namespace

extern const Command kGcCommand = {
    "gc",
    "free checkpoint bytes of older runs",
    "[NAME]",
    "Frees checkpoint bytes: keeps the checkpoints of the K newest record runs of\n"
    "each experiment (or of NAME) and deletes the others, then every checkpoint\n"
    "blob no kept checkpoint uses (a kept checkpoint may share blobs with older\n"
    "runs; a file of blobs that is mostly unused is rewritten smaller), and the\n"
    "temp files of unfinished writes. Logs and runs stay. An experiment with a\n"
    "running run is skipped (a dead run, whose process is gone, is not running).\n"
    "A checkpoint file that no run of the store names (one of an older store in\n"
    "the same folder) is kept unless --orphans. An experiment whose store cannot be\n"
    "read gets one line on stderr, the others are collected, and the exit status\n"
    "is 1.\n",
    {
        {"--keep-last", nullptr, "K", "records whose checkpoints stay (default 1)"},
        {"--dry-run", nullptr, nullptr, "say what would be freed, to the byte; change nothing"},
        {"--orphans", nullptr, nullptr,
         "also delete checkpoint files no run of the store names, and every checkpoint file of an experiment "
         "whose flor.db is missing or empty"},
        ckpt_url_option("also delete the objects no kept checkpoint needs from this object store, "
                        "s3://bucket/prefix (default $FLOR_CKPT_URL); the dry run lists each with its bytes"),
    },
    "",
    NeedsRepo::kNo,
    NeedsStore::kNo,  // each experiment on its own; a lost store is collected without opening one
    cmd_gc,
};

}  // namespace flor::cli
