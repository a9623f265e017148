#include "store/contract.h"

#include <cstdlib>
#include <limits>
#include <sstream>

#include "util/number.h"

namespace flor {
namespace {

// The whole text as an integer (util/number.h's strict syntax); nullopt on junk
// or overflow. For specs whose callers explain the error themselves.
std::optional<int64_t> parse_int(const std::string& s) {
  auto v = parse_integer("", s, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  return v.ok() ? std::optional<int64_t>(*v) : std::nullopt;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Status bad_var(const char* var, const std::string& value, const std::string& why) {
  return invalid_argument(std::string(var) + "='" + value + "': " + why);
}

}  // namespace

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string default_home(const EnvLookup& env) {
  if (auto h = env(kEnvHome); h && !h->empty()) return *h;
  auto home = env("HOME");
  return (home && !home->empty() ? *home : std::string(".")) + "/.flor";
}

Result<Segment> parse_segment(const std::string& spec) {
  auto slash = spec.find('/');
  if (slash == std::string::npos) {
    return invalid_argument("segment '" + spec + "': expected P/N, e.g. 2/4 (segment 2 of 4)");
  }
  auto p = parse_int(spec.substr(0, slash));
  auto n = parse_int(spec.substr(slash + 1));
  if (!p || !n) return invalid_argument("segment '" + spec + "': P and N must be integers, e.g. 2/4");
  if (*n < 1) return invalid_argument("segment '" + spec + "': N must be at least 1");
  if (*p < 1 || *p > *n) {
    return invalid_argument("segment '" + spec + "': P must be between 1 and N (" +
                            std::to_string(*n) + ")");
  }
  return Segment{static_cast<int>(*p), static_cast<int>(*n)};
}

std::string to_string(const Segment& s) { return std::to_string(s.index) + "/" + std::to_string(s.count); }

const char* to_string(InitMode init) { return init == InitMode::kWeak ? "weak" : "strong"; }

Result<EpochRange> parse_epoch_range(const std::string& spec) {
  auto dash = spec.find('-', 1);
  auto first = parse_int(spec.substr(0, dash));
  auto last = dash == std::string::npos ? first : parse_int(spec.substr(dash + 1));
  if (!first || !last) {
    return invalid_argument("epochs '" + spec + "': expected an epoch (9) or a range (150-160)");
  }
  if (*first < 0 || *last < *first) {
    return invalid_argument("epochs '" + spec + "': need 0 <= first <= last");
  }
  return EpochRange{*first, *last};
}

Result<Contract> read_contract(const EnvLookup& env) {
  Contract c;
  auto mode = env(kEnvMode);
  if (!mode || mode->empty()) return c;
  if (*mode == "record") {
    c.mode = Mode::kRecord;
  } else if (*mode == "replay") {
    c.mode = Mode::kReplay;
  } else {
    return bad_var(kEnvMode, *mode, "expected 'record' or 'replay'");
  }
  c.name = env(kEnvName).value_or("");
  if (c.name.empty()) return bad_var(kEnvName, "", "an experiment name is required when FLOR_MODE is set");
  c.home = default_home(env);
  constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
  if (auto v = env(kEnvRunId)) {
    FLOR_ASSIGN_OR_RETURN(c.run_id, parse_integer(kEnvRunId, *v, 1, kMaxId));
  }
  if (auto v = env(kEnvReplayOf)) {
    FLOR_ASSIGN_OR_RETURN(c.replay_of, parse_integer(kEnvReplayOf, *v, 1, kMaxId));
  }
  if (auto v = env(kEnvEps)) {
    FLOR_ASSIGN_OR_RETURN(c.eps, parse_real(kEnvEps, *v, 0, 1));
  }
  if (auto v = env(kEnvSegment)) {
    auto segment = parse_segment(*v);
    if (!segment.ok()) return segment.status().with_context(kEnvSegment);
    c.segment = *segment;
  }
  if (auto v = env(kEnvInit)) {
    if (*v == "weak") {
      c.init = InitMode::kWeak;
    } else if (*v == "strong") {
      c.init = InitMode::kStrong;
    } else {
      return bad_var(kEnvInit, *v, "expected 'weak' or 'strong'");
    }
  }
  if (auto v = env(kEnvProbe)) c.probes = split(*v, ',');
  if (auto v = env(kEnvProbeComplete)) {
    if (*v != "1" && *v != "0" && !v->empty()) return bad_var(kEnvProbeComplete, *v, "expected 1 or 0");
    c.probes_complete = *v == "1";
  }
  if (auto v = env(kEnvEpochs)) {
    FLOR_ASSIGN_OR_RETURN(c.epochs, parse_epoch_range(*v));
  }
  if (auto v = env(kEnvTolerate)) c.tolerate_divergence = (*v == "1");
  if (auto v = env(kEnvThreads)) {
    FLOR_ASSIGN_OR_RETURN(int64_t t, parse_integer(kEnvThreads, *v, 1, kMaxThreads));
    c.threads = static_cast<int>(t);
  }
  c.vid = env(kEnvVid).value_or("");
  c.store = env(kEnvStore).value_or("");
  if (auto v = env(kEnvLogMemory)) {
    FLOR_ASSIGN_OR_RETURN(c.log_memory_mb, parse_integer(kEnvLogMemory, *v, 0, int64_t{1} << 20));  // MiB
  }
  if (auto v = env(kEnvTensorMax)) {
    FLOR_ASSIGN_OR_RETURN(c.tensor_max_elements, parse_integer(kEnvTensorMax, *v, 0, int64_t{1} << 40));
  }
  if (auto v = env(kEnvCkptUrl); v && !v->empty()) {
    if (v->rfind("s3://", 0) != 0 || v->size() == 5 || (*v)[5] == '/') {
      return bad_var(kEnvCkptUrl, *v, "expected s3://bucket/prefix");
    }
    c.ckpt_url = *v;
  }
  if (auto v = env(kEnvCkptBacklog)) {
    FLOR_ASSIGN_OR_RETURN(c.ckpt_backlog_mb, parse_integer(kEnvCkptBacklog, *v, 0, int64_t{1} << 30));  // MiB
  }
  return c;
}

std::map<std::string, std::string> contract_env(const Contract& c) {
  std::map<std::string, std::string> env;
  if (c.mode == Mode::kOff) return env;
  env[kEnvMode] = c.mode == Mode::kRecord ? "record" : "replay";
  env[kEnvName] = c.name;
  env[kEnvHome] = c.home;
  if (!c.store.empty()) env[kEnvStore] = c.store;
  if (c.run_id) env[kEnvRunId] = std::to_string(*c.run_id);
  if (c.replay_of) env[kEnvReplayOf] = std::to_string(*c.replay_of);
  std::ostringstream eps;
  eps.precision(17);
  eps << c.eps;
  env[kEnvEps] = eps.str();
  env[kEnvSegment] = to_string(c.segment);
  if (c.init) env[kEnvInit] = to_string(*c.init);
  if (!c.probes.empty()) {
    std::string p;
    for (const auto& name : c.probes) p += (p.empty() ? "" : ",") + name;
    env[kEnvProbe] = p;
  }
  if (c.probes_complete) env[kEnvProbeComplete] = "1";
  if (c.epochs) env[kEnvEpochs] = std::to_string(c.epochs->first) + "-" + std::to_string(c.epochs->last);
  if (c.tolerate_divergence) env[kEnvTolerate] = "1";
  if (c.threads) env[kEnvThreads] = std::to_string(*c.threads);
  if (!c.vid.empty()) env[kEnvVid] = c.vid;
  if (c.log_memory_mb != kDefaultLogMemoryMb) env[kEnvLogMemory] = std::to_string(c.log_memory_mb);
  if (c.tensor_max_elements != kDefaultTensorMax) env[kEnvTensorMax] = std::to_string(c.tensor_max_elements);
  if (!c.ckpt_url.empty()) env[kEnvCkptUrl] = c.ckpt_url;
  if (c.ckpt_backlog_mb != kDefaultCkptBacklogMb) env[kEnvCkptBacklog] = std::to_string(c.ckpt_backlog_mb);
  return env;
}

}  // namespace flor
