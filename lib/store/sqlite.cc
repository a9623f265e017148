#include "store/sqlite.h"

#include <chrono>
#include <memory>
#include <thread>

namespace flor::store {
namespace {

// A write the disk refused (full, or an I/O error): the statement is noise
// there, what to do is not.
bool write_refused(int rc) { return (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR; }

Status refused(const std::string& path, const std::string& msg) {
  return io_error("store " + path + ": cannot write: " + msg + " (free space on its disk)");
}

Status sqlite_error(int rc, std::string message) {
  const int primary = rc & 0xff;
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) return corrupt(std::move(message));
  return io_error(std::move(message));
}

}  // namespace

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int busy_ms, CreateFile create, Env* env) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create == CreateFile::kYes ? SQLITE_OPEN_CREATE : 0);
  std::unique_ptr<EnvVfs> vfs = env ? std::make_unique<EnvVfs>(env) : nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs ? vfs->name() : nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (raw) sqlite3_close(raw);
    return sqlite_error(rc, "cannot open store database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(raw, busy_ms);
  std::unique_ptr<Db> db(new Db(raw, path, std::move(vfs)));
  // WAL lets replay workers write while the driver reads; NORMAL sync is
  // durable across process crashes (the WAL is fsynced at checkpoints).
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    // Switching to WAL needs a lock; another process may hold it briefly.
    Status s;
    for (int attempt = 0; attempt < 50; ++attempt) {
      s = db->exec(pragma);
      if (s.ok() || s.code() == Code::kCorrupt) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FLOR_RETURN_IF_ERROR(s);
  }
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }  // statements never outlive their Db (its VFS goes next)

Status Db::error(const std::string& what) const {
  if (write_refused(sqlite3_extended_errcode(db_))) return refused(path_, sqlite3_errmsg(db_));
  return sqlite_error(sqlite3_extended_errcode(db_), "store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  if (write_refused(rc)) return refused(path_, msg);
  return sqlite_error(rc, "store " + path_ + ": '" + sql.substr(0, 60) + "': " + msg);
}

Result<Stmt> Db::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return error("preparing '" + sql.substr(0, 60) + "'");
  }
  return Stmt(this, stmt);
}

int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int64_t Db::changes() const { return sqlite3_changes64(db_); }

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_unowned(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind_blob(int i, const std::string& bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_blob_unowned(int i, const std::string& bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(std::string("running '") + sqlite3_sql(stmt_) + "'");
}

Status Stmt::run() {
  FLOR_RETURN_IF_ERROR(each_row([] {}));
  reset();
  return Status();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Status Transaction::begin() {
  FLOR_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status();
}

Status Transaction::commit() {
  FLOR_RETURN_IF_ERROR(db_->exec("COMMIT"));
  open_ = false;
  return Status();
}

Transaction::~Transaction() {
  if (open_) (void)db_->exec("ROLLBACK");
}

}  // namespace flor::store
