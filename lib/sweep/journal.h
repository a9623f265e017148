// The journal of a sweep: one entry per permutation, keyed by its parameter
// hash, at FLOR_HOME/<data_name>/sweeps/<sweep-id>/journal.json (format in
// docs/sweep.md). Rewritten atomically on every change, so a killed sweep
// leaves the last state whole; a restart reads it to skip finished runs.
//
// Not thread-safe: the scheduler's loop is its only writer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sweep/config.h"

namespace flor::sweep {

inline constexpr int kJournalVersion = 1;

// Written as text; never renamed.
enum class RunState {
  kPending,  // queued (or interrupted: a restart runs it again)
  kRunning,
  kDone,     // exit status 0
  kFailed,   // non-zero exit, signal or timeout, after every retry
  kDropped,  // removed from the config before it ran
};
const char* to_string(RunState state);
Result<RunState> parse_run_state(const std::string& text);

struct Entry {
  std::string hash;
  Json params = Json::object();
  std::string folder;  // stable: chosen once, kept across restarts
  RunState state = RunState::kPending;
  int attempts = 0;
  int order = 0;  // first time this permutation was seen (table order)
  std::optional<int> exit_code;
  std::string reason;  // why it failed: "exit 3", "signal 9", "timeout after 10s"
  double started = 0;  // unix seconds of the last attempt
  double ended = 0;
  std::string slot;                 // "gpu0", "cpu1"
  int pid = 0;                      // the last attempt's process (0: none yet), with its
  uint64_t pid_start = 0;           // start time (ProcStat): a restart stops it if alive
  std::optional<int64_t> flor_run;  // the recorded run in the store, when known
  Json final_metrics = Json::object();
};

class Journal {
 public:
  // Loads `path` when it exists, else an empty journal that will be written there.
  static Result<Journal> open(const std::string& path);

  const std::string& path() const { return path_; }
  const Entry* find(const std::string& hash) const;
  // Entries in the order their permutations were first seen.
  std::vector<const Entry*> entries() const;
  // Inserts or replaces the entry with this hash and rewrites the file.
  Status put(Entry entry);
  // Changes several entries, then writes once.
  Status put_all(std::vector<Entry> entries);

 private:
  explicit Journal(std::string path) : path_(std::move(path)) {}
  Status save() const;

  std::string path_;
  std::map<std::string, Entry> entries_;
};

Json entry_to_json(const Entry& e);
Result<Entry> entry_from_json(const Json& j);

}  // namespace flor::sweep
