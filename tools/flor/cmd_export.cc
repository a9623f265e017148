// flor export: a run's values for TensorBoard, CSV or JSON lines.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "command.h"
#include "context.h"
#include "export/export.h"

namespace flor::cli {

namespace {

Result<int> cmd_export(Context& ctx) {
  const Args& args = ctx.args;
  const int targets = args.has("--tensorboard") + args.has("--csv") + args.has("--jsonl");
  if (targets != 1)
    return invalid_argument("export: give one of --tensorboard DIR, --csv DIR or --jsonl FILE");
  if (args.has("--run") && args.has("--runs"))
    return invalid_argument("export: --run and --runs exclude each other");
  if (args.has("--runs") && *args.value("--runs") != "all") {
    return invalid_argument("export: --runs " + *args.value("--runs") + ": the only choice is 'all'");
  }
  store::Store* store = ctx.store.get();
  std::vector<store::Run> records;
  if (args.has("--runs")) {
    FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->kind == store::RunKind::kRecord) records.push_back(*it);
    }
  } else {
    FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(*store, args.value("--run").value_or("")));
    if (run.kind == store::RunKind::kReplay && run.parent) {  // its values live with the record
      FLOR_ASSIGN_OR_RETURN(run, store->run(*run.parent));
    }
    records.push_back(run);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> jsonl(nullptr, std::fclose);
  if (auto file = args.value("--jsonl")) {
    jsonl.reset(*file == "-" ? stdout : std::fopen(file->c_str(), "w"));
    if (!jsonl) return io_error("cannot write " + *file + ": " + std::strerror(errno));
    if (*file == "-") jsonl.get_deleter() = [](std::FILE*) { return 0; };
  }
  for (const store::Run& r : records) {
    if (auto dir = args.value("--tensorboard"))
      FLOR_RETURN_IF_ERROR(exports::export_tensorboard(*store, r, *dir));
    if (auto dir = args.value("--csv")) FLOR_RETURN_IF_ERROR(exports::export_csv(*store, r, *dir));
    if (jsonl) FLOR_RETURN_IF_ERROR(exports::export_jsonl(*store, r, jsonl.get()));
  }
  if (jsonl && std::fflush(jsonl.get()) != 0) return io_error("cannot write " + *args.value("--jsonl"));
  if (!args.has("--jsonl") || *args.value("--jsonl") != "-") {
    std::fprintf(stderr, "exported %zu run(s) of '%s'\n", records.size(), ctx.name.c_str());
  }
  return 0;
}

}  // namespace

extern const Command kExportCommand = {
    "export",
    "a run's values as TensorBoard event files, CSV or JSON lines",
    "NAME",
    "Writes a recorded run's values, its own and those replays filled in, for\n"
    "other viewers (docs/export.md). Give one of --tensorboard, --csv, --jsonl.\n",
    {{"--run", nullptr, "REF",
      "a run id or a shadow commit prefix (default: the newest record; a replay stands for the record it "
      "replayed)"},
     {"--runs", nullptr, "all", "every recorded run of NAME"},
     {"--tensorboard", nullptr, "DIR",
      "TensorBoard event files: DIR/run<ID> (recorded values) and DIR/run<ID>-hindsight (filled in by "
      "replays); "
      "scalars, histograms, images and text at the epoch (or the global step of a per-step value), wall time "
      "from the record. W&B (sync_tensorboard) and Aim read them too"},
     {"--csv", nullptr, "DIR",
      "DIR/run<ID>.csv: every value, exact text (tensors, histograms and images as JSON)"},
     {"--jsonl", nullptr, "FILE", "one JSON object a value (FILE - : standard output)"}},
    "Then view them with `tensorboard --logdir DIR`.\n"
    "\n"
    "example: flor export mnist --runs all --tensorboard tb\n",
    NeedsRepo::kNo,
    NeedsStore::kExperiment,
    cmd_export,
};

}  // namespace flor::cli
