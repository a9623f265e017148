#include "probes.h"

#include <algorithm>
#include <iterator>

namespace flor::instr {
namespace {

// The names in `now` beyond those in `before` (both sorted, with repeats).
std::vector<std::string> added_logs(const BlockLogs& before_map, const std::string& key,
                                    const std::vector<std::string>& now) {
  auto old = before_map.find(key);
  std::vector<std::string> before = old == before_map.end() ? std::vector<std::string>{} : old->second;
  std::vector<std::string> added;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(), std::back_inserter(added));
  return added;
}

}  // namespace

std::vector<std::string> probed_blocks(const BlockLogs& recorded, const BlockLogs& current) {
  std::vector<std::string> probed;
  for (const auto& [name, logs] : current) {
    if (!added_logs(recorded, name, logs).empty()) probed.push_back(name);
  }
  return probed;
}

ProbeVerdict probe_verdict(const LoopFacts& recorded, const LoopFacts& current,
                           const std::vector<std::string>& probed) {
  for (const auto& [function, logs] : current.function_logs) {
    std::vector<std::string> added = added_logs(recorded.function_logs, function, logs);
    if (added.empty() || current.reached.count(function)) continue;
    const std::string name = function.substr(0, function.find('\t'));
    return {false, "'" + added.front() + "' is logged in " + name + "(), which main() " +
                       (current.reached.empty() ? "(not in this file)" : "in this file") +
                       " does not call: it may run inside the main loop"};
  }
  const bool named = std::find(probed.begin(), probed.end(), current.step_loop) != probed.end();
  if (!current.step_loop.empty() && !named &&
      (current.step_loop != recorded.step_loop || current.step_loop_text != recorded.step_loop_text)) {
    return {false, "the step loop's code changed since the record"};
  }
  return {true, ""};
}

}  // namespace flor::instr
