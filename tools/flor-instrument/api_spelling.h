// The exact text flor-instrument writes: the runtime's public API
// (runtime/include/flor/flor.h, docs/api.md). One place, so an API change
// is one edit here.
#pragma once

#include <string>
#include <vector>

namespace flor::instr::api {

inline constexpr const char* kHeader = "flor/flor.h";

inline std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// for (T v : flor::loop("epoch", begin, end))   [begin, end)
inline std::string counted_loop(const std::string& name, const std::string& begin, const std::string& end) {
  return "flor::loop(" + quoted(name) + ", " + begin + ", " + end + ")";
}
inline std::string call_list(const char* function, const std::vector<std::string>& names) {
  std::string out = std::string(function) + "(";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + ")";
}
// A block's live-out locals, as its last argument: `, flor::locals(a, b)`; empty when none.
inline std::string locals_argument(const std::vector<std::string>& names) {
  return names.empty() ? "" : ", " + call_list("flor::locals", names);
}

// for (auto& x : flor::loop("batch", range[, flor::locals(...)]))  -- the prefix and suffix around `range`
inline std::string range_loop_prefix(const std::string& name) { return "flor::loop(" + quoted(name) + ", "; }
inline std::string range_loop_suffix(const std::vector<std::string>& locals = {}) {
  return locals_argument(locals) + ")";
}
// A main loop without bounds (while loops to convergence): runs until break.
inline std::string open_loop(const std::string& name) { return "flor::loop(" + quoted(name) + ")"; }
// flor::block("train", [&] { ...; }[, flor::locals(...)]);
inline std::string block_prefix(const std::string& name) { return "flor::block(" + quoted(name) + ", [&] { "; }
inline std::string block_suffix(const std::vector<std::string>& locals) { return " }" + locals_argument(locals) + ");"; }
// flor::block("train", [&] { return f(...); }[, flor::locals(...)])  -- around a call whose result is used
inline std::string result_block_prefix(const std::string& name) { return block_prefix(name) + "return "; }
inline std::string result_block_suffix(const std::vector<std::string>& locals) {
  return "; }" + locals_argument(locals) + ")";
}

inline std::string checkpoints(const std::vector<std::string>& names) { return call_list("flor::checkpoints", names) + ";"; }
// flor::carried_state({"scheduler", "best"});  -- what the epoch body changes that no checkpoint holds
inline std::string carried_state(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + quoted(name);
  return "flor::carried_state({" + list + "});";
}

// Qualified names that mark code as already using the manual API.
inline const std::vector<std::string> kStructuralCalls = {"::flor::loop", "::flor::block",
                                                          "::flor::checkpoints", "::flor::carried_state"};
inline constexpr const char* kLogCall = "::flor::log";

}  // namespace flor::instr::api
