// The contract between the driver (or any launcher) and the runtime inside a
// training program: environment variables. Specified in docs/env-contract.md;
// this header is the one place that names them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor {

inline constexpr const char* kEnvMode = "FLOR_MODE";            // "record" | "replay"
inline constexpr const char* kEnvName = "FLOR_NAME";            // experiment name
inline constexpr const char* kEnvHome = "FLOR_HOME";            // store root (default ~/.flor)
// The store: unset (or "sqlite") for SQLite under FLOR_HOME; a libpq connection
// string or postgresql:// URI for PostgreSQL (checkpoints stay under FLOR_HOME).
inline constexpr const char* kEnvStore = "FLOR_STORE";
inline constexpr const char* kEnvRunId = "FLOR_RUN_ID";         // run created by the driver
inline constexpr const char* kEnvReplayOf = "FLOR_REPLAY_OF";   // replay: the recorded run id
inline constexpr const char* kEnvEps = "FLOR_EPS";              // record: overhead budget
inline constexpr const char* kEnvSegment = "FLOR_SEGMENT";      // replay: "P/N", 1-based
inline constexpr const char* kEnvInit = "FLOR_INIT";            // replay: "weak" | "strong"
inline constexpr const char* kEnvProbe = "FLOR_PROBE";          // replay: block names, comma-separated
// replay: "1" = FLOR_PROBE is the whole probe set, the main loop included, so
// a step loop it does not name may be skipped (restored from its loop-end
// checkpoint); unset: the set may be incomplete and a step loop runs.
inline constexpr const char* kEnvProbeComplete = "FLOR_PROBE_COMPLETE";
inline constexpr const char* kEnvEpochs = "FLOR_EPOCHS";        // replay: "9" or "150-160"
inline constexpr const char* kEnvTolerate = "FLOR_TOLERATE";    // replay: "1" = divergence is not an error
inline constexpr const char* kEnvThreads = "FLOR_THREADS";      // torch intra-op threads to pin
inline constexpr const char* kEnvVid = "FLOR_VID";              // shadow-branch commit of this run
// MiB of logs the runtime keeps in memory while the store refuses writes.
inline constexpr const char* kEnvLogMemory = "FLOR_LOG_MEMORY_MB";
// Tensors of at most this many elements are logged whole (larger: a summary and a histogram).
inline constexpr const char* kEnvTensorMax = "FLOR_TENSOR_MAX_ELEMENTS";
// record: where checkpoint files are copied to (s3://bucket/prefix; endpoint and
// credentials from the AWS_* variables, docs/object-store.md); replay: where the
// files missing here are downloaded from.
inline constexpr const char* kEnvCkptUrl = "FLOR_CKPT_URL";
// record: MiB of checkpoint files waiting for the object store before the
// policy skips checkpoints (the backlog's bound).
inline constexpr const char* kEnvCkptBacklog = "FLOR_CKPT_BACKLOG_MB";
// Not the runtime's: set by whoever starts `flor run` (flor sweep, scripts);
// flor run writes the new run's id into that file before starting the program.
inline constexpr const char* kEnvRunIdFile = "FLOR_RUN_ID_FILE";

inline constexpr double kDefaultEps = 1.0 / 15.0;
inline constexpr int kMaxThreads = 4096;  // FLOR_THREADS and --threads
inline constexpr int64_t kDefaultLogMemoryMb = 64;
inline constexpr int64_t kDefaultTensorMax = int64_t{1} << 20;
inline constexpr int64_t kDefaultCkptBacklogMb = 1024;

enum class Mode { kOff, kRecord, kReplay };
enum class InitMode { kWeak, kStrong };

struct Segment {
  int index = 1;  // P, 1-based
  int count = 1;  // N
};

// An inclusive range of epochs, 0-based: "9" is {9, 9}, "150-160" is {150, 160}.
struct EpochRange {
  int64_t first = 0;
  int64_t last = 0;
};

struct Contract {
  Mode mode = Mode::kOff;
  std::string name;
  std::string home;
  std::string store;  // FLOR_STORE: "" for SQLite under home
  std::optional<int64_t> run_id;
  std::optional<int64_t> replay_of;
  double eps = kDefaultEps;
  Segment segment;
  std::optional<InitMode> init;  // unset: plan::init_mode decides from the record
  std::vector<std::string> probes;
  bool probes_complete = false;  // `probes` is known to name every block that must run
  std::optional<EpochRange> epochs;
  bool tolerate_divergence = false;
  std::optional<int> threads;
  std::string vid;
  int64_t log_memory_mb = kDefaultLogMemoryMb;
  int64_t tensor_max_elements = kDefaultTensorMax;
  std::string ckpt_url;  // empty: checkpoints stay local
  int64_t ckpt_backlog_mb = kDefaultCkptBacklogMb;
};

// getenv-like lookup; tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

// Reads the contract. Mode kOff when FLOR_MODE is unset. Bad values are errors
// that name the variable and the value.
Result<Contract> read_contract(const EnvLookup& env);
// The variables to set for `contract` (the inverse of read_contract).
std::map<std::string, std::string> contract_env(const Contract& contract);

// "P/N" with 1 <= P <= N. Errors say what is wrong: "segment 6/5: P must be
// between 1 and N (5)".
Result<Segment> parse_segment(const std::string& spec);
std::string to_string(const Segment& segment);  // "P/N"
const char* to_string(InitMode init);           // "weak" | "strong"
Result<EpochRange> parse_epoch_range(const std::string& spec);
// The default store root: $FLOR_HOME, else $HOME/.flor.
std::string default_home(const EnvLookup& env);

}  // namespace flor
