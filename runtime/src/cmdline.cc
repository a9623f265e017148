#include "cmdline.h"

#include <fstream>
#include <iterator>

#include "util/number.h"

namespace flor::rt {
namespace {

bool is_flag(const std::string& s) { return s.size() > 1 && s[0] == '-' && s[1] == '-'; }

// EPS after --flor NAME is optional: the word is EPS only when it is a number
// in (0, 1] by the strict parser (" 0.5" or "0x1" stay the program's words).
std::optional<double> parse_eps(const std::string& s) {
  auto v = parse_real("--flor EPS", s, 0, 1);
  if (!v.ok() || *v == 0) return std::nullopt;
  return *v;
}

}  // namespace

Result<FlorFlags> take_flor_flags(std::vector<std::string>& args) {
  FlorFlags flags;
  std::vector<std::string> kept;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i > 0 && a == "--flor") {
      if (i + 1 >= args.size() || is_flag(args[i + 1])) {
        return invalid_argument("--flor needs an experiment name: --flor NAME [EPS]");
      }
      flags.record_name = args[++i];
      if (i + 1 < args.size() && !is_flag(args[i + 1])) {
        if (auto eps = parse_eps(args[i + 1])) {
          flags.eps = eps;
          ++i;
        }
      }
    } else if (i > 0 && a == "--replay_flor") {
      flags.replay = true;
      while (i + 1 < args.size() && !is_flag(args[i + 1])) {
        const std::string& spec = args[++i];
        if (spec == "weak" || spec == "strong") {
          flags.init = spec == "weak" ? InitMode::kWeak : InitMode::kStrong;
          continue;
        }
        auto seg = parse_segment(spec);
        if (!seg.ok()) {
          return invalid_argument("--replay_flor " + spec + ": expected weak, strong or a segment P/N (" +
                                  seg.status().message() + ")");
        }
        flags.segment = *seg;
      }
    } else {
      kept.push_back(a);
    }
  }
  args.swap(kept);
  return flags;
}

std::optional<std::string> find_flag(const std::vector<std::string>& args, std::string_view name) {
  std::optional<std::string> found;
  const std::string flag = "--" + std::string(name);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > flag.size() && a.compare(0, flag.size(), flag) == 0 && a[flag.size()] == '=') {
      found = a.substr(flag.size() + 1);
    } else if (a == flag) {
      // "--name V"; a bare "--name" (last, or before another flag) means true.
      found = i + 1 < args.size() && !is_flag(args[i + 1]) ? args[++i] : std::string("true");
    }
  }
  return found;
}

std::vector<std::string> process_args() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == '\0') {
      args.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  return args;
}

}  // namespace flor::rt
