// A small RAII layer over libpq for the PostgreSQL store (pg_store.h): one
// connection, parameterized statements (text values; bytea sent binary), and
// results read as text. Errors are values naming the server (password
// redacted) and the server's message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

// libpq's handles (PGconn, PGresult), declared here so users of this header
// need not see libpq-fe.h.
struct pg_conn;
struct pg_result;

namespace flor::store {

// `conninfo` as a message may show it: the password of a URI
// (postgresql://user:PASSWORD@host) or of a key=value string (password=...)
// replaced by "***".
std::string redact_conninfo(const std::string& conninfo);

// One statement parameter: NULL, text, or bytes (bytea, sent binary).
struct PgParam {
  std::optional<std::string> value;
  bool binary = false;
};
PgParam pg_param(int64_t v);
PgParam pg_param(double v);
PgParam pg_param(std::string v);
PgParam pg_param(const char* v);
PgParam pg_param(const std::optional<int64_t>& v);
PgParam pg_param(const std::optional<int>& v);
PgParam pg_bytes(std::string v);  // NULL when empty
PgParam pg_null();

class PgResult {
 public:
  explicit PgResult(pg_result* r);
  int rows() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  std::string bytes(int row, int col) const;  // a bytea column, unescaped
  int64_t affected() const;                   // rows an UPDATE/DELETE changed
  pg_result* raw() const { return r_.get(); }

 private:
  std::shared_ptr<pg_result> r_;
};

// Row `row` of a result, read like a SQLite statement's row (store_parts.h).
struct PgRow {
  const PgResult& r;
  int row;
  bool is_null(int col) const { return r.is_null(row, col); }
  std::string text(int col) const { return r.text(row, col); }
  int64_t int64(int col) const { return r.int64(row, col); }
  double real(int col) const { return r.real(row, col); }
  std::string bytes(int col) const { return r.bytes(row, col); }
};

class PgConn {
 public:
  // A transaction, as the server knows it: its id and its server process.
  struct Txn {
    int64_t xid = 0;
    int pid = 0;
  };

  // Connects; the error names the server (redacted) and what libpq said.
  static Result<std::unique_ptr<PgConn>> connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  Result<PgResult> exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Runs `body` in a transaction (BEGIN .. COMMIT), again (up to a few times)
  // when the server reports a serialization failure or a deadlock, or when
  // the connection broke before the COMMIT (nothing of it was stored). When
  // the connection breaks during the COMMIT, the server is asked on a new one
  // whether it landed (by the transaction's id): stored, it is done; not
  // stored, it runs again; the server unreachable, it is an error (it may
  // have landed: unsure() says which).
  template <typename F>
  Status transaction(F&& body) {
    unsure_.reset();
    for (int attempt = 0;; ++attempt) {
      Result<Txn> txn = begin();
      Status s = txn.status();
      bool committing = false;
      if (s.ok()) s = body();
      if (s.ok()) {
        committing = true;
        s = exec("COMMIT").status();
      }
      if (s.ok()) return s;
      bool again = retryable_ || lost_mid_transaction_;
      if (committing && lost_mid_transaction_) {
        Result<bool> landed = committed(*txn);
        if (landed.ok() && *landed) return Status();
        again = landed.ok();
        if (!again) unsure_ = *txn;
      }
      (void)exec("ROLLBACK");
      if (!again || attempt >= kRetries) return s;
    }
  }
  // The id of the transaction whose COMMIT the last transaction() could not
  // tell the outcome of; nullopt when it could (or did not commit).
  std::optional<Txn> unsure() const { return unsure_; }
  // Whether transaction `t` was stored (an error: the server cannot say).
  Result<bool> committed(const Txn& t);
  const std::string& where() const { return where_; }  // the server, redacted

 private:
  static constexpr int kRetries = 8;
  PgConn(pg_conn* c, std::string where) : c_(c), where_(std::move(where)) {}
  Status reconnect();
  Result<Txn> begin();  // BEGIN
  PgResult send(const std::string& sql, const std::vector<PgParam>& params);
  pg_conn* c_;
  std::string where_;
  bool retryable_ = false;             // the last error was 40001 or 40P01
  bool lost_mid_transaction_ = false;  // the last error: the connection broke inside a transaction
  std::optional<Txn> unsure_;
};

}  // namespace flor::store
