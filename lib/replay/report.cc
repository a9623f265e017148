#include "replay/report.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "store/restores.h"
#include "util/format.h"

namespace flor::replay {
namespace {

constexpr int kExitDivergence = 3;  // the runtime's exit code for an unfaithful replay
constexpr size_t kRefusalsShown = 10;
constexpr int kExitInterrupted = 130;
constexpr int kTailLines = 15;

int64_t range_size(const plan::SegmentPlan& p) { return p.last - p.first + 1; }

// Epochs of the worker's own range that finished (catch-up epochs do not
// count); a step loop's row covers `iters` of them.
int64_t epochs_done(const std::vector<store::EpochRow>& rows, const plan::SegmentPlan& p) {
  int64_t done = 0;
  for (const auto& e : rows) {
    const int64_t first = std::max(e.epoch, p.first), last = std::min(e.epoch + e.iters - 1, p.last);
    if (last >= first) done += last - first + 1;
  }
  return done;
}

// A row of a step loop skipped whole (restored from its loop-end checkpoint).
bool skipped_loop(const store::EpochRow& e) { return e.blocks == 0 && e.skipped > 0; }

std::vector<store::EpochRow> epoch_rows(store::Store& store, int64_t run) {
  auto rows = store.epochs(run);
  return rows.ok() ? *rows : std::vector<store::EpochRow>{};
}

std::string first_divergence(store::Store& store, const std::vector<WorkerView>& workers) {
  std::optional<store::Divergence> first;
  for (const auto& w : workers) {
    auto ds = store.divergences(w.run);
    if (!ds.ok()) continue;
    for (const auto& d : *ds) {
      if (!first || std::tie(d.epoch, d.step) < std::tie(first->epoch, first->step)) first = d;
    }
  }
  if (!first) return "";
  return "first at epoch " + std::to_string(first->epoch) +
         (first->step >= 0 ? ", step " + std::to_string(first->step) : "") + ", '" + first->name + "' (" +
         first->loc + "): recorded " + (first->recorded.empty() ? "<nothing>" : first->recorded) + ", replayed " +
         first->replayed;
}

// The names of the hindsight logs the workers stored on `record` ("(none)"), and how many values.
std::pair<std::string, int64_t> new_logs(store::Store& store, int64_t record, const std::vector<WorkerView>& workers) {
  std::set<int64_t> sources;
  for (const auto& w : workers) sources.insert(w.run);
  std::vector<std::string> names;
  int64_t values = 0;
  auto logs = store.logs(record);
  if (logs.ok()) {
    for (const auto& l : *logs) {
      if (!l.hindsight || !sources.count(l.source)) continue;
      ++values;
      if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return {out.empty() ? "(none)" : out, values};
}

std::string exit_text(const sched::ExitInfo& e) {
  if (e.interrupted) return "interrupted";
  if (e.exit_code == kExitDivergence) return "diverged (exit 3)";
  if (e.exit_code != 0) return "failed (exit " + std::to_string(e.exit_code) + ")";
  return "ok";
}

std::string epochs_text(int64_t first, int64_t last) {
  return first == last ? "epoch " + std::to_string(first)
                       : "epochs " + std::to_string(first) + "-" + std::to_string(last);
}

// "failed (exit 134)"; "" for a complete run.
std::string ending(const store::Run& run) {
  switch (run.status) {
    case store::RunStatus::kComplete:
      return "";
    case store::RunStatus::kFailed:
      return run.exit_code ? "failed (exit " + std::to_string(*run.exit_code) + ")" : "failed";
    case store::RunStatus::kInterrupted:
      return "was interrupted";
    case store::RunStatus::kDead:
      return "died unfinished (its process was killed)";
    case store::RunStatus::kRunning:
      break;
  }
  return "stopped unfinished (killed, or still running)";
}

std::string after_epochs(int64_t recorded_epochs) {
  return recorded_epochs > 0 ? "after epoch " + std::to_string(recorded_epochs - 1)
                             : "before its first epoch ended";
}

// What the workers refused, each file once (two workers may refuse the same
// one: the second restores it at its start, the first for its block).
struct Refused {
  std::vector<store::Refusal> listed;
  int64_t more = 0;      // files refused but not listed (workers keep the first few)
  int64_t restored = 0;  // restores the epoch rows do not count
  int64_t count() const { return static_cast<int64_t>(listed.size()) + more; }
};

Refused refused_checkpoints(store::Store& store, const std::vector<WorkerView>& workers) {
  Refused out;
  for (const auto& w : workers) {
    auto r = store::restores(store, w.run);
    if (!r.ok()) continue;  // a damaged report only loses the details
    out.restored += r->restored;
    out.more += r->refused_more;
    for (auto& x : r->refused) {
      auto same = [&](const store::Refusal& y) { return y.path == x.path; };
      if (std::none_of(out.listed.begin(), out.listed.end(), same)) out.listed.push_back(std::move(x));
    }
  }
  std::sort(out.listed.begin(), out.listed.end(), [](const store::Refusal& a, const store::Refusal& b) {
    return std::tie(a.epoch, a.seq) < std::tie(b.epoch, b.seq);
  });
  return out;
}

// "checkpoints refused: 2 (corrupt, or ...)" and a line per file; "" when none.
std::string refused_text(const Refused& r, bool nothing_restored) {
  if (r.count() == 0) return "";
  std::string out = "checkpoints refused: " + std::to_string(r.count()) +
                    " (corrupt, or holding another run's, epoch's or block's state); what they held was "
                    "re-executed:\n";
  for (size_t i = 0; i < r.listed.size() && i < kRefusalsShown; ++i) {
    const auto& x = r.listed[i];
    out += "  " + x.path + " (epoch " + std::to_string(x.epoch) + ", " +
           (x.seq < 0 ? "end of iteration" : "block '" + x.block + "'") + "): " + x.error + "; " + x.instead +
           "\n";
  }
  const int64_t unlisted = r.count() - static_cast<int64_t>(std::min(r.listed.size(), kRefusalsShown));
  if (unlisted > 0) out += "  ... and " + std::to_string(unlisted) + " more\n";
  if (nothing_restored) {
    out +=
        "restored: nothing: every checkpoint this replay tried was refused, so it re-executed everything "
        "(the files are damaged: check the disk; a new record writes new checkpoints)\n";
  }
  return out;
}

// The verdict. Never claims fidelity for epochs that did not run, nor leaves
// out that the record itself stopped early.
std::string fidelity_line(int64_t divergences, const std::string& first_divergence, int64_t done,
                          int64_t total, bool loop_skipped, const store::Run& record, int64_t recorded_epochs,
                          const std::vector<WorkerView>& workers) {
  if (divergences > 0 || !first_divergence.empty()) {
    return "fidelity: DIVERGED: " + std::to_string(divergences) + " value(s) differ; " + first_divergence +
           "\n";
  }
  if (done < total) {
    return "fidelity: incomplete: no divergence in the " + std::to_string(done) + " epoch(s) replayed\n";
  }
  std::string how = ending(record);
  if (how.empty() && loop_skipped) {
    return "fidelity: ok (the step loop was skipped, its state restored; every recorded value outside it "
           "reproduced)\n";
  }
  if (how.empty() || workers.empty()) return "fidelity: ok (every recorded value reproduced)\n";
  int64_t first = workers[0].plan.first, last = workers[0].plan.last;  // the epochs the workers own
  for (const auto& w : workers) {
    first = std::min(first, w.plan.first);
    last = std::max(last, w.plan.last);
  }
  return "fidelity: ok for " + epochs_text(first, last) + " (every recorded value reproduced); the record " +
         how + " " + after_epochs(recorded_epochs) + ", nothing later to compare\n";
}

}  // namespace

std::string record_outcome(const store::Run& record, int64_t recorded_epochs) {
  std::string how = ending(record);
  if (how.empty()) return "";
  std::string out = "run " + std::to_string(record.id) + " " + how + " " + after_epochs(recorded_epochs);
  if (recorded_epochs > 0) out += ": replay covers its " + epochs_text(0, recorded_epochs - 1) + " only";
  return out;
}

std::string progress_line(store::Store& store, const std::string& name, const std::vector<WorkerView>& workers,
                          double elapsed_s) {
  int64_t done = 0, total = 0;
  double eta = 0;
  std::string line = "replay " + name + ":";
  bool waiting = false;
  for (const auto& w : workers) {
    waiting = waiting || w.run == 0;
    int64_t d = w.run == 0 ? 0 : epochs_done(epoch_rows(store, w.run), w.plan), n = range_size(w.plan);
    done += d;
    total += n;
    line += "  " + (w.label.empty() ? "w" + std::to_string(w.index) : w.label) + " " + std::to_string(d) + "/" + std::to_string(n);
    // A worker's pace so far, over what it has left; the slowest decides.
    if (d > 0) eta = std::max(eta, elapsed_s / static_cast<double>(d) * static_cast<double>(n - d));
  }
  // Workers that have not started: what is left at the job's pace so far.
  if (waiting && done > 0) eta = std::max(eta, elapsed_s / static_cast<double>(done) * static_cast<double>(total - done));
  line += "  [" + std::to_string(done) + "/" + std::to_string(total) + " epochs, " + format_duration(elapsed_s);
  line += done > 0 && done < total ? ", ETA " + format_duration(eta) + "]" : "]";
  return line;
}

ReplaySummary summarize(store::Store& store, const store::Run& record, int64_t recorded_epochs,
                        const std::vector<WorkerView>& workers, const std::vector<sched::ExitInfo>& exits,
                        double elapsed_s, OnDivergence on_divergence) {
  ReplaySummary s;
  const std::string outcome = record_outcome(record, recorded_epochs);
  int64_t done = 0, total = 0, skipped = 0, executed = 0, divergences = 0;
  bool failed = false, interrupted = false, loop_skipped = false;
  // Divergences of the workers that started from the program's start (if any did), and of those
  // restored from a checkpoint.
  bool any_from_start = false;
  int64_t from_start = 0, from_checkpoint = 0;
  std::string lines, tails;
  for (size_t i = 0; i < workers.size(); ++i) {
    const WorkerView& w = workers[i];
    auto rows = epoch_rows(store, w.run);
    int64_t d = epochs_done(rows, w.plan);
    done += d;
    total += range_size(w.plan);
    int64_t own = 0;
    for (const auto& r : rows) {
      skipped += r.skipped, executed += r.executed, own += r.divergences;
      loop_skipped = loop_skipped || skipped_loop(r);
    }
    divergences += own;
    if (w.plan.restore_after) {
      from_checkpoint += own;
    } else {
      any_from_start = true;
      from_start += own;
    }
    lines += "  worker " + std::to_string(w.index) + "  run " + std::to_string(w.run) + "  epochs " +
             std::to_string(w.plan.first) + "-" + std::to_string(w.plan.last) + "  " + w.slot + "  " +
             exit_text(exits[i]) + "  (" + std::to_string(d) + "/" + std::to_string(range_size(w.plan)) +
             " epochs)\n";
    interrupted = interrupted || exits[i].interrupted;
    if (exits[i].exit_code != 0 && exits[i].exit_code != kExitDivergence && !exits[i].interrupted) {
      failed = true;
      tails += "worker " + std::to_string(w.index) + " failed; last lines of " + w.log + ":\n" +
               sched::read_tail(w.log, kTailLines);
    }
  }
  const auto [names, values] = new_logs(store, record.id, workers);
  s.epochs_done = done, s.epochs_total = total, s.new_values = values;
  s.text = (outcome.empty() ? "" : "record: " + outcome + "\n") + lines +
           "epochs replayed: " + std::to_string(done) + " of " + std::to_string(total) + " in " +
           format_duration(elapsed_s) + "\nblocks: " + std::to_string(skipped) + " skipped (restored), " +
           std::to_string(executed) + " re-executed\nnew logs: " + names + "\n";
  const Refused refused = refused_checkpoints(store, workers);
  const bool nothing_restored = refused.count() > 0 && skipped == 0 && refused.restored == 0;
  s.text += refused_text(refused, nothing_restored);
  std::string first = first_divergence(store, workers);
  std::string verdict =
      fidelity_line(divergences, first, done, total, loop_skipped, record, recorded_epochs, workers);
  const bool diverged_values = divergences > 0 || !first.empty();
  s.fidelity = diverged_values ? "diverged" : done < total ? "incomplete" : "ok";
  if (refused.count() > 0 && verdict.rfind("fidelity: ok", 0) == 0) {
    s.fidelity += ", " + std::to_string(refused.count()) + " checkpoint(s) refused";
    verdict.pop_back();  // the newline
    verdict += nothing_restored
                   ? ", but no checkpoint could be restored\n"
                   : ", but " + std::to_string(refused.count()) + " checkpoint(s) were refused\n";
  }
  if (from_checkpoint > 0 && any_from_start && from_start == 0) {
    verdict +=
        "hint: only workers that started from a checkpoint diverged: the program may keep state that no "
        "checkpoint holds (a scheduler or best-so-far value in the epoch body: replay with --strong, or name "
        "it with flor::carried_state; a counter a block changes: register it with flor::checkpoints; "
        "docs/replay.md)\n";
  }
  s.text += verdict + tails;
  const bool diverged = on_divergence == OnDivergence::kFail && diverged_values;
  s.exit_code = interrupted           ? kExitInterrupted
                : failed              ? 1
                : diverged            ? kExitDivergence
                : refused.count() > 0 ? kExitRefused
                                      : 0;
  return s;
}

}  // namespace flor::replay
