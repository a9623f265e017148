// flor sweep: every permutation of a config.
// Runs every permutation of CONFIG as a recorded run over the machine's slots
// (docs/sweep.md). The logic lives in lib/sweep; this file parses, prints and
// wires the hooks.
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <set>

#include "command.h"
#include "context.h"
#include "sched/process.h"
#include "sweep/collect.h"
#include "sweep/expand.h"
#include "util/file.h"
#include "sweep/run_spec.h"
#include "sweep/report.h"
#include "sweep/scheduler.h"

namespace flor::cli {

namespace {

using namespace flor::sweep;

// Set by SIGINT/SIGTERM; the scheduler stops its runs and returns.
std::atomic<bool> g_stop(false);
void on_signal(int) { g_stop = true; }

struct Request {
  std::string config_path;
  Config config;
  std::vector<Permutation> perms;
  std::vector<std::string> command;
  std::string sweep_id;
  bool dry_run = false;
  bool record = true;
  report::Format format = report::Format::kTable;
  Rerun rerun = Rerun::kResume;
};

// Every check that needs no writing: bad input starts nothing.
Result<Request> parse_request(const Args& args) {
  Request r;
  FLOR_ASSIGN_OR_RETURN(r.format, format_value(args));
  r.config_path = args.positional[0];
  FLOR_ASSIGN_OR_RETURN(r.config, load_config(r.config_path));
  for (const std::string& w : r.config.warnings) std::fprintf(stderr, "flor: warning: %s\n", w.c_str());
  FLOR_ASSIGN_OR_RETURN(r.perms, expand(r.config));
  if (r.config.data_name.empty()) {
    return invalid_argument(r.config_path +
                            ": missing \"data_name\": the experiment the runs are recorded under");
  }
  FLOR_RETURN_IF_ERROR(
      store::Store::check_name(r.config.data_name).with_context(r.config_path + ": data_name"));
  if (!args.has_command || args.command.empty()) {
    return invalid_argument("sweep: missing command: flor sweep " + r.config_path + " -- CMD [ARGS...]");
  }
  r.command = args.command;
  FLOR_RETURN_IF_ERROR(sched::resolve_command(r.command[0], process_env()).status());
  r.sweep_id = args.value("--id").value_or(default_sweep_id(r.config_path));
  FLOR_RETURN_IF_ERROR(store::Store::check_name(r.sweep_id).with_context("sweep: --id"));
  r.dry_run = args.has("--dry-run");
  r.record = !args.has("--no-record");
  if (args.has("--retry-failed")) r.rerun = Rerun::kRetryFailed;
  return r;
}

Result<std::string> self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return internal_error("cannot find the flor binary (/proc/self/exe)");
  return std::string(buf, static_cast<size_t>(n));
}

// A row per permutation: whether it would run, its journal state ("new" when
// the journal has none), its folder, a column per parameter.
int print_dry_run(const Request& r, const std::vector<Entry>& entries, const Journal& journal) {
  std::set<std::string> keys;
  for (const Entry& e : entries) {
    for (const auto& [k, v] : e.params.items()) keys.insert(k);
  }
  report::Table t;
  t.columns = {"action", "state", "run"};
  t.columns.insert(t.columns.end(), keys.begin(), keys.end());
  int to_run = 0;
  for (const Entry& e : entries) {
    bool run = wants_run(e, journal, r.rerun);
    to_run += run;
    const Entry* known = journal.find(e.hash);
    std::vector<report::Cell> row = {std::string(run ? "run" : "skip"),
                                     std::string(known ? to_string(known->state) : "new"), e.folder};
    for (const std::string& k : keys) {
      row.push_back(e.params.contains(k) ? report::Cell(value_text(e.params[k])) : std::nullopt);
    }
    t.rows.push_back(std::move(row));
  }
  t.footnote = std::to_string(to_run) + " of " + std::to_string(entries.size()) +
               " permutations would run (sweep " + r.sweep_id + "; nothing was started)";
  std::fputs(report::render(t, r.format).c_str(), stdout);
  return 0;
}

// The live line rewrites itself at a terminal; in a log it is printed when
// the counts change.
class ProgressPrinter {
 public:
  void update(const Progress& p) {
    std::string counts = std::to_string(p.done) + "/" + std::to_string(p.running) + "/" +
                         std::to_string(p.queued) + "/" + std::to_string(p.failed);
    line_ = progress_line(p);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line_.c_str());
    } else if (counts != last_counts_) {
      std::fprintf(stderr, "%s\n", line_.c_str());
    }
    last_counts_ = counts;
  }
  // A full line (an event) above the live one.
  void print(const std::string& text) {
    if (tty_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s\n", text.c_str());
    if (tty_ && !line_.empty()) std::fprintf(stderr, "%s", line_.c_str());
  }
  void finish() {
    if (tty_ && !line_.empty()) std::fprintf(stderr, "\n");
  }

 private:
  bool tty_ = ::isatty(STDERR_FILENO) != 0;
  std::string line_, last_counts_;
};

std::string indent(const std::string& text) {
  std::string out = "    | ";
  for (char c : text) out += c == '\n' ? std::string("\n    | ") : std::string(1, c);
  return out;
}

void print_event(ProgressPrinter& out, const Event& e, const SweepLayout& layout) {
  std::string who = e.entry ? e.entry->folder : "";
  switch (e.kind) {
    case EventKind::kStarted:
      out.print("flor: started " + who + " on " + e.text);
      break;
    case EventKind::kDone:
      out.print("flor: done    " + who);
      break;
    case EventKind::kAdded:
      out.print("flor: config edited: added " + who);
      break;
    case EventKind::kDropped:
      out.print("flor: config edited: dropped " + who + " (not started)");
      break;
    case EventKind::kWarning:
      out.print("flor: warning: " + e.text);
      break;
    case EventKind::kHalted:
      out.print("flor: sweep stopped: " + e.text);
      break;
    case EventKind::kRetrying:
    case EventKind::kFailed: {
      bool retry = e.kind == EventKind::kRetrying;
      std::string head = "flor: " + std::string(retry ? "retrying " : "FAILED  ") + who + " (" +
                         e.entry->reason + ", attempt " + std::to_string(e.entry->attempts) + "); log " +
                         layout.run_dir(who);
      out.print(e.text.empty() ? head : head + "\n" + indent(e.text));
      break;
    }
  }
}

Hooks make_hooks(const Request& r, const RunTemplate& tmpl, const CollectContext& ctx, Journal* journal,
                 ProgressPrinter* out) {
  Hooks h;
  h.launch = [tmpl, ctx](const Entry& e, const Slot& slot) -> Result<ChildSpec> {
    std::remove(ctx.layout.run_id_file(e.folder).c_str());  // an earlier attempt's run is not this one
    return run_spec(tmpl, e, slot, ctx.layout);
  };
  h.finished = [ctx](Entry* e) { return collect_run(ctx, e); };
  h.reload = [path = r.config_path, journal]() -> Result<Reloaded> {
    FLOR_ASSIGN_OR_RETURN(Config c, load_config(path));
    FLOR_ASSIGN_OR_RETURN(std::vector<Permutation> perms, expand(c));
    return Reloaded{entries_for(c, perms, *journal), c.meta};
  };
  h.on_event = [out, ctx, journal](const Event& e) {
    print_event(*out, e, ctx.layout);
    if (e.kind == EventKind::kDone || e.kind == EventKind::kFailed) {
      Status st = write_sweep_files(ctx.layout, *journal);  // partial results are visible at once
      if (!st.ok()) out->print("flor: warning: " + st.message());
    }
  };
  h.on_progress = [out](const Progress& p) { out->update(p); };
  return h;
}

Result<int> cmd_sweep(Context& cli) {
  FLOR_ASSIGN_OR_RETURN(Request r, parse_request(cli.args));
  const std::string& home = cli.home;
  SweepLayout layout(sweep_root(home, r.config.data_name, r.sweep_id));
  FLOR_ASSIGN_OR_RETURN(Journal journal, Journal::open(layout.journal()));
  std::vector<Entry> entries = entries_for(r.config, r.perms, journal);
  if (r.dry_run) return print_dry_run(r, entries, journal);
  if (r.record)
    FLOR_RETURN_IF_ERROR(
        open_repo().status().with_context("sweep (use --no-record to run without recording)"));
  FLOR_ASSIGN_OR_RETURN(std::vector<Slot> slots,
                        make_slots(r.config.meta, sched::discover_devices(process_env())));
  FLOR_ASSIGN_OR_RETURN(std::string flor_exe, self_exe());
  FLOR_ASSIGN_OR_RETURN(FileLock lock, lock_sweep(layout.root() + "/lock"));

  RunTemplate tmpl{r.record ? flor_exe : "", r.config.data_name,     r.sweep_id, r.command,
                   r.config.meta.flag_style, r.config.meta.flag_keys};
  CollectContext ctx{layout, home, r.config.data_name, r.sweep_id, r.command};
  std::string labels;
  for (const Slot& s : slots) labels += (labels.empty() ? "" : ", ") + s.label;
  std::fprintf(stderr, "flor: sweep %s: %zu permutations over %zu slots (%s); results in %s\n",
               r.sweep_id.c_str(), entries.size(), slots.size(), labels.c_str(), layout.root().c_str());

  SchedulerOptions options;
  options.meta = r.config.meta;
  options.watch_path = r.config_path;
  options.rerun = r.rerun;
  ProgressPrinter out;
  Scheduler scheduler(&journal, slots, options, make_hooks(r, tmpl, ctx, &journal, &out));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  Result<Summary> summary = scheduler.run(entries, g_stop);
  out.finish();
  FLOR_RETURN_IF_ERROR(summary.status());
  FLOR_RETURN_IF_ERROR(write_sweep_files(layout, journal));
  bool table = r.format == report::Format::kTable;
  std::fputs(report::render(table ? runs_table(journal.entries()) : data_table(journal.entries()), r.format).c_str(),
             stdout);
  std::fprintf(stderr, "flor: table %s, plots %s/\n", layout.csv().c_str(), layout.plots().c_str());
  if (summary->interrupted) {
    std::fprintf(stderr, "flor: sweep interrupted; run the same command again to resume\n");
    return 130;
  }
  if (summary->failed > 0) {
    std::fprintf(stderr, "flor: %d run(s) failed; --retry-failed runs them again\n", summary->failed);
    return 1;
  }
  return summary->halted ? 1 : 0;
}

}  // namespace

// flor show NAME --sweep (the hook is one line in cmd_show.cc).
Result<int> show_sweeps(const std::string& home, const std::string& name, report::Format format) {
  FLOR_ASSIGN_OR_RETURN(std::string tables, sweep_tables(home, name, format));
  std::fputs(tables.c_str(), stdout);
  return 0;
}

extern const Command kSweepCommand = {
    "sweep",
    "run every permutation of a config as recorded runs over the GPUs or CPU slots",
    "CONFIG.json -- CMD [ARGS...]",
    "Runs every permutation of CONFIG (each array-valued key is an axis; meta holds\n"
    "the sweep's settings) as `flor run DATA_NAME -- CMD --key=value...`, with the\n"
    "values also in the environment as FLOR_ARG_<key> (flor::arg reads them). One\n"
    "run per GPU (CUDA_VISIBLE_DEVICES), else CPU slots with pinned thread counts;\n"
    "meta.max_parallel caps it. A journal in FLOR_HOME/DATA_NAME/sweeps/ID makes\n"
    "the same command resume: finished permutations are skipped. Editing CONFIG\n"
    "while it runs queues new permutations and drops pending ones that went away;\n"
    "meta edits apply to the runs not started yet (slot settings: next start).\n"
    "Results: a folder per run (logs, run_data.json, history.json, plots),\n"
    "run_data.csv and plots/<metric>.svg over all runs. Format: docs/sweep.md.\n",
    {
        {"--dry-run", "-n", nullptr, "list what would run and what is skipped; start nothing"},
        {"--retry-failed", nullptr, nullptr, "run only the permutations that failed before"},
        {"--id", nullptr, "ID", "the sweep's name (default: CONFIG's name + a hash of its path)"},
        {"--no-record", nullptr, nullptr, "run CMD directly, not under `flor run` (no git repo needed)"},
        format_option("the dry run's list and the final table: table (default), csv or json (every column of "
                      "run_data.csv, every digit)"),
    },
    "meta keys: exclude_configs, max_parallel, allow_cpu, retries, timeout_s,\n"
    "  on_failure (continue|halt), mem_trace {enabled, delay_s}, runs_per_gpu,\n"
    "  threads_per_run, flag_style (key|dashes|none), flags [keys passed as flags]\n"
    "\n"
    "exit status: 0 when every run finished, 1 when one failed, 130 when interrupted.\n"
    "\n"
    "example: flor sweep sweeps/grid.json -- ./build/train --epochs 5\n",
    NeedsRepo::kNo,  // only to record (not with --no-record or --dry-run)
    NeedsStore::kNo,
    cmd_sweep,
};

}  // namespace flor::cli
