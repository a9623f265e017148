#include "store/process.h"

#include <unistd.h>

#include <climits>
#include <optional>
#include <string>

#include "util/proc_stat.h"

namespace flor::store {
namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

RunProcess this_process() {
  const pid_t pid = ::getpid();
  const std::optional<ProcStat> st = read_proc_stat(pid);
  return RunProcess{host_name(), pid, st ? static_cast<int64_t>(st->start_ticks) : 0};
}

bool process_gone(const RunProcess& p) {
  if (p.pid <= 0 || p.host.empty() || p.host != host_name()) return false;
  if (!read_proc_stat(::getpid())) return false;  // no /proc here: nothing can be judged
  const std::optional<ProcStat> now = read_proc_stat(static_cast<pid_t>(p.pid));
  if (!now || now->state == 'Z' || now->state == 'X') return true;
  return p.start != 0 && static_cast<int64_t>(now->start_ticks) != p.start;
}

}  // namespace flor::store
