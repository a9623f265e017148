#include "store/store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "store/pg.h"
#include "store/pg_store.h"
#include "store/sqlite.h"
#include "store/store_parts.h"
#include "store/value.h"

namespace flor::store {
namespace fs = std::filesystem;

const char* to_string(RunKind kind) { return kind == RunKind::kRecord ? "record" : "replay"; }

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kComplete: return "complete";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kInterrupted: return "interrupted";
    case RunStatus::kDead: return "dead";
  }
  return "running";
}

Result<RunKind> parse_kind(const std::string& s) {
  if (s == "record") return RunKind::kRecord;
  if (s == "replay") return RunKind::kReplay;
  return corrupt("unknown run kind '" + s + "'");
}

RunStatus parse_status(const std::string& s) {
  if (s == "complete") return RunStatus::kComplete;
  if (s == "failed") return RunStatus::kFailed;
  if (s == "interrupted") return RunStatus::kInterrupted;
  if (s == "dead") return RunStatus::kDead;
  return RunStatus::kRunning;
}

std::string new_store_id() {
  std::random_device random;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(random()));
  return buf;
}

namespace {

constexpr int kBusyMs = 30000;

// Tables and keys written to disk are never renamed (docs/store-format.md).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, kind TEXT NOT NULL, parent INTEGER,
  status TEXT NOT NULL, vid TEXT NOT NULL DEFAULT '', started REAL NOT NULL, ended REAL,
  exit_code INTEGER, command TEXT NOT NULL DEFAULT '[]', info TEXT NOT NULL DEFAULT '{}',
  host TEXT NOT NULL DEFAULT '', pid INTEGER, pid_start INTEGER);
CREATE TABLE IF NOT EXISTS args(
  run INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(run, name));
CREATE TABLE IF NOT EXISTS logs(
  id INTEGER PRIMARY KEY, run INTEGER NOT NULL, source INTEGER NOT NULL, epoch INTEGER NOT NULL,
  step INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, type TEXT NOT NULL,
  loc TEXT NOT NULL, hindsight INTEGER NOT NULL, data BLOB, blob TEXT);
CREATE INDEX IF NOT EXISTS logs_by_run ON logs(run, epoch, step);
CREATE TABLE IF NOT EXISTS checkpoints(
  run INTEGER NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, block TEXT NOT NULL,
  path TEXT NOT NULL, bytes INTEGER NOT NULL, state_bytes INTEGER NOT NULL, stall_s REAL NOT NULL,
  write_s REAL NOT NULL, reason TEXT NOT NULL, location TEXT NOT NULL DEFAULT 'local',
  PRIMARY KEY(run, epoch, seq));
CREATE TABLE IF NOT EXISTS epochs(
  run INTEGER NOT NULL, epoch INTEGER NOT NULL, seconds REAL NOT NULL, ended REAL NOT NULL,
  blocks INTEGER NOT NULL, skipped INTEGER NOT NULL, executed INTEGER NOT NULL,
  divergences INTEGER NOT NULL, rng BLOB, note TEXT NOT NULL, iters INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY(run, epoch));
CREATE TABLE IF NOT EXISTS divergences(
  id INTEGER PRIMARY KEY, run INTEGER NOT NULL, epoch INTEGER NOT NULL, step INTEGER NOT NULL,
  name TEXT NOT NULL, recorded TEXT NOT NULL, replayed TEXT NOT NULL, loc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs(
  run INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY(run, key));
)sql";

// Prepared INSERTs into logs, by the number of rows each takes (1 to
// kLogsPerInsert): preparing one of 64 rows costs ~90 us, as much as
// inserting 100 rows, so they are kept for the connection's life.
constexpr size_t kLogsPerInsert = 64;  // x 11 parameters: far below SQLite's limit
constexpr int kLogParams = 11;
using LogInserts = std::map<size_t, Stmt>;

// Inserts `logs` in order (ids ascending), inside the caller's transaction.
// A log at every step makes this the store's hottest path: rows go
// kLogsPerInsert to a statement (one step and reset per batch, not per row:
// 0.9 us a row instead of 1.5), and their text is bound without copies (the
// rows outlive each run(), which clears the bindings). Blob files are made
// durable first (write_value_blobs), so a committed row always names a whole
// file, after a crash too.
Status insert_logs(Db* db, const std::string& dir, Env* env, LogInserts* inserts, const std::vector<LogRow>& logs) {
  FLOR_RETURN_IF_ERROR(write_value_blobs(dir, logs, env));
  for (size_t first = 0; first < logs.size(); first += kLogsPerInsert) {
    const size_t n = std::min(kLogsPerInsert, logs.size() - first);
    auto it = inserts->find(n);
    if (it == inserts->end()) {
      std::string sql =
          "INSERT INTO logs(run, source, epoch, step, name, value, type, loc, hindsight, data, blob) VALUES";
      for (size_t i = 0; i < n; ++i) sql += i ? ",(?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?)";
      FLOR_ASSIGN_OR_RETURN(Stmt prepared, db->prepare(sql));
      it = inserts->emplace(n, std::move(prepared)).first;
    }
    Stmt& st = it->second;
    for (size_t i = 0; i < n; ++i) {
      const LogRow& r = logs[first + i];
      const int p = static_cast<int>(i) * kLogParams;
      st.bind(p + 1, r.run).bind(p + 2, r.source).bind(p + 3, r.epoch).bind(p + 4, r.step);
      st.bind_unowned(p + 5, r.name).bind_unowned(p + 6, r.value).bind_unowned(p + 7, r.type);
      st.bind_unowned(p + 8, r.loc).bind(p + 9, int64_t{r.hindsight ? 1 : 0});
      if (r.data.empty() || !r.blob.empty()) {
        st.bind_null(p + 10);
      } else {
        st.bind_blob_unowned(p + 10, r.data);
      }
      if (r.blob.empty()) {
        st.bind_null(p + 11);
      } else {
        st.bind_unowned(p + 11, r.blob);
      }
    }
    if (Status s = st.run(); !s.ok()) {
      st.reset();  // a kept statement must not keep bindings into these rows
      return s;
    }
  }
  return Status();
}

// `db_path` names the store in errors.
Result<Run> read_run(const Stmt& st, const std::string& db_path) {
  return run_of(st, [&](int64_t run, const Status& why) -> Status {
    const std::string id = std::to_string(run);
    return corrupt(db_path + ": the info of run " + id + " (runs.info) does not decode: " + why.message() +
                   ". Something other than flor changed it: fix that value, or drop the info (sqlite3 " +
                   db_path + " \"UPDATE runs SET info='{}' WHERE id=" + id + "\")");
  });
}

// Whether an experiment's ckpt/ folder holds what the recorder writes there
// (docs/checkpoint-format.md): a manifest (*.ckpt) or a file in packs/.
bool holds_checkpoints(const fs::path& ckpt) {
  std::error_code ec;
  for (const auto& folder : {ckpt, ckpt / "packs"}) {
    if (!fs::is_directory(folder, ec)) continue;
    for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && (folder != ckpt || it->path().extension() == ".ckpt")) return true;
    }
  }
  return false;
}

// What open() says about a store that is gone while its checkpoints are not.
Status lost_store(const std::string& dir, const std::string& name) {
  return failed_precondition(
      dir + "/flor.db is missing or empty, but " + dir +
      "/ckpt holds checkpoint files: the store (runs, logs, and which run each checkpoint belongs to) was "
      "deleted or truncated. Restore flor.db from a backup; or, to give the checkpoints up, run `flor gc " +
      name + " --orphans` (deletes them) or move " + dir + "/ckpt aside. flor creates no new store here until then");
}

Status taken_id(const std::string& where, int64_t id) {
  return failed_precondition("run " + std::to_string(id) + " in " + where +
                             " is another run (another kind or start time): the two stores hold different runs "
                             "under one experiment name; copy into another experiment or store");
}

Status empty_store(const std::string& path, const std::string& name) {
  return not_found(path + " holds no store (an empty file): remove it, or record a run with `flor run " + name +
                   " -- CMD`");
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Db> db, std::string dir, std::string name, Env* env)
      : db_(std::move(db)), dir_(std::move(dir)), name_(std::move(name)), env_(env) {}

  // A store of this version is only read; an empty file gets the schema
  // (kCreate), an older store is upgraded, both in one write transaction
  // that checks the version again (another process may be doing the same).
  Status init(OpenMode mode) {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(std::optional<int> version, schema_version());
    if (version == kSchemaVersion) return read_id();
    if (!version && mode != OpenMode::kAdopt && holds_checkpoints(dir_ + "/ckpt")) return lost_store(dir_, name_);
    if (!version && mode == OpenMode::kExisting) return empty_store(db_->path(), name_);
    Transaction tx(db_.get());
    FLOR_RETURN_IF_ERROR(tx.begin());
    FLOR_ASSIGN_OR_RETURN(version, schema_version());
    if (!version) {
      FLOR_RETURN_IF_ERROR(db_->exec(kSchema));
      FLOR_ASSIGN_OR_RETURN(Stmt put, db_->prepare("INSERT INTO meta(key, value) VALUES('schema_version', ?), "
                                                   "('store_id', ?)"));
      FLOR_RETURN_IF_ERROR(put.bind(1, std::to_string(kSchemaVersion)).bind(2, new_store_id()).run());
    } else if (*version > kSchemaVersion) {
      return failed_precondition("store " + db_->path() + " has schema version " + std::to_string(*version) +
                                 ", newer than this flor understands (" + std::to_string(kSchemaVersion) +
                                 "): upgrade flor");
    } else {
      if (*version < 2) FLOR_RETURN_IF_ERROR(upgrade_to_2());
      if (*version < 3) FLOR_RETURN_IF_ERROR(upgrade_to_3());
      if (*version < 4) FLOR_RETURN_IF_ERROR(upgrade_to_4());
      if (*version < 5) FLOR_RETURN_IF_ERROR(upgrade_to_5());
    }
    FLOR_RETURN_IF_ERROR(tx.commit());
    return read_id();
  }

  const std::string& dir() const override { return dir_; }
  const std::string& id() const override { return id_; }

  // The meta table's schema_version; nullopt for a file without a store.
  Result<std::optional<int>> schema_version() {
    FLOR_ASSIGN_OR_RETURN(Stmt has, db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                                 "name='meta'"));
    FLOR_ASSIGN_OR_RETURN(bool row, has.step());
    if (!row || has.int64(0) == 0) return std::optional<int>();
    FLOR_ASSIGN_OR_RETURN(Stmt get, db_->prepare("SELECT value FROM meta WHERE key='schema_version'"));
    FLOR_ASSIGN_OR_RETURN(row, get.step());
    if (!row) return std::optional<int>();
    return std::optional<int>(std::atoi(get.text(0).c_str()));
  }

  Status read_id() {
    FLOR_ASSIGN_OR_RETURN(Stmt get, db_->prepare("SELECT value FROM meta WHERE key='store_id'"));
    FLOR_ASSIGN_OR_RETURN(bool row, get.step());
    if (!row) return corrupt("store " + db_->path() + " has no store_id in its meta table");
    id_ = get.text(0);
    return Status();
  }

  // Version 2 added epochs.iters (a row of a step loop covers a period of
  // iterations); a version 1 row covers one, the column's default.
  Status upgrade_to_2() {
    FLOR_RETURN_IF_ERROR(db_->exec("ALTER TABLE epochs ADD COLUMN iters INTEGER NOT NULL DEFAULT 1"));
    return db_->exec("UPDATE meta SET value='2' WHERE key='schema_version'");
  }

  // Version 3 added each run's process (older runs have none: never judged
  // dead) and the store id (older checkpoint names lack it; they are read by
  // the paths their rows name).
  Status upgrade_to_3() {
    FLOR_RETURN_IF_ERROR(db_->exec("ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT ''; "
                                   "ALTER TABLE runs ADD COLUMN pid INTEGER; "
                                   "ALTER TABLE runs ADD COLUMN pid_start INTEGER"));
    FLOR_ASSIGN_OR_RETURN(Stmt put, db_->prepare("INSERT OR IGNORE INTO meta(key, value) VALUES('store_id', ?)"));
    FLOR_RETURN_IF_ERROR(put.bind(1, new_store_id()).run());
    return db_->exec("UPDATE meta SET value='3' WHERE key='schema_version'");
  }

  // Version 4 added typed values' payloads (older rows have none: their
  // tensors are summaries).
  Status upgrade_to_4() {
    FLOR_RETURN_IF_ERROR(db_->exec("ALTER TABLE logs ADD COLUMN data BLOB; ALTER TABLE logs ADD COLUMN blob TEXT"));
    return db_->exec("UPDATE meta SET value='4' WHERE key='schema_version'");
  }

  // Version 5 added where a checkpoint's bytes are (older ones are all local).
  Status upgrade_to_5() {
    FLOR_RETURN_IF_ERROR(db_->exec("ALTER TABLE checkpoints ADD COLUMN location TEXT NOT NULL DEFAULT 'local'"));
    return db_->exec("UPDATE meta SET value='5' WHERE key='schema_version'");
  }

  Result<int64_t> create_run(const Run& run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(
        Stmt st, db_->prepare("INSERT INTO runs(name, kind, parent, status, vid, started, command, info, host, pid, "
                              "pid_start) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, run.name).bind(2, std::string(to_string(run.kind))).bind(3, run.parent);
    st.bind(4, std::string(to_string(run.status))).bind(5, run.vid);
    st.bind(6, run.started > 0 ? run.started : now_seconds());
    st.bind(7, nlohmann::json(run.command).dump()).bind(8, encode_run_info(run.info));
    const RunProcess p = run.process.value_or(this_process());
    st.bind(9, p.host).bind(10, p.pid).bind(11, p.start);
    FLOR_RETURN_IF_ERROR(st.run());
    return db_->last_insert_id();
  }

  Status set_run_process(int64_t id, const RunProcess& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("UPDATE runs SET host=?, pid=?, pid_start=? WHERE id=?"));
    return st.bind(1, p.host).bind(2, p.pid).bind(3, p.start).bind(4, id).run();
  }

  Status finish_run(int64_t id, RunStatus status, std::optional<int> exit_code) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("UPDATE runs SET status=?, ended=?, exit_code=COALESCE(?, exit_code) "
                                                "WHERE id=?"));
    return st.bind(1, std::string(to_string(status))).bind(2, now_seconds()).bind(3, exit_code).bind(4, id).run();
  }

  Status set_run_info(int64_t id, const RunInfo& info) override {
    return update_text("UPDATE runs SET info=? WHERE id=?", id, encode_run_info(info));
  }
  Status set_run_vid(int64_t id, const std::string& vid) override {
    return update_text("UPDATE runs SET vid=? WHERE id=?", id, vid);
  }

  Result<Run> run(int64_t id) override {
    FLOR_ASSIGN_OR_RETURN(auto rows, query_runs("WHERE id=" + std::to_string(id)));
    if (rows.empty()) return not_found("run " + std::to_string(id) + " not found in " + db_->path());
    return rows.front();
  }

  Result<std::vector<Run>> runs() override { return query_runs("ORDER BY id DESC"); }

  Result<Run> latest_record() override {
    FLOR_ASSIGN_OR_RETURN(auto rows, query_runs("WHERE kind='record' ORDER BY id DESC LIMIT 1"));
    if (rows.empty()) return not_found("experiment " + dir_ + " has no recorded run: record one first");
    return rows.front();
  }

  Status put_args(int64_t run, const std::map<std::string, std::string>& args) override {
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(db_.get());
    FLOR_RETURN_IF_ERROR(tx.begin());
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("INSERT OR REPLACE INTO args(run, name, value) VALUES(?,?,?)"));
    for (const auto& [name, value] : args) {
      FLOR_RETURN_IF_ERROR(st.bind(1, run).bind(2, name).bind(3, value).run());
    }
    return tx.commit();
  }

  Result<std::map<std::string, std::string>> args(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("SELECT name, value FROM args WHERE run=?"));
    st.bind(1, run);
    std::map<std::string, std::string> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] {
      out[st.text(0)] = st.text(1);
    }));
    return out;
  }

  Status append_logs(const std::vector<LogRow>& rows) override { return commit_epoch(std::nullopt, rows); }

  Result<std::vector<LogRow>> logs(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(
        Stmt st, db_->prepare(std::string("SELECT ") + kLogColumns + " FROM logs WHERE run=? ORDER BY id"));
    st.bind(1, run);
    std::vector<LogRow> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out.push_back(log_of(st)); }));
    return out;
  }

  Result<std::vector<std::string>> value_blobs() override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("SELECT DISTINCT blob FROM logs WHERE blob IS NOT NULL"));
    std::vector<std::string> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out.push_back(st.text(0)); }));
    return out;
  }

  Status add_checkpoint(const CheckpointRow& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    return insert_checkpoint(c);
  }

  Status insert_checkpoint(const CheckpointRow& c) {
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("INSERT OR REPLACE INTO checkpoints(run, epoch, seq, block, path, "
                                                "bytes, state_bytes, stall_s, write_s, reason, location) "
                                                "VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, c.run).bind(2, c.epoch).bind(3, c.seq).bind(4, c.block).bind(5, c.path).bind(6, c.bytes);
    st.bind(7, c.state_bytes).bind(8, c.stall_s).bind(9, c.write_s).bind(10, c.reason).bind(11, c.location);
    return st.run();
  }

  Result<std::vector<CheckpointRow>> checkpoints(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare(std::string("SELECT ") + kCheckpointColumns +
                                                " FROM checkpoints WHERE run=? ORDER BY epoch, seq"));
    st.bind(1, run);
    std::vector<CheckpointRow> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out.push_back(checkpoint_of(st)); }));
    return out;
  }

  Status remove_checkpoints(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("DELETE FROM checkpoints WHERE run=?"));
    return st.bind(1, run).run();
  }

  Status set_checkpoint_location(int64_t run, int64_t epoch, int64_t seq, const std::string& location) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("UPDATE checkpoints SET location=? WHERE run=? AND epoch=? AND seq=?"));
    FLOR_RETURN_IF_ERROR(st.bind(1, location).bind(2, run).bind(3, epoch).bind(4, seq).run());
    if (db_->changes() == 0) {
      return not_found("no checkpoint of run " + std::to_string(run) + " at epoch " + std::to_string(epoch) +
                       " seq " + std::to_string(seq));
    }
    return Status();
  }

  Status commit_epoch(const std::optional<EpochRow>& epoch, const std::vector<LogRow>& logs) override {
    if (!epoch && logs.empty()) return Status();
    std::lock_guard<std::mutex> lock(mu_);
    Transaction tx(db_.get());
    FLOR_RETURN_IF_ERROR(tx.begin());
    FLOR_RETURN_IF_ERROR(insert_logs(db_.get(), dir_, env_, &log_inserts_, logs));
    if (epoch) FLOR_RETURN_IF_ERROR(insert_epoch(*epoch));
    return tx.commit();
  }

  Status insert_epoch(const EpochRow& e) {
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("INSERT OR REPLACE INTO epochs(run, epoch, seconds, ended, blocks, "
                                                "skipped, executed, divergences, rng, note, iters) "
                                                "VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, e.run).bind(2, e.epoch).bind(3, e.seconds).bind(4, e.ended > 0 ? e.ended : now_seconds());
    st.bind(5, e.blocks).bind(6, e.skipped).bind(7, e.executed).bind(8, e.divergences);
    if (e.rng.empty()) {
      st.bind_null(9);
    } else {
      st.bind_blob(9, e.rng);
    }
    return st.bind(10, e.note).bind(11, e.iters).run();
  }

  Result<std::vector<EpochRow>> epochs(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare(std::string("SELECT ") + kEpochColumns +
                                                " FROM epochs WHERE run=? ORDER BY epoch"));
    st.bind(1, run);
    std::vector<EpochRow> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out.push_back(epoch_of(st)); }));
    return out;
  }

  Status add_divergence(const Divergence& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    return insert_divergence(d);
  }

  Status insert_divergence(const Divergence& d) {
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("INSERT INTO divergences(run, epoch, step, name, recorded, replayed, "
                                                "loc) VALUES(?,?,?,?,?,?,?)"));
    st.bind(1, d.run).bind(2, d.epoch).bind(3, d.step).bind(4, d.name).bind(5, d.recorded).bind(6, d.replayed);
    return st.bind(7, d.loc).run();
  }

  Result<std::vector<Divergence>> divergences(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare(std::string("SELECT ") + kDivergenceColumns +
                                                " FROM divergences WHERE run=? ORDER BY id"));
    st.bind(1, run);
    std::vector<Divergence> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out.push_back(divergence_of(st)); }));
    return out;
  }

  Status put_blob(int64_t run, const std::string& key, const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("INSERT OR REPLACE INTO blobs(run, key, value) VALUES(?,?,?)"));
    return st.bind(1, run).bind(2, key).bind_blob(3, bytes).run();
  }

  Result<std::string> blob(int64_t run, const std::string& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("SELECT value FROM blobs WHERE run=? AND key=?"));
    st.bind(1, run).bind(2, key);
    FLOR_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return not_found("run " + std::to_string(run) + " has no '" + key + "'");
    return st.text(0);
  }

  Result<std::map<std::string, std::string>> blobs(int64_t run) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("SELECT key, value FROM blobs WHERE run=?"));
    st.bind(1, run);
    std::map<std::string, std::string> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&] { out[st.text(0)] = st.text(1); }));
    return out;
  }

  Result<bool> import_run(const RunCopy& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    const Run& r = c.run;
    Transaction tx(db_.get());
    FLOR_RETURN_IF_ERROR(tx.begin());
    FLOR_ASSIGN_OR_RETURN(Stmt has, db_->prepare("SELECT kind, started FROM runs WHERE id=?"));
    has.bind(1, r.id);
    FLOR_ASSIGN_OR_RETURN(bool exists, has.step());
    if (exists) {
      if (has.text(0) == to_string(r.kind) && has.real(1) == r.started) return false;
      return taken_id(db_->path(), r.id);
    }
    FLOR_ASSIGN_OR_RETURN(
        Stmt st, db_->prepare("INSERT INTO runs(id, name, kind, parent, status, vid, started, ended, exit_code, "
                              "command, info, host, pid, pid_start) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.bind(1, r.id).bind(2, r.name).bind(3, std::string(to_string(r.kind))).bind(4, r.parent);
    st.bind(5, std::string(to_string(r.status))).bind(6, r.vid).bind(7, r.started);
    if (r.ended) {
      st.bind(8, *r.ended);
    } else {
      st.bind_null(8);
    }
    st.bind(9, r.exit_code).bind(10, nlohmann::json(r.command).dump()).bind(11, encode_run_info(r.info));
    if (r.process) {
      st.bind(12, r.process->host).bind(13, r.process->pid).bind(14, r.process->start);
    } else {
      st.bind(12, std::string()).bind_null(13).bind_null(14);
    }
    FLOR_RETURN_IF_ERROR(st.run());
    FLOR_ASSIGN_OR_RETURN(Stmt arg, db_->prepare("INSERT OR REPLACE INTO args(run, name, value) VALUES(?,?,?)"));
    for (const auto& [name, value] : c.args) FLOR_RETURN_IF_ERROR(arg.bind(1, r.id).bind(2, name).bind(3, value).run());
    FLOR_RETURN_IF_ERROR(insert_logs(db_.get(), dir_, env_, &log_inserts_, c.logs));
    for (const CheckpointRow& k : c.checkpoints) FLOR_RETURN_IF_ERROR(insert_checkpoint(k));
    for (const EpochRow& e : c.epochs) FLOR_RETURN_IF_ERROR(insert_epoch(e));
    for (const Divergence& d : c.divergences) FLOR_RETURN_IF_ERROR(insert_divergence(d));
    FLOR_ASSIGN_OR_RETURN(Stmt blob, db_->prepare("INSERT OR REPLACE INTO blobs(run, key, value) VALUES(?,?,?)"));
    for (const auto& [key, bytes] : c.blobs) FLOR_RETURN_IF_ERROR(blob.bind(1, r.id).bind(2, key).bind_blob(3, bytes).run());
    FLOR_RETURN_IF_ERROR(tx.commit());
    return true;
  }

 private:
  Status update_text(const char* sql, int64_t id, const std::string& value) {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare(sql));
    return st.bind(1, value).bind(2, id).run();
  }

  Result<std::vector<Run>> query_runs(const std::string& tail) {
    std::lock_guard<std::mutex> lock(mu_);
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare(std::string("SELECT ") + kRunColumns + " FROM runs " + tail));
    std::vector<Run> out;
    FLOR_RETURN_IF_ERROR(st.each_row([&]() -> Status {
      FLOR_ASSIGN_OR_RETURN(Run r, read_run(st, db_->path()));
      out.push_back(std::move(r));
      return Status();
    }));
    for (Run& r : out) {
      if (r.status == RunStatus::kRunning && r.process && process_gone(*r.process)) {
        (void)mark_dead(r);  // a store we cannot write (permissions) still reads the run as dead
        r.status = RunStatus::kDead;
      }
    }
    return out;
  }

  double now_seconds() const { return static_cast<double>(env_->now_ns()) * 1e-9; }

  // Only while the row still names that process and says running: a run
  // that ended (or was claimed by its program) since it was read is left alone.
  Status mark_dead(const Run& r) {
    FLOR_ASSIGN_OR_RETURN(Stmt st, db_->prepare("UPDATE runs SET status='dead' WHERE id=? AND status='running' "
                                                "AND host=? AND pid=? AND pid_start IS ?"));
    return st.bind(1, r.id).bind(2, r.process->host).bind(3, r.process->pid).bind(4, r.process->start).run();
  }

  std::mutex mu_;  // one connection, used by the training thread and the checkpoint writer
  std::unique_ptr<Db> db_;
  LogInserts log_inserts_;  // after db_: finalized before the connection closes
  std::string dir_;
  std::string name_;
  std::string id_;
  Env* env_;  // the clock of the times the store writes
};

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// A bad name as an error message shows it: one line, not too long.
std::string name_in_message(const std::string& name) {
  std::string shown = name.substr(0, 40);
  for (char& c : shown) c = is_control(c) ? '?' : c;
  return name.size() > 40 ? shown + "..." : shown;
}

}  // namespace

Status Store::check_name(const std::string& name) {
  if (name.empty()) return invalid_argument("experiment name is empty: give a name such as 'mnist'");
  // A newline or tab would break every listing (flor ls, flor log) and the log files named after it.
  for (size_t i = 0; i < name.size(); ++i) {
    if (is_control(name[i])) {
      char shown[8];
      std::snprintf(shown, sizeof shown, "\\x%02x", static_cast<unsigned char>(name[i]));
      return invalid_argument("experiment name '" + name_in_message(name) + "' has a control character (" +
                              shown + " at byte " + std::to_string(i + 1) + "): use letters, digits, '-', '_' or '.'");
    }
  }
  if (name.size() > kMaxNameBytes) {
    return invalid_argument("experiment name '" + name_in_message(name) + "' is " + std::to_string(name.size()) +
                            " bytes long: at most " + std::to_string(kMaxNameBytes));
  }
  if (name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos) {
    return invalid_argument("experiment name '" + name + "' is not a plain name: no '/', '\\', '.' or '..'");
  }
  if (name[0] == '.' || name[0] == '-') {
    return invalid_argument("experiment name '" + name + "' must not start with '.' or '-'");
  }
  return Status();
}

namespace {
// The backend FLOR_STORE selects: SQLite (""), PostgreSQL, or an error for anything else.
Result<bool> use_postgres(const std::string& url) {
  if (url.empty() || url == "sqlite") return false;
  if (is_postgres_url(url)) return true;
  return invalid_argument("FLOR_STORE='" + redact_conninfo(url) +
                          "' is neither 'sqlite' nor a PostgreSQL connection string (postgresql://USER@HOST:PORT/DB "
                          "or 'host=... dbname=...')");
}
}  // namespace

bool Store::store_lost(const std::string& home, const std::string& name) {
  if (Result<bool> pg = use_postgres(store_url_from_env()); pg.ok() && *pg) return false;  // rows in the server, not flor.db
  const std::string dir = home + "/" + name;
  std::error_code ec;
  const bool no_db = !fs::exists(dir + "/flor.db", ec) || fs::file_size(dir + "/flor.db", ec) == 0;
  return no_db && holds_checkpoints(dir + "/ckpt");
}

Result<std::unique_ptr<Store>> Store::open(const std::string& home, const std::string& name, OpenMode mode,
                                           Env* env) {
  return open_at(store_url_from_env(), home, name, mode, env);
}

Result<std::vector<Experiment>> Store::list(const std::string& home) { return list_at(store_url_from_env(), home); }

Result<std::unique_ptr<Store>> Store::open_at(const std::string& url, const std::string& home,
                                              const std::string& name, OpenMode mode, Env* env) {
  FLOR_RETURN_IF_ERROR(check_name(name));
  FLOR_ASSIGN_OR_RETURN(bool postgres, use_postgres(url));
  if (postgres) return open_pg_store(url, home, name, mode, env);
  const std::string dir = home + "/" + name;
  const std::string path = dir + "/flor.db";
  if (mode != OpenMode::kAdopt && store_lost(home, name)) return lost_store(dir, name);
  std::error_code ec;
  if (mode == OpenMode::kExisting && !fs::exists(path, ec)) {
    return not_found("no experiment '" + name + "' in " + home + " (no " + path + ")");
  }
  if (mode == OpenMode::kExisting && fs::file_size(path, ec) == 0) {  // SQLite would write a header into it
    return empty_store(path, name);
  }
  if (mode != OpenMode::kExisting) {
    fs::create_directories(dir + "/ckpt", ec);
    if (ec) return io_error("cannot create experiment folder " + dir + ": " + ec.message());
  }
  auto store = [&]() -> Result<std::unique_ptr<SqliteStore>> {
    const CreateFile create = mode != OpenMode::kExisting ? CreateFile::kYes : CreateFile::kNo;
    FLOR_ASSIGN_OR_RETURN(auto db, Db::open(path, kBusyMs, create, env));
    auto s = std::make_unique<SqliteStore>(std::move(db), dir, name, env ? env : Env::posix());
    FLOR_RETURN_IF_ERROR(s->init(mode));
    return Result<std::unique_ptr<SqliteStore>>(std::move(s));
  }();
  if (!store.ok() && store.status().code() == Code::kCorrupt) {
    return corrupt(path + " is damaged (" + store.status().message() +
                   "): move it aside (mv " + path + " " + path + ".damaged) and restore it from a backup, or "
                   "remove the experiment folder " + dir + " to give the experiment up");
  }
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

Result<std::vector<Experiment>> Store::list_at(const std::string& url, const std::string& home) {
  FLOR_ASSIGN_OR_RETURN(bool postgres, use_postgres(url));
  if (postgres) return list_pg_experiments(url, home);
  std::vector<Experiment> out;
  std::error_code ec;
  if (!fs::is_directory(home, ec)) return out;
  for (const auto& entry : fs::directory_iterator(home, ec)) {
    if (entry.is_directory(ec) &&
        (fs::exists(entry.path() / "flor.db", ec) || holds_checkpoints(entry.path() / "ckpt"))) {
      out.push_back(Experiment{entry.path().filename().string(), entry.path().string()});
    }
  }
  if (ec) return io_error("cannot list experiments in " + home + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const Experiment& a, const Experiment& b) { return a.name < b.name; });
  return out;
}

}  // namespace flor::store
