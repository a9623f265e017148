// A thin RAII adapter over the SQLite C API for the store: errors become
// Status values (with the statement that failed), nothing throws.
//
// Not thread-safe by itself: the store serializes access to a Db.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "store/env_vfs.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::store {

class Stmt;

enum class CreateFile { kYes, kNo };

// Errors are kIo, or kCorrupt when SQLite finds the file damaged or not a
// database at all.
class Db {
 public:
  // Opens the database file (creating it with CreateFile::kYes). WAL mode, a
  // busy timeout of `busy_ms`, foreign keys on. With an `env` (which outlives
  // the Db) its writes, syncs and clock go through it (store/env_vfs.h).
  static Result<std::unique_ptr<Db>> open(const std::string& path, int busy_ms, CreateFile create,
                                          Env* env = nullptr);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status exec(const std::string& sql);
  Result<Stmt> prepare(const std::string& sql);
  int64_t last_insert_id() const;
  int64_t changes() const;  // rows the last INSERT, UPDATE or DELETE changed
  Status error(const std::string& what) const;  // the connection's last error
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path, std::unique_ptr<EnvVfs> vfs)
      : vfs_(std::move(vfs)), db_(db), path_(std::move(path)) {}
  std::unique_ptr<EnvVfs> vfs_;  // outlives the connection; null: the default VFS
  sqlite3* db_;
  std::string path_;
};

// A prepared statement. bind() indices are 1-based, column() 0-based.
class Stmt {
 public:
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);
  // Binds `v` without a copy: it must stay alive and unchanged until the
  // statement's next run() or reset(). For many rows bound in a loop.
  Stmt& bind_unowned(int i, const std::string& v);
  Stmt& bind_blob(int i, const std::string& bytes);
  Stmt& bind_blob_unowned(int i, const std::string& bytes);  // as bind_unowned
  Stmt& bind_null(int i);
  template <typename T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, static_cast<int64_t>(*v)) : bind_null(i);
  }

  // Steps once: true when a row is ready, false when done.
  Result<bool> step();
  // Steps through every row of a query, calling on_row() with the row current;
  // stops at the first error (of the step, or a Status that on_row returns).
  template <typename F>
  Status each_row(F&& on_row) {
    for (;;) {
      FLOR_ASSIGN_OR_RETURN(bool row, step());
      if (!row) return Status();
      if constexpr (std::is_same_v<decltype(on_row()), Status>) {
        FLOR_RETURN_IF_ERROR(on_row());
      } else {
        on_row();
      }
    }
  }
  // Steps until done (for INSERT/UPDATE) and resets for reuse.
  Status run();
  void reset();

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;  // text or blob bytes
  std::string bytes(int col) const { return text(col); }

 private:
  Db* db_;
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Db* db) : db_(db) {}
  ~Transaction();
  Status begin();
  Status commit();

 private:
  Db* db_;
  bool open_ = false;
};

}  // namespace flor::store
