#include "replay/auto_probes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "git/shadow.h"
#include "sched/spawn.h"
#include "util/clock.h"
#include "util/durable_file.h"
#include "util/file_lock.h"
#include "util/format.h"
#include "util/hash.h"

namespace flor::replay {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_source(const std::string& path) {
  for (const char* ext : {".cc", ".cpp", ".cxx", ".c++", ".C", ".cu"}) {
    if (ends_with(path, ext)) return true;
  }
  return false;
}

bool is_header(const std::string& path) {
  for (const char* ext : {".h", ".hh", ".hpp", ".hxx", ".cuh", ".inl"}) {
    if (ends_with(path, ext)) return true;
  }
  return false;
}

// The lines that call something named log, in order and trimmed: when they are
// the same in both versions, the file gained no log call and needs no parsing.
std::vector<std::string> log_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find("log(") == std::string::npos) continue;
    size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t\r");
    out.push_back(line.substr(b, e - b + 1));
  }
  return out;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// The folder holding compile_commands.json: the program's folder or one above
// it inside `tree` (a CMake build tree), else tree's build/.
std::string find_compile_db(const std::string& program, const std::string& tree) {
  for (std::string dir = dir_of(program); dir.rfind(tree, 0) == 0; dir = dir_of(dir)) {
    if (is_file(dir + "/compile_commands.json")) return dir;
    if (dir == tree) break;
  }
  if (is_file(tree + "/build/compile_commands.json")) return tree + "/build";
  return "";
}

// flor-instrument beside this flor (installed), in the build tree, or in PATH.
std::string find_instrumenter() {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir = dir_of(std::string(self, static_cast<size_t>(n)));
    for (const std::string& p : {dir + "/flor-instrument", dir + "/../flor-instrument/flor-instrument"}) {
      if (::access(p.c_str(), X_OK) == 0) return p;
    }
  }
  auto found = sched::resolve_command("flor-instrument", process_env());
  return found.ok() ? *found : "";
}

// The first compile error in flor-instrument's stderr, else its last line.
std::string first_error(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("error:") != std::string::npos) return line;
    if (!line.empty()) last = line;
  }
  return last;
}

struct FileProbes {
  std::vector<std::string> blocks;
  bool complete = false;          // blocks names every loop of the file that must run
  std::string why;                // when not: why (flor-instrument --verdict)
  std::vector<std::string> read;  // the files its analysis read, but the file itself
};

// Runs `flor-instrument --probes` on one file; its stdout lines are block names.
Result<FileProbes> probe_file(const std::string& tool, const std::string& recorded_text, const std::string& file,
                              const std::string& db_dir) {
  char tmpl[] = "/tmp/flor-probe-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) return io_error("cannot create a temporary file in /tmp");
  ::close(fd);
  std::string recorded = tmpl, errors = recorded + ".err", reads = recorded + ".read",
              verdict = recorded + ".verdict";
  {
    std::ofstream out(recorded, std::ios::binary);
    out << recorded_text;
  }
  std::string cmd = join_command({tool, "--probes", "--recorded", recorded, "--files-read", reads, "--verdict",
                                  verdict, "-p", db_dir, file}) +
                    " 2>" + join_command({errors});
  std::string output;
  int status = -1;
  if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, got);
    status = ::pclose(pipe);
  }
  std::string why = first_error(errors);
  auto read_list = read_file(reads);
  auto verdict_text = read_file(verdict);
  for (const std::string& f : {recorded, errors, reads, verdict}) ::unlink(f.c_str());
  if (status != 0)
    return failed_precondition("flor-instrument could not analyze it" + (why.empty() ? "" : ": " + why));
  FileProbes got;
  const std::string v = verdict_text.ok() ? *verdict_text : "incomplete: flor-instrument gave no verdict\n";
  got.complete = v == "complete\n";
  if (!got.complete) got.why = v.substr(v.find(": ") == std::string::npos ? 0 : v.find(": ") + 2);
  if (!got.why.empty() && got.why.back() == '\n') got.why.pop_back();
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) got.blocks.push_back(line);
  }
  std::istringstream listed(read_list.ok() ? *read_list : "");
  for (std::string line; std::getline(listed, line);) {
    if (!line.empty()) got.read.push_back(line);
  }
  return got;
}

// What a file the analysis read looks like now: its content's hash inside the
// work tree (where editors and checkouts rewrite files without changing them),
// size and mtime elsewhere (system headers change with packages only); "" when
// it is gone.
std::string read_stamp(const std::string& path, const std::string& work_tree) {
  if (path.rfind(work_tree + "/", 0) == 0) {
    auto text = read_file(path);
    return text.ok() ? "h" + fnv1a_hex(*text) : "";
  }
  uint64_t stamp = file_stamp(path);
  return stamp ? "s" + std::to_string(stamp) : "";
}

// The compile command of `file` in the database, as its JSON text ("" when absent).
std::string compile_command(const std::string& db_dir, const std::string& file) {
  std::ifstream in(db_dir + "/compile_commands.json");
  auto db = nlohmann::json::parse(in, nullptr, false);
  if (!db.is_array()) return "";
  for (const auto& e : db) {
    if (!e.is_object()) continue;
    std::string f = e.value("file", std::string());
    if (!f.empty() && f[0] != '/') f.insert(0, e.value("directory", std::string()) + "/");
    if (f == file) return e.dump();
  }
  return "";
}

// Entries of the probe cache untouched for 30 days go (each new entry looks).
// Deleting one that another process is about to use only costs it a parse.
void prune_probe_cache(const std::string& dir) {
  namespace fs = std::filesystem;
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code stat_ec;
    if (entry.last_write_time(stat_ec) < cutoff && !stat_ec) fs::remove(entry.path(), stat_ec);
  }
}

// probe_file's answer, shared through <git dir>/flor/probes/: under mpirun or
// Slurm every rank runs `flor replay`, and N ranks parsing the same file at once
// would cost N times the CPU; a replay run again after a failure starts at once.
// Keyed by what the analysis reads: both versions of the file, its compile
// command, the tool; the entry lists the other files it read (headers) with
// their stamps (read_stamp), and is used only while they all still match, as
// ccache's direct mode does. Other files of the work tree (a replay's output
// redirected into it) do not matter. The first process computes it under an
// flock, the others wait and read it. A failure is kept only for a few
// minutes: the user may be fixing its cause.
// `command`: the file's entry in db_dir's compile_commands.json (compile_command).
Result<FileProbes> probe_file_shared(const git::Repo& repo, const std::string& tree,
                                                   const std::string& tool, const std::string& recorded_text,
                                                   const std::string& current_text, const std::string& path,
                                                   const std::string& db_dir, const std::string& command) {
  const std::string file = tree + "/" + path;
  constexpr double kFailureTtlS = 600;
  auto analyze = [&] {
    std::fprintf(stderr, "flor: looking for probes in %s ...\n", path.c_str());
    return probe_file(tool, recorded_text, file, db_dir);
  };
  const std::string key =
      fnv1a_hex(fnv1a_hex(recorded_text) + '\0' + fnv1a_hex(current_text) + '\0' + file + '\0' +
                       tool + '\0' + std::to_string(file_stamp(tool)) + '\0' + command);
  const std::string base = repo.common_dir() + "/flor/probes/" + key;
  auto lock = FileLock::lock(base + ".lock");
  if (!lock.ok()) return analyze();
  if (auto cached = read_file(base + ".json"); cached.ok()) {
    auto j = nlohmann::json::parse(*cached, nullptr, false);
    bool current = j.is_object() && j["read"].is_object();
    if (current) {
      for (const auto& [read, stamp] : j["read"].items()) {
        if (!stamp.is_string() || read_stamp(read, tree) != stamp.get<std::string>()) current = false;
      }
    }
    if (current && j["blocks"].is_array() && j["complete"].is_boolean() && j["why"].is_string()) {
      FileProbes cached_probes;
      cached_probes.blocks = j["blocks"].get<std::vector<std::string>>();
      cached_probes.complete = j["complete"].get<bool>();
      cached_probes.why = j["why"].get<std::string>();
      return cached_probes;
    }
    if (j.is_object() && j["error"].is_string() && j["at"].is_number() &&
        now_seconds() - j["at"].get<double>() < kFailureTtlS) {
      return failed_precondition(j["error"].get<std::string>());
    }
  }
  auto got = analyze();
  nlohmann::json j = nlohmann::json::object();
  j["at"] = now_seconds();
  if (got.ok()) {
    j["blocks"] = got->blocks;
    j["complete"] = got->complete;
    j["why"] = got->why;
    j["read"] = nlohmann::json::object();
    for (const std::string& read : got->read) j["read"][read] = read_stamp(read, tree);
  } else {
    j["error"] = got.status().message();
  }
  (void)write_file_atomic(base + ".json", j.dump());  // a cache: failing to keep it is no error
  prune_probe_cache(repo.common_dir() + "/flor/probes");
  return got;
}

}  // namespace

FoundProbes find_probes(const git::Repo& repo, const std::string& record_vid, const std::string& vid,
                        const std::string& program, const std::string& tree) {
  FoundProbes found;
  const std::string hint = ": if they are inside a skip block, name it with --probe BLOCK";
  auto changed = git::changed_files(repo, record_vid, vid);
  if (!changed.ok()) {
    found.notes.push_back("cannot compare with the recorded version (" + changed.status().to_string() + ")" +
                          hint);
    found.why = "flor cannot compare with the recorded version";
    return found;
  }
  found.complete = true;
  auto incomplete = [&](const std::string& why) {
    if (found.complete) found.why = why;
    found.complete = false;
  };
  auto note = [&](const std::string& path, const std::string& what) {
    found.notes.push_back(path + what + hint);
    incomplete(path + what);
  };
  std::string db_dir, tool;
  bool looked = false, analyzed = false;
  std::set<std::string> blocks;
  for (const std::string& path : *changed) {
    if (!is_source(path) && !is_header(path)) continue;
    auto then = git::file_at(repo, record_vid, path);
    auto now = git::file_at(repo, vid, path);
    if (!now.ok()) continue;
    std::string recorded = then.ok() ? *then : "";
    if (log_lines(recorded) == log_lines(*now)) {
      // Its lines that log are the same, so it is not parsed; but it can log
      // more all the same (a #define, a new call to a function that logs).
      incomplete(path + " changed, but not its lines that log, so flor did not analyze it");
      continue;
    }
    if (is_header(path)) {
      note(path, " changed its log calls; flor finds probes in compiled files, not headers");
      continue;
    }
    if (!looked) {
      looked = true;
      db_dir = find_compile_db(program, tree);
      tool = find_instrumenter();
    }
    std::string file = tree;
    file.append("/").append(path);
    const std::string command = tool.empty() || db_dir.empty() ? "" : compile_command(db_dir, file);
    if (command.empty()) {
      std::string why = tool.empty()     ? "flor-instrument is not installed"
                        : db_dir.empty() ? "no compile_commands.json beside the program or in build/ "
                                           "(cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)"
                                         : "compile_commands.json in " + db_dir + " has no entry for it";
      note(path, " changed its log calls; " + why);
      continue;
    }
    auto got = probe_file_shared(repo, tree, tool, recorded, *now, path, db_dir, command);
    if (!got.ok()) {
      note(path, ": " + got.status().message());
      continue;
    }
    analyzed = true;
    blocks.insert(got->blocks.begin(), got->blocks.end());
    if (!got->complete) incomplete(path + ": " + got->why);
  }
  if (!analyzed) incomplete("no line that logs changed since the record, so the replay checks it");
  found.blocks.assign(blocks.begin(), blocks.end());
  return found;
}

}  // namespace flor::replay
