// flor diff: the code diff between two runs' versions, then the logs that differ.
#include <cstdio>
#include <map>
#include <tuple>

#include "command.h"
#include "context.h"
#include "git/shadow.h"
#include "report/table.h"

namespace flor::cli {
namespace {

using LogKey = std::tuple<int64_t, int64_t, std::string>;  // (epoch, step, name)

struct Side {
  store::Run run;
  std::map<LogKey, std::string> logs;
};

// A run's values: a record's own logs, or what a replay produced (fingerprints
// are compared by the replay itself; here its hindsight values).
Result<Side> load(const std::string& home, const std::string& text) {
  FLOR_ASSIGN_OR_RETURN(RunSpec spec, parse_run_spec(text));
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(home, spec.name));
  Side side;
  FLOR_ASSIGN_OR_RETURN(side.run, find_run(*store, spec.ref));
  bool replay = side.run.kind == store::RunKind::kReplay && side.run.parent;
  FLOR_ASSIGN_OR_RETURN(auto logs, store->logs(replay ? *side.run.parent : side.run.id));
  for (const auto& l : logs) {
    if (replay ? l.source == side.run.id : !l.hindsight) side.logs[{l.epoch, l.step, l.name}] = l.value;
  }
  return side;
}

// A row per value that differs: change (- only in A, + only in B, ~ changed),
// where it was logged, the value in A and in B.
report::Table log_differences(const Side& a, const Side& b) {
  report::Table t;
  t.columns = {"change", "epoch", "step", "name", "a", "b"};
  auto row = [&](const char* change, const LogKey& k, report::Cell va, report::Cell vb) {
    const auto& [epoch, step, name] = k;
    t.rows.push_back({std::string(change), std::to_string(epoch),
                      step >= 0 ? report::Cell(std::to_string(step)) : std::nullopt, name, std::move(va),
                      std::move(vb)});
  };
  for (const auto& [k, v] : a.logs) {
    auto it = b.logs.find(k);
    if (it == b.logs.end()) {
      row("-", k, v, std::nullopt);
    } else if (it->second != v) {
      row("~", k, v, it->second);
    }
  }
  for (const auto& [k, v] : b.logs) {
    if (!a.logs.count(k)) row("+", k, std::nullopt, v);
  }
  return t;
}

Result<int> cmd_diff(Context& ctx) {
  const Args& args = ctx.args;
  FLOR_ASSIGN_OR_RETURN(report::Format format, format_value(args));
  FLOR_ASSIGN_OR_RETURN(Side a, load(ctx.home, args.positional[0]));
  FLOR_ASSIGN_OR_RETURN(Side b, load(ctx.home, args.positional[1]));
  report::Table logs = log_differences(a, b);
  if (format != report::Format::kTable) {  // machines get the values; the code is a patch
    std::fputs(report::render(logs, format).c_str(), stdout);
    return 0;
  }
  const git::Repo& repo = *ctx.repo;
  if (a.run.vid.empty() || b.run.vid.empty()) return failed_precondition("a run without a recorded version cannot be diffed");
  FLOR_ASSIGN_OR_RETURN(std::string patch, git::diff_commits(repo, a.run.vid, b.run.vid));
  std::printf("code: %s (run %lld) -> %s (run %lld)%s\n", short_id(a.run.vid).c_str(),
              static_cast<long long>(a.run.id), short_id(b.run.vid).c_str(), static_cast<long long>(b.run.id),
              patch.empty() ? ": identical" : "");
  std::fputs(patch.c_str(), stdout);
  std::printf("logs: %s\n", logs.rows.empty() ? "identical" : "(- only in A, + only in B, ~ changed)");
  if (!logs.rows.empty()) std::fputs(report::render(logs, format).c_str(), stdout);
  return 0;
}

}  // namespace

extern const Command kDiffCommand = {
    "diff",
    "code and log differences between two runs",
    "RUN_A RUN_B",
    "The code diff between the versions of two runs (a patch), then the logged\n"
    "values that differ or exist in only one of them: a row per value, with its\n"
    "change (- only in A, + only in B, ~ changed), epoch, step, name and values.\n"
    "RUN is a run id of the experiment last used in this repository (flor diff 1 2),\n"
    "NAME (its newest record) or NAME:REF (a run id or a shadow commit prefix).\n",
    {format_option("table (default: the patch, then the values), or csv or json: the values only, every digit")},
    "examples: flor diff 1 2\n"
    "          flor diff mnist:1 mnist:4\n",
    NeedsRepo::kYes,
    NeedsStore::kNo,  // two runs, maybe of two experiments
    cmd_diff,
};

}  // namespace flor::cli
