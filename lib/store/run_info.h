// A run's metadata: the `info` column of `runs`, one JSON object whose keys
// docs/store-format.md lists. This header is the one place that knows them:
// the driver, the runtime and the sweep write and read a RunInfo, never the
// text. The store encodes it on write and decodes it on read (store.h).
//
// Versioned: encode writes "info_version"; a text without one is from a flor
// before the version (the same keys, so it decodes alike). Keys are never
// renamed and never change their JSON type; a newer version only adds keys.
// Top-level keys this version does not know (a newer flor wrote them) are kept
// in `unknown` and written back as they were, so a read-modify-write by this
// version loses nothing; unknown keys inside a known object (threads, versions,
// sweep, an item of skipped or submodules) are not kept.
//
// A field that is absent (nullopt, empty) is not written: the writers fill in
// their parts at different times (the driver at start, the runtime when it
// starts and at the end, the sweep after the run).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/contract.h"
#include "util/status.h"

namespace flor::store {

// 1: the keys below (info_version itself new; everything else as written since store version 1).
// 2: gpu_mem_peak_mib.
// 3: carried_state.
inline constexpr int kRunInfoVersion = 3;

struct RunThreads {  // {"torch", "interop", "openblas"}: the thread counts the program computed with
  int torch = 0;
  int interop = 0;
  int openblas = 0;
};

struct RunVersions {  // {"flor", "torch", "sqlite"}
  std::string flor;
  std::string torch;
  std::string sqlite;
};

struct SkippedFile {  // an untracked file left out of the code snapshot for its size
  std::string path;
  int64_t bytes = 0;
};

struct SubmodulePointer {  // a submodule kept in the snapshot as a commit pointer
  std::string path;
  std::string commit;
  bool dirty = false;
};

struct SweepTag {  // the sweep permutation a recorded run came from (docs/sweep.md)
  std::string id;
  std::string folder;
  std::string hash;
  std::map<std::string, std::string> params;  // name -> its value as JSON text ("0.01", "\"adam\"")
};

struct RunInfo {
  int version = kRunInfoVersion;  // decode: the writer's version (0: before versions); encode writes at least ours

  // The runtime, when the program starts (again at its end).
  std::optional<RunThreads> threads;
  std::optional<std::string> seed;  // the CPU generator's seed, uint64 as decimal text
  std::optional<RunVersions> versions;
  std::optional<std::vector<std::string>> command;  // the program's argv without flor's flags
  std::optional<int64_t> pid;

  // The driver, when it creates the run.
  std::optional<std::string> cwd;  // where the command started, relative to the work tree ("" = its root)
  std::vector<SkippedFile> skipped;
  std::vector<SubmodulePointer> submodules;
  std::optional<std::string> launcher;  // replay: the cluster launcher that gave the segment ("slurm", ...)

  // Record.
  std::optional<double> eps;             // the overhead budget
  std::optional<int64_t> checkpoints;    // checkpoints taken (at the end)
  std::optional<std::string> step_loop;  // the main loop's name when it is a step loop
  // What the epoch body changes outside the checkpoints (flor::carried_state): a replay rebuilds it with
  // strong init.
  std::optional<std::vector<std::string>> carried_state;

  // Replay.
  std::optional<Segment> segment;       // "P/N"
  std::optional<InitMode> init;         // "weak" | "strong"
  std::optional<EpochRange> epochs;     // "first-last": the epochs whose logs it produces
  std::optional<int64_t> divergences;   // logged values that differ from the record (at the end)

  // The driver, at the end: the most GPU memory (MiB) the program's processes held,
  // sampled about once a second; absent on a machine without GPUs or when none was seen.
  std::optional<int64_t> gpu_mem_peak_mib;

  std::optional<int64_t> logs_not_stored;  // log rows the store refused and were dropped (at the end)
  std::optional<SweepTag> sweep;           // written by flor sweep after the run

  std::map<std::string, std::string> unknown;  // keys this version does not know -> their value as JSON text
};

// The JSON object, keys sorted. The numbers the format keeps as text (seed,
// eps, checkpoints, divergences, logs_not_stored, gpu_mem_peak_mib) are written as strings.
std::string encode_run_info(const RunInfo& info);

// Decodes what encode_run_info (or any earlier flor) wrote; "" is {}. A
// missing key is its default. A text that is not a JSON object, or a known key
// with a value of the wrong type, is kCorrupt naming the key, what it holds and
// what was expected: "'threads.torch' is a string, expected an integer".
Result<RunInfo> decode_run_info(const std::string& text);

}  // namespace flor::store
