// The store backend of one unit test. Without FLOR_TEST_PG: SQLite under the
// test's FLOR_HOME (nothing to do). With FLOR_TEST_PG=CONNINFO (a key=value
// libpq string; test/common/pg_unit_tests.sh starts a server and sets it):
// a fresh schema in that database for this test, selected through FLOR_STORE
// (search_path), and dropped at the end. test/unit/store_backend_listener.cc
// makes one for every test case, so one suite runs on both backends.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "store/contract.h"
#include "store/pg.h"

namespace flor::test {

class StoreBackend {
 public:
  StoreBackend() {
    const char* pg = std::getenv("FLOR_TEST_PG");
    if (pg == nullptr || *pg == '\0') return;
    static int count = 0;
    conninfo_ = pg;
    schema_ = "t" + std::to_string(getpid()) + "_" + std::to_string(++count);
    auto db = store::PgConn::connect(conninfo_);
    if (!db.ok()) throw std::runtime_error("FLOR_TEST_PG: " + db.status().to_string());
    auto made = (*db)->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
    if (!made.ok()) throw std::runtime_error("FLOR_TEST_PG: " + made.status().to_string());
    url_ = conninfo_ + " options='-csearch_path=" + schema_ + "'";
    ::setenv(kEnvStore, url_.c_str(), 1);
  }
  ~StoreBackend() {
    if (schema_.empty()) return;
    ::unsetenv(kEnvStore);
    if (auto db = store::PgConn::connect(conninfo_); db.ok()) {
      (void)(*db)->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
  }
  StoreBackend(const StoreBackend&) = delete;
  StoreBackend& operator=(const StoreBackend&) = delete;

  bool postgres() const { return !schema_.empty(); }
  const std::string& url() const { return url_; }  // FLOR_STORE ("" for SQLite)

 private:
  std::string conninfo_;
  std::string schema_;
  std::string url_;
};

}  // namespace flor::test
