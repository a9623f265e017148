// flor diff RUN_A RUN_B: code diff between two versions, then the logs that differ.
#include <cstdio>
#include <map>
#include <tuple>

#include "context.h"
#include "git/shadow.h"

namespace flor::cli {
namespace {

using LogKey = std::tuple<int64_t, int64_t, std::string>;  // (epoch, step, name)

struct Side {
  store::Run run;
  std::map<LogKey, std::string> logs;
};

// A run's values: a record's own logs, or what a replay produced (fingerprints
// are compared by the replay itself; here its hindsight values).
Result<Side> load(const std::string& text) {
  RunSpec spec = parse_run_spec(text);
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(flor_home(), spec.name));
  Side side;
  FLOR_ASSIGN_OR_RETURN(side.run, find_run(*store, spec.ref));
  bool replay = side.run.kind == store::RunKind::kReplay && side.run.parent;
  FLOR_ASSIGN_OR_RETURN(auto logs, store->logs(replay ? *side.run.parent : side.run.id));
  for (const auto& l : logs) {
    if (replay ? l.source == side.run.id : !l.hindsight) side.logs[{l.epoch, l.step, l.name}] = l.value;
  }
  return side;
}

std::string where(const LogKey& k) {
  return "epoch " + std::to_string(std::get<0>(k)) +
         (std::get<1>(k) >= 0 ? " step " + std::to_string(std::get<1>(k)) : "") + " " + std::get<2>(k);
}

std::string log_differences(const Side& a, const Side& b) {
  std::string out;
  for (const auto& [k, v] : a.logs) {
    auto it = b.logs.find(k);
    if (it == b.logs.end()) {
      out += "- " + where(k) + " = " + v + "\n";
    } else if (it->second != v) {
      out += "~ " + where(k) + ": " + v + " -> " + it->second + "\n";
    }
  }
  for (const auto& [k, v] : b.logs) {
    if (!a.logs.count(k)) out += "+ " + where(k) + " = " + v + "\n";
  }
  return out;
}

}  // namespace

Result<int> cmd_diff(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("diff", words, {}));
  FLOR_RETURN_IF_ERROR(expect_positionals("diff", args, 2, 2));
  FLOR_ASSIGN_OR_RETURN(Side a, load(args.positional[0]));
  FLOR_ASSIGN_OR_RETURN(Side b, load(args.positional[1]));
  FLOR_ASSIGN_OR_RETURN(git::Repo repo, open_repo());
  if (a.run.vid.empty() || b.run.vid.empty()) return failed_precondition("a run without a recorded version cannot be diffed");
  FLOR_ASSIGN_OR_RETURN(std::string patch, git::diff_commits(repo, a.run.vid, b.run.vid));
  std::printf("code: %s (run %lld) -> %s (run %lld)%s\n", short_id(a.run.vid).c_str(),
              static_cast<long long>(a.run.id), short_id(b.run.vid).c_str(), static_cast<long long>(b.run.id),
              patch.empty() ? ": identical" : "");
  std::fputs(patch.c_str(), stdout);
  std::string logs = log_differences(a, b);
  std::printf("logs: %s\n%s", logs.empty() ? "identical" : "(- only in A, + only in B, ~ changed)", logs.c_str());
  return 0;
}

}  // namespace flor::cli
