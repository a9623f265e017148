// The experiment store: SQLite (WAL mode) under FLOR_HOME, one database per
// experiment at FLOR_HOME/NAME/flor.db, checkpoints beside it in
// FLOR_HOME/NAME/ckpt/. Format and schema: docs/store-format.md.
//
// Shared by the runtime (writes runs, logs, checkpoints) and the driver (reads
// them, creates runs, marks them finished). No LibTorch, no libgit2.
//
// Thread-safety: a Store may be used from several threads (one connection,
// serialized internally). Several processes may open the same experiment at
// once (replay workers): WAL mode plus a busy timeout; writers retry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/process.h"
#include "store/run_info.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::store {

inline constexpr int kSchemaVersion = 5;  // 2: epochs.iters; 3: runs.host/pid/pid_start, meta store_id;
                                          // 4: logs.data/blob (typed values); 5: checkpoints.location

enum class RunKind { kRecord, kReplay };
// Written as text; never renumbered. A run starts kRunning and is marked
// kComplete only at a clean end, so a killed run stays visibly incomplete.
// kDead: a reader found the run kRunning while its process (on this host) was
// gone, and stored that.
enum class RunStatus { kRunning, kComplete, kFailed, kInterrupted, kDead };

const char* to_string(RunKind kind);
const char* to_string(RunStatus status);

struct Run {
  int64_t id = 0;
  std::string name;                   // experiment
  RunKind kind = RunKind::kRecord;
  std::optional<int64_t> parent;      // replay: the recorded run it replays
  RunStatus status = RunStatus::kRunning;
  std::string vid;                    // shadow-branch commit ("" when unknown)
  double started = 0;                 // unix seconds
  std::optional<double> ended;
  std::optional<int> exit_code;
  std::vector<std::string> command;   // argv
  RunInfo info;                       // the `info` column: threads, seed, versions, eps, segment, ...
  // The process that writes the run; absent in runs of stores before version 3.
  std::optional<RunProcess> process;
};

// One logged value. A record run's logs have run == source. A replay's new
// (hindsight) logs have run == the recorded run and source == the replay run.
struct LogRow {
  int64_t run = 0;
  int64_t source = 0;
  int64_t epoch = -1;   // -1: outside the main loop
  int64_t step = -1;    // -1: not inside a nested loop
  std::string name;
  std::string value;    // exact text: numbers in round-trip form ("%.17g" / "%.9g")
  std::string type;     // "int" | "float" | "double" | "string" | "bool" | "tensor" | "tensor_summary" |
                        // "histogram" | "image" (store/value.h)
  std::string loc;      // "file:line"
  bool hindsight = false;
  // A typed value's payload (store/value.h): raw tensor bytes, a histogram's
  // JSON, a PNG. Kept inline in the row up to kInlineBytes; a larger one is
  // written once to ckpt/values/<blob> (content-addressed: the writer sets
  // `blob` to the payload's key, "<16 hex digits of xxh64>-<bytes>[.png]";
  // an image always has one) and read
  // back with read_value(). Rows read from the store carry the inline payload
  // in `data` and, for a blob file, only `blob`.
  std::string data;
  std::string blob;
};
inline constexpr size_t kInlineBytes = 16 << 10;

// One checkpoint, at the end of skip block `block` (the `seq`-th block of the
// epoch), or, with seq == kEndOfIteration, of main-loop iteration `epoch`
// itself (a step loop's period end or loop end; `block` is the loop's name).
inline constexpr int64_t kEndOfIteration = -1;
struct CheckpointRow {
  int64_t run = 0;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string block;
  std::string path;        // relative to the experiment folder
  int64_t bytes = 0;       // bytes newly written (dedup makes this smaller than state size)
  int64_t state_bytes = 0; // bytes of state captured
  double stall_s = 0;
  double write_s = 0;
  std::string reason;      // why the policy chose it: "budget: 0.012s + 0.030s <= 1/15 x 2.1s"
  // Where its bytes are: kLocal (under the experiment folder only), kUploading
  // (being copied to the object store, FLOR_CKPT_URL), kRemote (durable there).
  std::string location = kLocal;
  static constexpr const char* kLocal = "local";
  static constexpr const char* kUploading = "uploading";
  static constexpr const char* kRemote = "remote";
};

// One finished epoch of a run (record or replay worker), written at the end of
// the epoch in the same transaction as that epoch's logs: the driver reads
// these rows for progress and summaries. A step loop (a main loop without skip
// blocks) writes one row per period: epochs epoch .. epoch+iters-1.
struct EpochRow {
  int64_t run = 0;          // the run that executed the epoch (record or replay)
  int64_t epoch = 0;        // the first epoch the row covers
  int64_t iters = 1;        // epochs (main-loop iterations) it covers
  double seconds = 0;       // wall time of the epoch
  double ended = 0;         // unix seconds
  int64_t blocks = 0;       // skip blocks entered
  int64_t skipped = 0;      // replay: blocks skipped (state restored from a checkpoint)
  int64_t executed = 0;     // blocks that ran
  int64_t divergences = 0;  // replay: logged values that differ from the record
  std::string rng;          // record: CPU generator state at the start of the epoch (raw bytes)
  std::string note;         // record: the checkpoint policy's decision(s) for the epoch
};

// A logged value whose replayed value differs from the recorded one.
struct Divergence {
  int64_t run = 0;  // the replay run
  int64_t epoch = -1;
  int64_t step = -1;
  std::string name;
  std::string recorded;  // "" when the record has no value at this place
  std::string replayed;
  std::string loc;
};

// Everything one run wrote, to copy it into another store under the same id
// (`flor store migrate`): its row, args, the logs it is the source of (a
// replay's hindsight logs have run == the recorded run), checkpoint, epoch
// and divergence rows, and its named blobs.
struct RunCopy {
  Run run;
  std::map<std::string, std::string> args;
  std::vector<LogRow> logs;
  std::vector<CheckpointRow> checkpoints;
  std::vector<EpochRow> epochs;
  std::vector<Divergence> divergences;
  std::map<std::string, std::string> blobs;
};

struct Experiment {
  std::string name;
  std::string dir;  // FLOR_HOME/NAME
};

// kCreate: a missing (or empty) flor.db is created. kExisting: it must exist
// and hold a store (kNotFound otherwise); nothing is created, and nothing is
// written unless the store is of an older version (upgraded in place) or a
// read finds a dead run (stored as kDead). kAdopt: as kCreate, but a new
// store beside checkpoints it does not know is allowed (`flor store migrate`:
// the rows it copies name them).
enum class OpenMode { kCreate, kExisting, kAdopt };

class Store {
 public:
  // Opens FLOR_HOME/NAME/flor.db. `name` must be a plain name: no '/', no "..",
  // not empty. In either mode a missing or empty flor.db beside checkpoints in
  // ckpt/ (a *.ckpt manifest or a file in packs/) is an error
  // (kFailedPrecondition) that says how to recover: a new store would not
  // know them, and gc would delete them. A damaged flor.db is an
  // error naming the file. With an `env` (fault tests; it outlives the
  // store) the database's writes and syncs and the store's clock go through
  // it (store/env_vfs.h); without one, the operating system's directly.
  static Result<std::unique_ptr<Store>> open(const std::string& home, const std::string& name,
                                             OpenMode mode = OpenMode::kCreate, Env* env = nullptr);
  // Every experiment under `home`: a folder with a flor.db, or with
  // checkpoints in ckpt/ (whose store was lost: open() says so).
  static Result<std::vector<Experiment>> list(const std::string& home);
  // The same with the backend `url` names instead of FLOR_STORE's: "" or
  // "sqlite" for SQLite under `home`, else a PostgreSQL connection string.
  static Result<std::unique_ptr<Store>> open_at(const std::string& url, const std::string& home,
                                                const std::string& name, OpenMode mode = OpenMode::kCreate,
                                                Env* env = nullptr);
  static Result<std::vector<Experiment>> list_at(const std::string& url, const std::string& home);
  // True when FLOR_HOME/NAME/flor.db is missing or empty while ckpt/ holds
  // checkpoints: the case open() refuses, which `flor gc --orphans` may clean up.
  static bool store_lost(const std::string& home, const std::string& name);
  // Checks an experiment name (a folder under FLOR_HOME): not empty, at most
  // kMaxNameBytes, no '/' or '\\', no control characters, not '.'/'..', not
  // starting with '.' or '-'. The error says what is wrong with it.
  static constexpr size_t kMaxNameBytes = 128;
  static Status check_name(const std::string& name);

  virtual ~Store() = default;
  virtual const std::string& dir() const = 0;  // FLOR_HOME/NAME
  // 8 hex digits, random, made when the store was created (or upgraded to
  // version 3). Checkpoint file names carry it, so a store created again in
  // the same folder never reuses an old file's name.
  virtual const std::string& id() const = 0;

  // Returns the new id. The run's process is run.process, else the caller.
  virtual Result<int64_t> create_run(const Run& run) = 0;
  // Hands a run to the process that writes it (the training program claims
  // the run its driver created).
  virtual Status set_run_process(int64_t id, const RunProcess& process) = 0;
  virtual Status finish_run(int64_t id, RunStatus status, std::optional<int> exit_code) = 0;
  // Replaces the run's info. To change a part, read the run, change its
  // info, and write it back (keys a newer flor wrote are kept: run_info.h).
  virtual Status set_run_info(int64_t id, const RunInfo& info) = 0;
  virtual Status set_run_vid(int64_t id, const std::string& vid) = 0;
  // A run whose info does not decode is kCorrupt naming the run and the key.
  // Reads mark a kRunning run whose process is gone (process_gone) kDead, in
  // the store too (a failure to store it is ignored: the run still reads dead).
  virtual Result<Run> run(int64_t id) = 0;
  virtual Result<std::vector<Run>> runs() = 0;  // newest first
  // The newest record run, complete or not; kNotFound when none.
  virtual Result<Run> latest_record() = 0;

  // Hyper-parameters (flor::arg) as recorded: name -> value text.
  virtual Status put_args(int64_t run, const std::map<std::string, std::string>& args) = 0;
  virtual Result<std::map<std::string, std::string>> args(int64_t run) = 0;

  // Appends in one transaction (batch for speed).
  virtual Status append_logs(const std::vector<LogRow>& rows) = 0;
  // Logs of a recorded run: its own and every replay's hindsight values.
  virtual Result<std::vector<LogRow>> logs(int64_t run) = 0;
  // The content keys of every blob file a log row names (what gc keeps in ckpt/values).
  virtual Result<std::vector<std::string>> value_blobs() = 0;

  virtual Status add_checkpoint(const CheckpointRow& row) = 0;
  // Ordered by (epoch, seq).
  virtual Result<std::vector<CheckpointRow>> checkpoints(int64_t run) = 0;
  virtual Status remove_checkpoints(int64_t run) = 0;
  // Sets the location of checkpoint (run, epoch, seq); kNotFound when no such row.
  virtual Status set_checkpoint_location(int64_t run, int64_t epoch, int64_t seq, const std::string& location) = 0;

  // Appends `logs` and (when given) the epoch row in one transaction.
  virtual Status commit_epoch(const std::optional<EpochRow>& epoch, const std::vector<LogRow>& logs) = 0;
  // Ordered by epoch.
  virtual Result<std::vector<EpochRow>> epochs(int64_t run) = 0;

  // The first divergences of a replay run (the runtime stores at most a few;
  // the count per epoch is in its EpochRow).
  virtual Status add_divergence(const Divergence& d) = 0;
  virtual Result<std::vector<Divergence>> divergences(int64_t run) = 0;

  // Small named byte strings of a run ("rng/start": the CPU generator state
  // before user code drew from it). put_blob replaces.
  virtual Status put_blob(int64_t run, const std::string& key, const std::string& bytes) = 0;
  virtual Result<std::string> blob(int64_t run, const std::string& key) = 0;  // kNotFound when absent
  virtual Result<std::map<std::string, std::string>> blobs(int64_t run) = 0;  // all of them: key -> bytes

  // Writes `copy` in one transaction under its run id (logs keep their run
  // and source). False, writing nothing, when the store has that run already
  // (same kind and start time): copying again copies nothing.
  // kFailedPrecondition when that id is another run's.
  virtual Result<bool> import_run(const RunCopy& copy) = 0;
};

}  // namespace flor::store
