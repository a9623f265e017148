#include "store/pg_store.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "store/contract.h"
#include "store/pg.h"
#include "store/store_parts.h"
#include "store/value.h"
#include "util/hash.h"

namespace flor::store {
namespace fs = std::filesystem;

std::string store_url_from_env() {
  const char* v = std::getenv(kEnvStore);
  return v ? v : "";
}

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0 ||
         url.find('=') != std::string::npos;
}

namespace {

// Tables and columns are never renamed (docs/store-format.md). Each table
// but flor_meta carries `experiment`; run ids count per experiment
// (flor_experiments.next_run). Values are text, payloads bytea.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS flor_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flor_experiments(
  name TEXT PRIMARY KEY, store_id TEXT NOT NULL, next_run BIGINT NOT NULL DEFAULT 1,
  created DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  experiment TEXT NOT NULL REFERENCES flor_experiments(name), id BIGINT NOT NULL, name TEXT NOT NULL,
  kind TEXT NOT NULL, parent BIGINT, status TEXT NOT NULL, vid TEXT NOT NULL DEFAULT '',
  started DOUBLE PRECISION NOT NULL, ended DOUBLE PRECISION, exit_code INTEGER,
  command TEXT NOT NULL DEFAULT '[]', info TEXT NOT NULL DEFAULT '{}', host TEXT NOT NULL DEFAULT '',
  pid BIGINT, pid_start BIGINT, PRIMARY KEY(experiment, id));
CREATE INDEX IF NOT EXISTS runs_by_kind ON runs(experiment, kind, id);
CREATE TABLE IF NOT EXISTS args(
  experiment TEXT NOT NULL, run BIGINT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(experiment, run, name));
CREATE TABLE IF NOT EXISTS logs(
  id BIGSERIAL PRIMARY KEY, experiment TEXT NOT NULL, run BIGINT NOT NULL, source BIGINT NOT NULL,
  epoch BIGINT NOT NULL, step BIGINT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, type TEXT NOT NULL,
  loc TEXT NOT NULL, hindsight INTEGER NOT NULL, data BYTEA, blob TEXT);
CREATE INDEX IF NOT EXISTS logs_by_run ON logs(experiment, run, epoch, step);
CREATE TABLE IF NOT EXISTS checkpoints(
  experiment TEXT NOT NULL, run BIGINT NOT NULL, epoch BIGINT NOT NULL, seq BIGINT NOT NULL,
  block TEXT NOT NULL, path TEXT NOT NULL, bytes BIGINT NOT NULL, state_bytes BIGINT NOT NULL,
  stall_s DOUBLE PRECISION NOT NULL, write_s DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT 'local', PRIMARY KEY(experiment, run, epoch, seq));
CREATE TABLE IF NOT EXISTS epochs(
  experiment TEXT NOT NULL, run BIGINT NOT NULL, epoch BIGINT NOT NULL, seconds DOUBLE PRECISION NOT NULL,
  ended DOUBLE PRECISION NOT NULL, blocks BIGINT NOT NULL, skipped BIGINT NOT NULL, executed BIGINT NOT NULL,
  divergences BIGINT NOT NULL, rng BYTEA, note TEXT NOT NULL, iters BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY(experiment, run, epoch));
CREATE TABLE IF NOT EXISTS divergences(
  id BIGSERIAL PRIMARY KEY, experiment TEXT NOT NULL, run BIGINT NOT NULL, epoch BIGINT NOT NULL,
  step BIGINT NOT NULL, name TEXT NOT NULL, recorded TEXT NOT NULL, replayed TEXT NOT NULL, loc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS divergences_by_run ON divergences(experiment, run);
CREATE TABLE IF NOT EXISTS blobs(
  experiment TEXT NOT NULL, run BIGINT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL,
  PRIMARY KEY(experiment, run, key));
)sql";

// What tells one commit_epoch batch from another: every field, hashed.
uint64_t digest_of(const std::optional<EpochRow>& epoch, const std::vector<LogRow>& logs) {
  uint64_t h = logs.size();
  auto mix = [&h](const auto& v) { h = xxh64(&v, sizeof v, h); };
  auto mix_text = [&h](const std::string& v) { h = xxh64(v.data(), v.size(), h); };
  for (const LogRow& r : logs) {
    for (int64_t v : {r.run, r.source, r.epoch, r.step, int64_t{r.hindsight}}) mix(v);
    for (const std::string* v : {&r.name, &r.value, &r.type, &r.loc, &r.data, &r.blob}) mix_text(*v);
  }
  if (epoch) {
    for (int64_t v : {epoch->run, epoch->epoch, epoch->iters, epoch->blocks, epoch->skipped, epoch->executed,
                      epoch->divergences})
      mix(v);
    for (double v : {epoch->seconds, epoch->ended}) mix(v);
    mix_text(epoch->rng);
    mix_text(epoch->note);
  }
  return h;
}

constexpr size_t kLogsPerInsert = 64;
constexpr int kLogParams = 12;

// The schema's version in this database; nullopt when it has no flor tables.
Result<std::optional<int>> schema_version(PgConn* db) {
  FLOR_ASSIGN_OR_RETURN(PgResult has, db->exec("SELECT to_regclass('flor_meta') IS NOT NULL"));
  if (has.text(0, 0) != "t") return std::optional<int>();
  FLOR_ASSIGN_OR_RETURN(PgResult v, db->exec("SELECT value FROM flor_meta WHERE key='schema_version'"));
  if (v.rows() == 0) return std::optional<int>();
  return std::optional<int>(std::atoi(v.text(0, 0).c_str()));
}

Status newer_schema(PgConn* db, int version) {
  return failed_precondition("the PostgreSQL store at '" + db->where() + "' has schema version " +
                             std::to_string(version) + ", newer than this flor understands (" +
                             std::to_string(kSchemaVersion) + "): upgrade flor");
}

// Creates the tables once (several processes may try at once: an advisory
// lock makes them take turns) and checks the version.
Status init_schema(PgConn* db) {
  FLOR_ASSIGN_OR_RETURN(std::optional<int> version, schema_version(db));
  if (version == kSchemaVersion) return Status();
  if (version && *version > kSchemaVersion) return newer_schema(db, *version);
  return db->transaction([&]() -> Status {
    FLOR_RETURN_IF_ERROR(db->exec("SELECT pg_advisory_xact_lock(7468211)").status());
    FLOR_ASSIGN_OR_RETURN(version, schema_version(db));
    if (version == kSchemaVersion) return Status();
    if (version && *version > kSchemaVersion) return newer_schema(db, *version);
    if (version) {
      return failed_precondition("the PostgreSQL store at '" + db->where() + "' has schema version " +
                                 std::to_string(*version) + ", which no flor wrote (PostgreSQL stores start at 5)");
    }
    FLOR_RETURN_IF_ERROR(db->exec(kSchema).status());
    return db->exec("INSERT INTO flor_meta(key, value) VALUES('schema_version', $1)",
                    {pg_param(std::to_string(kSchemaVersion))})
        .status();
  });
}

class PgStore final : public Store {
 public:
  PgStore(std::unique_ptr<PgConn> db, std::string dir, std::string name, Env* env)
      : db_(std::move(db)), dir_(std::move(dir)), name_(std::move(name)), env_(env) {}

  Status init(OpenMode mode) {
    if (mode == OpenMode::kExisting) {  // creates nothing: a database without flor's tables has no experiment
      FLOR_ASSIGN_OR_RETURN(std::optional<int> version, schema_version(db_.get()));
      if (!version) return not_found("no experiment '" + name_ + "' in the PostgreSQL store at '" + db_->where() + "'");
    }
    FLOR_RETURN_IF_ERROR(init_schema(db_.get()));
    if (mode != OpenMode::kExisting) {
      FLOR_RETURN_IF_ERROR(db_->exec("INSERT INTO flor_experiments(name, store_id, created) VALUES($1, $2, $3) "
                                     "ON CONFLICT (name) DO NOTHING",
                                     {pg_param(name_), pg_param(new_store_id()), pg_param(now_seconds())})
                               .status());
    }
    FLOR_ASSIGN_OR_RETURN(PgResult r, db_->exec("SELECT store_id FROM flor_experiments WHERE name=$1",
                                                {pg_param(name_)}));
    if (r.rows() == 0) {
      return not_found("no experiment '" + name_ + "' in the PostgreSQL store at '" + db_->where() +
                       "' (record one with `flor run " + name_ + " -- CMD`; `flor ls` lists them)");
    }
    id_ = r.text(0, 0);
    return Status();
  }

  const std::string& dir() const override { return dir_; }
  const std::string& id() const override { return id_; }

  Result<int64_t> create_run(const Run& run) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t id = 0;
    const RunProcess p = run.process.value_or(this_process());
    FLOR_RETURN_IF_ERROR(db_->transaction([&]() -> Status {
      FLOR_ASSIGN_OR_RETURN(PgResult r, db_->exec("UPDATE flor_experiments SET next_run=next_run+1 WHERE name=$1 "
                                                  "RETURNING next_run-1",
                                                  {pg_param(name_)}));
      if (r.rows() != 1) return not_found("experiment '" + name_ + "' is gone from '" + db_->where() + "'");
      id = r.int64(0, 0);
      return db_->exec("INSERT INTO runs(experiment, id, name, kind, parent, status, vid, started, command, info, "
                       "host, pid, pid_start) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                       {pg_param(name_), pg_param(id), pg_param(run.name), pg_param(to_string(run.kind)),
                        pg_param(run.parent), pg_param(to_string(run.status)), pg_param(run.vid),
                        pg_param(run.started > 0 ? run.started : now_seconds()),
                        pg_param(nlohmann::json(run.command).dump()), pg_param(encode_run_info(run.info)),
                        pg_param(p.host), pg_param(p.pid), pg_param(p.start)})
          .status();
    }));
    return id;
  }

  Status set_run_process(int64_t id, const RunProcess& p) override {
    return exec_locked("UPDATE runs SET host=$2, pid=$3, pid_start=$4 WHERE experiment=$1 AND id=$5",
                       {pg_param(name_), pg_param(p.host), pg_param(p.pid), pg_param(p.start), pg_param(id)});
  }

  Status finish_run(int64_t id, RunStatus status, std::optional<int> exit_code) override {
    return exec_locked("UPDATE runs SET status=$2, ended=$3, exit_code=COALESCE($4::integer, exit_code) "
                       "WHERE experiment=$1 AND id=$5",
                       {pg_param(name_), pg_param(to_string(status)), pg_param(now_seconds()), pg_param(exit_code),
                        pg_param(id)});
  }

  Status set_run_info(int64_t id, const RunInfo& info) override {
    return exec_locked("UPDATE runs SET info=$2 WHERE experiment=$1 AND id=$3",
                       {pg_param(name_), pg_param(encode_run_info(info)), pg_param(id)});
  }
  Status set_run_vid(int64_t id, const std::string& vid) override {
    return exec_locked("UPDATE runs SET vid=$2 WHERE experiment=$1 AND id=$3",
                       {pg_param(name_), pg_param(vid), pg_param(id)});
  }

  Result<Run> run(int64_t id) override {
    FLOR_ASSIGN_OR_RETURN(auto rows, query_runs("AND id=" + std::to_string(id)));
    if (rows.empty()) return not_found("run " + std::to_string(id) + " not found in experiment '" + name_ + "'");
    return rows.front();
  }

  Result<std::vector<Run>> runs() override { return query_runs("ORDER BY id DESC"); }

  Result<Run> latest_record() override {
    FLOR_ASSIGN_OR_RETURN(auto rows, query_runs("AND kind='record' ORDER BY id DESC LIMIT 1"));
    if (rows.empty()) return not_found("experiment " + name_ + " has no recorded run: record one first");
    return rows.front();
  }

  Status put_args(int64_t run, const std::map<std::string, std::string>& args) override {
    std::lock_guard<std::mutex> lock(mu_);
    return db_->transaction([&]() -> Status {
      for (const auto& [name, value] : args) {
        FLOR_RETURN_IF_ERROR(db_->exec("INSERT INTO args(experiment, run, name, value) VALUES($1,$2,$3,$4) "
                                       "ON CONFLICT (experiment, run, name) DO UPDATE SET value=EXCLUDED.value",
                                       {pg_param(name_), pg_param(run), pg_param(name), pg_param(value)})
                                 .status());
      }
      return Status();
    });
  }

  Result<std::map<std::string, std::string>> args(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query("SELECT name, value FROM args WHERE experiment=$1 AND run=$2",
                                            {pg_param(name_), pg_param(run)}));
    std::map<std::string, std::string> out;
    for (int i = 0; i < r.rows(); ++i) out[r.text(i, 0)] = r.text(i, 1);
    return out;
  }

  Status append_logs(const std::vector<LogRow>& rows) override { return commit_epoch(std::nullopt, rows); }

  Result<std::vector<LogRow>> logs(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kLogColumns +
                                                " FROM logs WHERE experiment=$1 AND run=$2 ORDER BY id",
                                            {pg_param(name_), pg_param(run)}));
    std::vector<LogRow> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(log_of(PgRow{r, i}));
    return out;
  }

  Result<std::vector<std::string>> value_blobs() override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query("SELECT DISTINCT blob FROM logs WHERE experiment=$1 AND blob IS NOT NULL",
                                            {pg_param(name_)}));
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  Status add_checkpoint(const CheckpointRow& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    return insert_checkpoint(c);
  }

  Status insert_checkpoint(const CheckpointRow& c) {
    return db_->exec(
        "INSERT INTO checkpoints(experiment, run, epoch, seq, block, path, bytes, state_bytes, stall_s, write_s, "
        "reason, location) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (experiment, run, epoch, seq) "
        "DO UPDATE SET block=EXCLUDED.block, path=EXCLUDED.path, bytes=EXCLUDED.bytes, "
        "state_bytes=EXCLUDED.state_bytes, stall_s=EXCLUDED.stall_s, write_s=EXCLUDED.write_s, "
        "reason=EXCLUDED.reason, location=EXCLUDED.location",
        {pg_param(name_), pg_param(c.run), pg_param(c.epoch), pg_param(c.seq), pg_param(c.block), pg_param(c.path),
         pg_param(c.bytes), pg_param(c.state_bytes), pg_param(c.stall_s), pg_param(c.write_s), pg_param(c.reason),
         pg_param(c.location)})
        .status();
  }

  Result<std::vector<CheckpointRow>> checkpoints(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r,
                          query(std::string("SELECT ") + kCheckpointColumns +
                                    " FROM checkpoints WHERE experiment=$1 AND run=$2 ORDER BY epoch, seq",
                                {pg_param(name_), pg_param(run)}));
    std::vector<CheckpointRow> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(checkpoint_of(PgRow{r, i}));
    return out;
  }

  Status remove_checkpoints(int64_t run) override {
    return exec_locked("DELETE FROM checkpoints WHERE experiment=$1 AND run=$2", {pg_param(name_), pg_param(run)});
  }

  Status set_checkpoint_location(int64_t run, int64_t epoch, int64_t seq, const std::string& location) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query("UPDATE checkpoints SET location=$5 WHERE experiment=$1 AND run=$2 AND "
                                            "epoch=$3 AND seq=$4",
                                            {pg_param(name_), pg_param(run), pg_param(epoch), pg_param(seq),
                                             pg_param(location)}));
    if (r.affected() == 0) {
      return not_found("no checkpoint of run " + std::to_string(run) + " at epoch " + std::to_string(epoch) +
                       " seq " + std::to_string(seq));
    }
    return Status();
  }

  Status commit_epoch(const std::optional<EpochRow>& epoch, const std::vector<LogRow>& logs) override {
    if (!epoch && logs.empty()) return Status();
    FLOR_RETURN_IF_ERROR(write_value_blobs(dir_, logs, env_));  // durable before a row names them
    std::lock_guard<std::mutex> lock(mu_);
    // The same batch again (the runtime's LogWriter holds what failed and
    // retries it) after a COMMIT that may have landed: stored once. Hashed
    // only then, not on every epoch.
    if (unsure_ && unsure_->digest == digest_of(epoch, logs)) {
      FLOR_ASSIGN_OR_RETURN(const bool landed, db_->committed(unsure_->txn));
      unsure_.reset();
      if (landed) return Status();
    }
    unsure_.reset();
    Status s = db_->transaction([&]() -> Status {
      FLOR_RETURN_IF_ERROR(insert_logs(logs));
      return epoch ? insert_epoch(*epoch) : Status();
    });
    if (std::optional<PgConn::Txn> txn = db_->unsure(); !s.ok() && txn)
      unsure_ = Unsure{*txn, digest_of(epoch, logs)};
    return s;
  }

  Status insert_epoch(const EpochRow& e) {
      return db_->exec("INSERT INTO epochs(experiment, run, epoch, seconds, ended, blocks, skipped, executed, "
                       "divergences, rng, note, iters) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) "
                       "ON CONFLICT (experiment, run, epoch) DO UPDATE SET seconds=EXCLUDED.seconds, "
                       "ended=EXCLUDED.ended, blocks=EXCLUDED.blocks, skipped=EXCLUDED.skipped, "
                       "executed=EXCLUDED.executed, divergences=EXCLUDED.divergences, rng=EXCLUDED.rng, "
                       "note=EXCLUDED.note, iters=EXCLUDED.iters",
                       {pg_param(name_), pg_param(e.run), pg_param(e.epoch), pg_param(e.seconds),
                        pg_param(e.ended > 0 ? e.ended : now_seconds()), pg_param(e.blocks), pg_param(e.skipped),
                        pg_param(e.executed), pg_param(e.divergences), pg_bytes(e.rng), pg_param(e.note),
                        pg_param(e.iters)})
          .status();
  }

  Result<std::vector<EpochRow>> epochs(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kEpochColumns +
                                                " FROM epochs WHERE experiment=$1 AND run=$2 ORDER BY epoch",
                                            {pg_param(name_), pg_param(run)}));
    std::vector<EpochRow> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(epoch_of(PgRow{r, i}));
    return out;
  }

  Status add_divergence(const Divergence& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    // A transaction, so a connection lost as it lands does not store it twice
    // (PgConn::transaction); a plain INSERT would be sent again.
    return db_->transaction([&] { return insert_divergence(d); });
  }

  Status insert_divergence(const Divergence& d) {
    return db_->exec("INSERT INTO divergences(experiment, run, epoch, step, name, recorded, replayed, loc) "
                       "VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
                       {pg_param(name_), pg_param(d.run), pg_param(d.epoch), pg_param(d.step), pg_param(d.name),
                        pg_param(d.recorded), pg_param(d.replayed), pg_param(d.loc)})
        .status();
  }

  Result<std::vector<Divergence>> divergences(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r,
                          query(std::string("SELECT ") + kDivergenceColumns +
                                    " FROM divergences WHERE experiment=$1 AND run=$2 ORDER BY id",
                                {pg_param(name_), pg_param(run)}));
    std::vector<Divergence> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(divergence_of(PgRow{r, i}));
    return out;
  }

  Status put_blob(int64_t run, const std::string& key, const std::string& bytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    return insert_blob(run, key, bytes);
  }

  Status insert_blob(int64_t run, const std::string& key, const std::string& bytes) {
    PgParam value{bytes, true};  // an empty value is stored empty, not NULL
    return db_->exec("INSERT INTO blobs(experiment, run, key, value) VALUES($1,$2,$3,$4) "
                       "ON CONFLICT (experiment, run, key) DO UPDATE SET value=EXCLUDED.value",
                       {pg_param(name_), pg_param(run), pg_param(key), value})
        .status();
  }

  Result<std::string> blob(int64_t run, const std::string& key) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query("SELECT value FROM blobs WHERE experiment=$1 AND run=$2 AND key=$3",
                                            {pg_param(name_), pg_param(run), pg_param(key)}));
    if (r.rows() == 0) return not_found("run " + std::to_string(run) + " has no '" + key + "'");
    return r.bytes(0, 0);
  }

  Result<std::map<std::string, std::string>> blobs(int64_t run) override {
    FLOR_ASSIGN_OR_RETURN(PgResult r, query("SELECT key, value FROM blobs WHERE experiment=$1 AND run=$2",
                                            {pg_param(name_), pg_param(run)}));
    std::map<std::string, std::string> out;
    for (int i = 0; i < r.rows(); ++i) out[r.text(i, 0)] = r.bytes(i, 1);
    return out;
  }

  Result<bool> import_run(const RunCopy& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    const Run& r = c.run;
    bool copied = false;
    FLOR_RETURN_IF_ERROR(db_->transaction([&]() -> Status {
      copied = false;
      // The experiment's row first: it serializes this with create_run.
      FLOR_RETURN_IF_ERROR(db_->exec("UPDATE flor_experiments SET next_run=GREATEST(next_run, $2::bigint + 1) "
                                     "WHERE name=$1",
                                     {pg_param(name_), pg_param(r.id)})
                               .status());
      FLOR_ASSIGN_OR_RETURN(PgResult has, db_->exec("SELECT kind, started FROM runs WHERE experiment=$1 AND id=$2",
                                                    {pg_param(name_), pg_param(r.id)}));
      if (has.rows() > 0) {
        if (has.text(0, 0) == to_string(r.kind) && has.real(0, 1) == r.started) return Status();
        return failed_precondition("run " + std::to_string(r.id) + " of '" + name_ + "' in '" + db_->where() +
                                   "' is another run (another kind or start time): the two stores hold different "
                                   "runs under one experiment name; copy into another experiment or store");
      }
      const std::optional<int64_t> pid = r.process ? std::optional<int64_t>(r.process->pid) : std::nullopt;
      const std::optional<int64_t> start = r.process ? std::optional<int64_t>(r.process->start) : std::nullopt;
      FLOR_RETURN_IF_ERROR(
          db_->exec("INSERT INTO runs(experiment, id, name, kind, parent, status, vid, started, ended, exit_code, "
                    "command, info, host, pid, pid_start) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
                    {pg_param(name_), pg_param(r.id), pg_param(r.name), pg_param(to_string(r.kind)),
                     pg_param(r.parent), pg_param(to_string(r.status)), pg_param(r.vid), pg_param(r.started),
                     r.ended ? pg_param(*r.ended) : pg_null(), pg_param(r.exit_code),
                     pg_param(nlohmann::json(r.command).dump()), pg_param(encode_run_info(r.info)),
                     pg_param(r.process ? r.process->host : std::string()), pg_param(pid), pg_param(start)})
              .status());
      for (const auto& [name, value] : c.args) {
        FLOR_RETURN_IF_ERROR(db_->exec("INSERT INTO args(experiment, run, name, value) VALUES($1,$2,$3,$4)",
                                       {pg_param(name_), pg_param(r.id), pg_param(name), pg_param(value)})
                                 .status());
      }
      FLOR_RETURN_IF_ERROR(insert_logs(c.logs));
      for (const CheckpointRow& k : c.checkpoints) FLOR_RETURN_IF_ERROR(insert_checkpoint(k));
      for (const EpochRow& e : c.epochs) FLOR_RETURN_IF_ERROR(insert_epoch(e));
      for (const Divergence& d : c.divergences) FLOR_RETURN_IF_ERROR(insert_divergence(d));
      for (const auto& [key, bytes] : c.blobs) FLOR_RETURN_IF_ERROR(insert_blob(r.id, key, bytes));
      copied = true;
      return Status();
    }));
    return copied;
  }

 private:
  Result<PgResult> query(const std::string& sql, const std::vector<PgParam>& params) {
    std::lock_guard<std::mutex> lock(mu_);
    return db_->exec(sql, params);
  }
  Status exec_locked(const std::string& sql, const std::vector<PgParam>& params) {
    return query(sql, params).status();
  }

  // Inside the caller's transaction, kLogsPerInsert rows to a statement.
  Status insert_logs(const std::vector<LogRow>& logs) {
    for (size_t first = 0; first < logs.size(); first += kLogsPerInsert) {
      const size_t n = std::min(kLogsPerInsert, logs.size() - first);
      std::string sql =
          "INSERT INTO logs(experiment, run, source, epoch, step, name, value, type, loc, hindsight, data, blob) "
          "VALUES";
      std::vector<PgParam> params;
      params.reserve(n * kLogParams);
      for (size_t i = 0; i < n; ++i) {
        const LogRow& r = logs[first + i];
        sql += i ? ",(" : "(";
        for (int k = 1; k <= kLogParams; ++k) {
          sql += (k > 1 ? ",$" : "$") + std::to_string(i * kLogParams + k);
        }
        sql += ")";
        params.push_back(pg_param(name_));
        params.push_back(pg_param(r.run));
        params.push_back(pg_param(r.source));
        params.push_back(pg_param(r.epoch));
        params.push_back(pg_param(r.step));
        params.push_back(pg_param(r.name));
        params.push_back(pg_param(r.value));
        params.push_back(pg_param(r.type));
        params.push_back(pg_param(r.loc));
        params.push_back(pg_param(int64_t{r.hindsight ? 1 : 0}));
        params.push_back(r.blob.empty() ? pg_bytes(r.data) : pg_null());
        params.push_back(r.blob.empty() ? pg_null() : pg_param(r.blob));
      }
      FLOR_RETURN_IF_ERROR(db_->exec(sql, params).status());
    }
    return Status();
  }

  Result<std::vector<Run>> query_runs(const std::string& tail) {
    FLOR_ASSIGN_OR_RETURN(
        PgResult r, query(std::string("SELECT ") + kRunColumns + " FROM runs WHERE experiment=$1 " + tail,
                          {pg_param(name_)}));
    std::vector<Run> out;
    auto bad_info = [&](int64_t id, const Status& why) -> Status {
      return corrupt("experiment '" + name_ + "': the info of run " + std::to_string(id) +
                     " (runs.info) does not decode: " + why.message() +
                     ". Something other than flor changed it: fix that value, or set it to '{}'");
    };
    for (int i = 0; i < r.rows(); ++i) {
      FLOR_ASSIGN_OR_RETURN(Run run, run_of(PgRow{r, i}, bad_info));
      out.push_back(std::move(run));
    }
    for (Run& run : out) {
      if (run.status == RunStatus::kRunning && run.process && process_gone(*run.process)) {
        (void)mark_dead(run);  // a store we cannot write still reads the run as dead
        run.status = RunStatus::kDead;
      }
    }
    return out;
  }

  Status mark_dead(const Run& r) {
    return exec_locked("UPDATE runs SET status='dead' WHERE experiment=$1 AND id=$2 AND status='running' AND "
                       "host=$3 AND pid=$4 AND pid_start IS NOT DISTINCT FROM $5::bigint",
                       {pg_param(name_), pg_param(r.id), pg_param(r.process->host), pg_param(r.process->pid),
                        pg_param(r.process->start)});
  }

  double now_seconds() const { return static_cast<double>(env_->now_ns()) * 1e-9; }

  std::mutex mu_;  // one connection, used by the training thread and the checkpoint writer
  std::unique_ptr<PgConn> db_;
  std::string dir_;
  std::string name_;
  std::string id_;
  Env* env_;
  struct Unsure {
    PgConn::Txn txn;  // a commit_epoch's transaction that may have landed
    uint64_t digest;  // its batch (digest_of)
  };
  std::optional<Unsure> unsure_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_pg_store(const std::string& conninfo, const std::string& home,
                                             const std::string& name, OpenMode mode, Env* env) {
  const std::string dir = home + "/" + name;
  if (mode != OpenMode::kExisting) {
    std::error_code ec;
    fs::create_directories(dir + "/ckpt", ec);
    if (ec) return io_error("cannot create experiment folder " + dir + ": " + ec.message());
  }
  FLOR_ASSIGN_OR_RETURN(auto db, PgConn::connect(conninfo));
  auto s = std::make_unique<PgStore>(std::move(db), dir, name, env ? env : Env::posix());
  FLOR_RETURN_IF_ERROR(s->init(mode));
  return std::unique_ptr<Store>(std::move(s));
}

Result<std::vector<Experiment>> list_pg_experiments(const std::string& conninfo, const std::string& home) {
  FLOR_ASSIGN_OR_RETURN(auto db, PgConn::connect(conninfo));
  FLOR_ASSIGN_OR_RETURN(std::optional<int> version, schema_version(db.get()));
  if (!version) return std::vector<Experiment>();  // no flor tables yet: no experiment
  if (*version > kSchemaVersion) return newer_schema(db.get(), *version);
  FLOR_ASSIGN_OR_RETURN(PgResult r, db->exec("SELECT name FROM flor_experiments ORDER BY name"));
  std::vector<Experiment> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(Experiment{r.text(i, 0), home + "/" + r.text(i, 0)});
  return out;
}

}  // namespace flor::store
