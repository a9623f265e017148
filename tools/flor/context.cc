#include "context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "store/contract.h"

namespace flor::cli {

std::string flor_home() {
  std::string home = default_home(process_env());
  if (!home.empty() && home[0] == '/') return home;
  char cwd[PATH_MAX];
  return (::getcwd(cwd, sizeof cwd) ? std::string(cwd) : std::string(".")) + "/" + home;
}

Result<git::Repo> open_repo() {
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return io_error("cannot read the current directory");
  return git::Repo::open(cwd);
}

Result<report::Format> format_value(const Args& args) {
  return report::parse_format(args.value(kFormatName).value_or("table"));
}

Result<std::unique_ptr<store::Store>> open_experiment(const std::string& home, const std::string& name) {
  FLOR_RETURN_IF_ERROR(store::Store::check_name(name));
  struct stat st {};
  if (::stat((home + "/" + name + "/flor.db").c_str(), &st) != 0 && !store::Store::store_lost(home, name)) {
    return not_found("no experiment '" + name + "' in " + home + " (record one with `flor run " + name +
                     " -- CMD`; `flor ls` lists them)");
  }
  return store::Store::open(home, name, store::OpenMode::kExisting);
}

Result<std::string> name_or_last(const std::optional<std::string>& given) {
  if (given) return *given;
  FLOR_ASSIGN_OR_RETURN(git::Repo repo, open_repo());
  return git::read_last_name(repo);
}

Result<store::Run> find_run(store::Store& store, const std::string& ref) {
  if (ref.empty()) return store.latest_record();
  if (std::all_of(ref.begin(), ref.end(), ::isdigit)) {
    if (ref.size() > 18) return not_found("no run " + ref);
    return store.run(std::stoll(ref));
  }
  FLOR_ASSIGN_OR_RETURN(auto runs, store.runs());
  std::vector<store::Run> hits;
  for (auto& r : runs) {
    if (r.vid.rfind(ref, 0) == 0) hits.push_back(r);
  }
  if (hits.empty()) return not_found("no run '" + ref + "' (give a run id or a commit prefix; see flor log)");
  // Several runs can share a commit (replays of an unchanged tree): the newest record, else the newest.
  auto rec = std::find_if(hits.begin(), hits.end(), [](const store::Run& r) { return r.kind == store::RunKind::kRecord; });
  return rec != hits.end() ? *rec : hits.front();
}

std::string cwd_in_repo(const git::Repo& repo) {
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return "";
  std::string here = cwd, root = repo.work_tree();
  if (here.rfind(root + "/", 0) == 0) return here.substr(root.size() + 1);
  return "";
}

Result<RunSpec> parse_run_spec(const std::string& text) {
  auto colon = text.find(':');
  if (colon != std::string::npos) return RunSpec{text.substr(0, colon), text.substr(colon + 1)};
  if (text.empty() || !std::all_of(text.begin(), text.end(), ::isdigit)) return RunSpec{text, ""};
  Result<std::string> name = name_or_last(std::nullopt);
  if (!name.ok()) return name.status().with_context("run " + text + " (or write NAME:" + text + ")");
  return RunSpec{*name, text};
}

std::string log_path(const store::Store& store, int64_t run) {
  return store.dir() + "/logs/run-" + std::to_string(run) + ".out";
}

std::string format_time(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm {};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string format_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string format_duration(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
                                   std::string::npos;
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += (out.empty() ? "" : " ") + (plain ? a : quoted + "'");
  }
  return out;
}

std::string short_id(const std::string& vid) { return vid.substr(0, 10); }

double now_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) != 0; }

}  // namespace flor::cli
