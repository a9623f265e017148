// Read-only SQL over the query views (why: query.h).
#include "store/query.h"

#include <sqlite3.h>

#include <cctype>
#include <memory>

namespace flor::store {
namespace {

// TEMP views shadow the tables of the same name (SQLite looks in temp first);
// a read-only connection may still create them (the temp schema is its own).
constexpr const char* kViews = R"sql(
CREATE TEMP VIEW logs AS SELECT l.run AS run,
  CASE WHEN l.type IN ('int', 'float', 'double', 'bool') THEN 'scalar'
       WHEN l.type IN ('tensor', 'tensor_summary') AND instr(l.value, '[') = 0 THEN 'scalar'
       WHEN l.type IN ('tensor', 'tensor_summary') THEN 'tensor'
       WHEN l.type IN ('histogram', 'image') THEN l.type
       ELSE 'text' END AS kind,
  l.epoch AS epoch, l.step AS step, l.name AS name,
  CASE WHEN l.type IN ('tensor', 'tensor_summary') AND instr(l.value, ' ') > 0
       THEN substr(l.value, 1, instr(l.value, ' ') - 1) ELSE l.value END AS value,
  l.type AS type, l.hindsight AS hindsight
  FROM main.logs l ORDER BY l.id;
CREATE TEMP VIEW runs AS SELECT id, kind, parent, status, vid, started, ended, exit_code FROM main.runs;
CREATE TEMP VIEW args AS SELECT run, name, value FROM main.args;
)sql";

constexpr const char* kViewsHelp =
    "the views are logs(run, kind, epoch, step, name, value, type, hindsight), "
    "runs(id, kind, parent, status, vid, started, ended, exit_code) and args(run, name, value)";

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

bool blank(const char* s) {
  for (; *s; ++s) {
    if (!std::isspace(static_cast<unsigned char>(*s)) && *s != ';') return false;
  }
  return true;
}

}  // namespace

Result<QueryResult> query(const std::string& db_path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    return io_error("cannot open " + db_path + " read-only: " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 30000);
  char* err = nullptr;
  if (sqlite3_exec(db.get(), kViews, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return io_error("cannot read the store " + db_path + ": " + m);
  }
  sqlite3_stmt* st_raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), static_cast<int>(sql.size()), &st_raw, &tail) != SQLITE_OK) {
    return invalid_argument("bad query: " + std::string(sqlite3_errmsg(db.get())) + "; " + kViewsHelp);
  }
  std::unique_ptr<sqlite3_stmt, Closer> st(st_raw);
  if (!st) return invalid_argument("empty query: give one SELECT statement; " + std::string(kViewsHelp));
  if (tail && !blank(tail)) {
    return invalid_argument("one statement at a time: '" + std::string(tail) + "' follows the first one");
  }
  if (!sqlite3_stmt_readonly(st.get())) {
    return invalid_argument("flor query only reads: '" + sql + "' would change the store (nothing was changed)");
  }
  QueryResult out;
  const int n = sqlite3_column_count(st.get());
  for (int i = 0; i < n; ++i) out.columns.emplace_back(sqlite3_column_name(st.get(), i));
  for (;;) {
    const int step = sqlite3_step(st.get());
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) return invalid_argument("query failed: " + std::string(sqlite3_errmsg(db.get())));
    std::vector<std::optional<std::string>> row;
    for (int i = 0; i < n; ++i) {
      if (sqlite3_column_type(st.get(), i) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
        continue;
      }
      const auto* p = static_cast<const char*>(sqlite3_column_blob(st.get(), i));
      row.emplace_back(std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st.get(), i))));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace flor::store
