#include "store/pg.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace flor::store {

std::string redact_conninfo(const std::string& conninfo) {
  std::string s = conninfo;
  // URI: scheme://user:password@host
  if (const size_t scheme = s.find("://"); scheme != std::string::npos) {
    const size_t auth_end = s.find('@', scheme + 3);
    const size_t path = s.find('/', scheme + 3);
    if (auth_end != std::string::npos && (path == std::string::npos || auth_end < path)) {
      const size_t colon = s.find(':', scheme + 3);
      if (colon != std::string::npos && colon < auth_end) s.replace(colon + 1, auth_end - colon - 1, "***");
    }
  }
  // key=value and URI query parameters: password=...
  for (size_t at = s.find("password"); at != std::string::npos; at = s.find("password", at + 1)) {
    size_t eq = at + 8;
    while (eq < s.size() && s[eq] == ' ') ++eq;
    if (eq >= s.size() || s[eq] != '=') continue;
    size_t v = eq + 1;
    while (v < s.size() && s[v] == ' ') ++v;
    size_t end = v;
    if (end < s.size() && s[end] == '\'') {
      for (++end; end < s.size() && s[end] != '\''; ++end) {
        if (s[end] == '\\') ++end;
      }
      if (end < s.size()) ++end;
    } else {
      while (end < s.size() && s[end] != ' ' && s[end] != '&') ++end;
    }
    s.replace(v, end - v, "***");
  }
  return s;
}

namespace {

// libpq's message for `c` on one line: "...failed: Connection refused Is the server running ...?".
std::string error_of(const pg_conn* c) {
  std::string out;
  for (const char* p = PQerrorMessage(c); *p != '\0'; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == '\r' || *p == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : *p;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// `why` as a sentence: ending in one '.', or in the '?' libpq gave it.
std::string sentence(std::string why) {
  while (!why.empty() && why.back() == '.') why.pop_back();
  if (why.empty() || why.back() != '?') why += '.';
  return why;
}

}  // namespace

PgParam pg_param(int64_t v) { return {std::to_string(v)}; }
PgParam pg_param(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return {std::string(buf)};
}
PgParam pg_param(std::string v) { return {std::move(v)}; }
PgParam pg_param(const char* v) { return {std::string(v)}; }
PgParam pg_param(const std::optional<int64_t>& v) { return v ? pg_param(*v) : pg_null(); }
PgParam pg_param(const std::optional<int>& v) { return v ? pg_param(int64_t{*v}) : pg_null(); }
PgParam pg_bytes(std::string v) {
  if (v.empty()) return pg_null();
  return {std::move(v), true};
}
PgParam pg_null() { return {}; }

PgResult::PgResult(pg_result* r) : r_(r, PQclear) {}
int PgResult::rows() const { return PQntuples(r_.get()); }
bool PgResult::is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
std::string PgResult::text(int row, int col) const {
  return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
}
int64_t PgResult::int64(int row, int col) const { return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10); }
double PgResult::real(int row, int col) const { return std::strtod(PQgetvalue(r_.get(), row, col), nullptr); }
std::string PgResult::bytes(int row, int col) const {
  if (is_null(row, col)) return "";
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
  if (raw == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}
int64_t PgResult::affected() const { return std::strtoll(PQcmdTuples(r_.get()), nullptr, 10); }

Result<std::unique_ptr<PgConn>> PgConn::connect(const std::string& conninfo) {
  const std::string where = redact_conninfo(conninfo);
  // A server that cannot be reached must not hang a training process (libpq
  // waits forever by default): 10 s unless the connection string or
  // PGCONNECT_TIMEOUT says otherwise (the string's own value wins: it comes later).
  const char* env_timeout = std::getenv("PGCONNECT_TIMEOUT");
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {env_timeout != nullptr ? env_timeout : "10", conninfo.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (c == nullptr) return io_error("cannot connect to PostgreSQL at '" + where + "': out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = error_of(c);
    PQfinish(c);
    return io_error("cannot connect to PostgreSQL at '" + where + "' (FLOR_STORE): " + sentence(why) +
                    " Check that the server runs and the connection string is right");
  }
  // Notices (CREATE ... IF NOT EXISTS) are not errors: library code prints nothing.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConn>(new PgConn(c, where));
}

PgConn::~PgConn() { PQfinish(c_); }

Status PgConn::reconnect() {
  PQreset(c_);
  if (PQstatus(c_) == CONNECTION_OK) return Status();
  return io_error("lost the connection to PostgreSQL at '" + where_ + "' (FLOR_STORE) and cannot connect again: " +
                  sentence(error_of(c_)) + " Check that the server runs");
}

Result<PgConn::Txn> PgConn::begin() {
  // One round trip. txid_current (PostgreSQL 10 and later, like txid_status)
  // gives the transaction its id now.
  FLOR_ASSIGN_OR_RETURN(PgResult r, exec("BEGIN; SELECT txid_current()"));
  return Txn{r.int64(0, 0), PQbackendPID(c_)};
}

Result<bool> PgConn::committed(const Txn& t) {
  // The server may still be finishing the COMMIT: asked again, for up to 5 s.
  for (int tries = 0; tries < 50; ++tries) {
    FLOR_ASSIGN_OR_RETURN(PgResult r, exec("SELECT txid_status($1)", {pg_param(t.xid)}));
    const std::string status = r.rows() == 1 && !r.is_null(0, 0) ? r.text(0, 0) : "";
    if (status == "committed") return true;
    if (status == "aborted") return false;
    if (status != "in progress") break;  // too old to say (NULL)
    // Still open after 1 s: its server process may never hear that the
    // connection went (half-open TCP, the COMMIT lost on the way). Ended, it
    // rolls the transaction back, unless its COMMIT is under way.
    if (tries == 10 && t.pid != PQbackendPID(c_)) {
      (void)exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid=$1 AND "
          "backend_xid::text=($2 % 4294967296)::text",
          {pg_param(int64_t{t.pid}), pg_param(t.xid)});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return io_error("PostgreSQL at '" + where_ + "' cannot say whether transaction " + std::to_string(t.xid) +
                  " was stored");
}

Result<PgResult> PgConn::exec(const std::string& sql, const std::vector<PgParam>& params) {
  retryable_ = false;
  lost_mid_transaction_ = false;
  // A connection lost earlier (the server restarted, the network broke) is
  // made again, so a caller that holds its rows and retries (the runtime's
  // LogWriter) stores them once the server is back.
  if (PQstatus(c_) != CONNECTION_OK) FLOR_RETURN_IF_ERROR(reconnect());
  // Outside a transaction, a statement that finds the connection dead (a
  // server restarted since the last one) runs again once on a new one: it is
  // a read, an idempotent update or a BEGIN. Inside one, the caller's
  // transaction() decides (a COMMIT may have landed).
  const bool idle = PQtransactionStatus(c_) == PQTRANS_IDLE;
  PgResult r = send(sql, params);
  if (idle && PQstatus(c_) != CONNECTION_OK && reconnect().ok()) r = send(sql, params);
  const ExecStatusType st = PQresultStatus(r.raw());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  const char* state = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE);
  retryable_ = state != nullptr && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0);
  const std::string why = error_of(c_);
  if (PQstatus(c_) != CONNECTION_OK) {
    lost_mid_transaction_ = !idle;
    return io_error("lost the connection to PostgreSQL at '" + where_ + "' (FLOR_STORE): " + sentence(why) +
                    " Check that the server runs");
  }
  std::string first_line = sql.substr(0, sql.find('\n')).substr(0, 60);
  return io_error("PostgreSQL at '" + where_ + "': " + why + " (in: " + first_line + "...)");
}

PgResult PgConn::send(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].value ? params[i].value->data() : nullptr;
    lengths[i] = params[i].value ? static_cast<int>(params[i].value->size()) : 0;
    formats[i] = params[i].binary ? 1 : 0;
  }
  // Without parameters: PQexec, which also runs several statements (the schema).
  return PgResult(params.empty() ? PQexec(c_, sql.c_str())
                                 : PQexecParams(c_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                                values.data(), lengths.data(), formats.data(), 0));
}

}  // namespace flor::store
