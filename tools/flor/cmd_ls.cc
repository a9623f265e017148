// flor ls: the experiments under FLOR_HOME.
#include <cstdio>
#include <filesystem>
#include <set>

#include "command.h"
#include "context.h"
#include "report/table.h"

namespace flor::cli {
namespace {

int64_t bytes_under(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

// bytes: "1.5 MiB" in a table, the exact count in csv and json.
Result<std::vector<report::Cell>> experiment_row(const std::string& home, const store::Experiment& e,
                                                 report::Format format) {
  FLOR_ASSIGN_OR_RETURN(auto store, store::Store::open(home, e.name, store::OpenMode::kExisting));
  FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());
  int64_t checkpoints = 0, epochs = 0;
  for (const auto& r : runs) {
    FLOR_ASSIGN_OR_RETURN(auto cks, store->checkpoints(r.id));
    checkpoints += static_cast<int64_t>(cks.size());
  }
  auto rec = store->latest_record();
  if (rec.ok()) {
    FLOR_ASSIGN_OR_RETURN(auto rows, store->epochs(rec->id));
    epochs = static_cast<int64_t>(rows.size());
  }
  std::string last = runs.empty() ? "-"
                                  : std::to_string(runs.front().id) + " " + store::to_string(runs.front().kind) + " " +
                                        store::to_string(runs.front().status) + " " + format_time(runs.front().started);
  return std::vector<report::Cell>{e.name, std::to_string(runs.size()), last, std::to_string(epochs),
                                   std::to_string(checkpoints),
                                   format == report::Format::kTable ? format_bytes(bytes_under(e.dir))
                                                                    : std::to_string(bytes_under(e.dir))};
}

}  // namespace

Result<int> cmd_ls(Context& ctx) {
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(ctx.args));
  const std::string& home = ctx.home;
  FLOR_ASSIGN_OR_RETURN(auto experiments, store::Store::list(home));
  if (experiments.empty() && format == report::Format::kTable) {
    std::printf("no experiments in %s yet (record one with `flor run NAME -- CMD`)\n", home.c_str());
    return 0;
  }
  report::Table t;
  t.columns = {"experiment", "runs",        "last run",
               "epochs",     "checkpoints", format == report::Format::kTable ? "on disk" : "bytes"};
  std::vector<std::string> unreadable;  // one line each, after the others are listed
  for (const auto& e : experiments) {
    auto row = experiment_row(home, e, format);
    if (!row.ok()) {
      unreadable.push_back("flor: ls: skipped '" + e.name + "': " + row.status().message());
      continue;
    }
    t.rows.push_back(std::move(row).value());
  }
  std::fputs(report::render(t, format).c_str(), stdout);
  for (const auto& line : unreadable) std::fprintf(stderr, "%s\n", line.c_str());
  return unreadable.empty() ? 0 : 1;
}

extern const Command kLsCommand = {
    "ls",
    "the experiments: runs, epochs, checkpoints, bytes",
    "",
    "The experiments in FLOR_HOME: runs, the last run, its epochs, checkpoints and\n"
    "bytes on disk. An experiment whose store cannot be read (a damaged flor.db, or\n"
    "none beside its checkpoints) gets one line on stderr naming the file and what\n"
    "to do, the others are listed, and the exit status is 1.\n",
    {format_option("table (default), csv or json (bytes as an exact count)")},
    "",
    NeedsRepo::kNo,
    NeedsStore::kNo,  // every experiment, each opened on its own
    cmd_ls,
};

}  // namespace flor::cli
