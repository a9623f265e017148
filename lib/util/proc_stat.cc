#include "util/proc_stat.h"

#include <fstream>
#include <sstream>
#include <string>

namespace flor {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may contain spaces and ')': the fields start after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  ProcStat st;
  rest >> st.state >> st.ppid;
  std::string skip;
  for (int field = 5; field < 22 && rest >> skip; ++field) {
  }
  if (!(rest >> st.start_ticks)) return std::nullopt;
  return st;
}

bool process_alive(pid_t pid, uint64_t start_ticks) {
  std::optional<ProcStat> st = read_proc_stat(pid);
  return st && st->start_ticks == start_ticks && st->state != 'Z' && st->state != 'X';
}

}  // namespace flor
