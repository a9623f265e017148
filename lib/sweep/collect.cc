#include "sweep/collect.h"

#include "store/store.h"
#include "util/file.h"
#include "sweep/run_spec.h"

namespace flor::sweep {
namespace {

// The run's info gets {"sweep": {id, folder, hash, params}}, so the store says
// which sweep and permutation a recorded run came from.
Status tag_run(store::Store& store, int64_t run, const CollectContext& ctx, const Entry& entry) {
  FLOR_ASSIGN_OR_RETURN(store::Run row, store.run(run));
  store::SweepTag tag{ctx.sweep_id, entry.folder, entry.hash, {}};
  for (const auto& [name, value] : entry.params.items()) tag.params[name] = value.dump();
  row.info.sweep = std::move(tag);
  return store.set_run_info(run, row.info);
}

Result<History> recorded_history(const CollectContext& ctx, int64_t run, const Entry& entry) {
  FLOR_ASSIGN_OR_RETURN(auto store, store::Store::open(ctx.home, ctx.name));
  FLOR_RETURN_IF_ERROR(tag_run(*store, run, ctx, entry));
  FLOR_ASSIGN_OR_RETURN(std::vector<store::LogRow> rows, store->logs(run));
  return history_from_logs(rows);
}

}  // namespace

Status collect_run(const CollectContext& ctx, Entry* entry) {
  Result<std::string> id = read_file(ctx.layout.run_id_file(entry->folder));
  entry->flor_run = id.ok() ? parse_run_id(*id) : std::nullopt;
  History history;
  Status store_status;
  bool from_store = false;
  if (entry->flor_run) {
    Result<History> h = recorded_history(ctx, *entry->flor_run, *entry);
    if (h.ok()) history = *h;
    store_status = h.status();
    from_store = !history.empty();
  }
  // A program that logs nothing through flor still prints its metrics.
  if (history.empty()) {
    Result<std::string> out = read_file(ctx.layout.stdout_log(entry->folder));
    if (out.ok()) history = history_from_output(*out);
  }
  entry->final_metrics = final_metrics(history);
  Json extra = {{"command", ctx.command},
                {"experiment", ctx.name},
                {"sweep", ctx.sweep_id},
                {"metrics_from", from_store ? "store" : "output"}};
  FLOR_RETURN_IF_ERROR(write_run_files(ctx.layout, *entry, history, extra));
  return store_status.with_context("reading run " + std::to_string(entry->flor_run.value_or(0)) +
                                   " from the store");
}

}  // namespace flor::sweep
