#include "store/process.h"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>

namespace flor::store {
namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

struct ProcStat {
  bool exists = false;
  char state = '?';
  int64_t start = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and
// parentheses, so the fields are counted after the last ')'. Field 3 is the
// state, field 22 the start time.
ProcStat read_stat(int64_t pid) {
  ProcStat out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return out;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return out;
  out.exists = true;
  std::istringstream fields(line.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) out.state = field.empty() ? '?' : field[0];
    if (i == 22) out.start = std::atoll(field.c_str());
  }
  return out;
}

}  // namespace

RunProcess this_process() {
  const int64_t pid = ::getpid();
  return RunProcess{host_name(), pid, read_stat(pid).start};
}

bool process_gone(const RunProcess& p) {
  if (p.pid <= 0 || p.host.empty() || p.host != host_name()) return false;
  if (!read_stat(::getpid()).exists) return false;  // no /proc here: nothing can be judged
  const ProcStat now = read_stat(p.pid);
  if (!now.exists) return true;
  if (now.state == 'Z') return true;
  return p.start != 0 && now.start != p.start;
}

}  // namespace flor::store
