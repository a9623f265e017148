#include "context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "objstore/s3.h"
#include "sched/process.h"
#include "store/contract.h"
#include "store/pg_store.h"

namespace flor::cli {

std::string flor_home() {
  std::string home = default_home(process_env());
  if (!home.empty() && home[0] == '/') return home;
  char cwd[PATH_MAX];
  return (::getcwd(cwd, sizeof cwd) ? std::string(cwd) : std::string(".")) + "/" + home;
}

Result<std::chrono::milliseconds> kill_after_value(const std::string& command, const Args& args) {
  auto seconds = args.real_value(kKillAfterName, 0, 86400);
  if (!seconds.ok()) return invalid_argument(command + ": " + seconds.status().message());
  if (!seconds->has_value()) return sched::kDefaultKillAfter;
  return std::chrono::milliseconds(std::llround(**seconds * 1000));
}

Result<std::string> ckpt_url_value(const std::string& command, const Args& args) {
  std::string url = args.value(kCkptUrlName).value_or(process_env()(kEnvCkptUrl).value_or(""));
  if (url.empty()) return url;
  if (auto c = objstore::s3_config(url, process_env()); !c.ok()) {
    return invalid_argument(command + ": " + c.status().message());
  }
  return url;
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
  if (!store::postgres_selected() && ::stat((home + "/" + name + "/flor.db").c_str(), &st) != 0 &&
      !store::Store::store_lost(home, name)) {
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
  const std::string here = cwd;
  const std::string& root = repo.work_tree();
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

std::string short_id(const std::string& vid) { return vid.substr(0, 10); }

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) != 0; }

}  // namespace flor::cli
