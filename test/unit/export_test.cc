// The TFRecord checksum of flor export against the published CRC-32C check
// value, and read-only SQL over a real store.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common/temp_dir.h"
#include "export/export.h"
#include "store/query.h"
#include "store/store.h"

namespace flor {
namespace {

TEST_CASE("export: CRC-32C matches the check value, masked as TFRecord does", "[export]") {
  CHECK(exports::crc32c("123456789", 9) == 0xe3069283u);  // RFC 3720 B.4 check value
  const uint32_t c = 0xe3069283u;
  CHECK(exports::masked_crc32c("123456789", 9) == ((c >> 15) | (c << 17)) + 0xa282ead8u);
}

TEST_CASE("query: views answer, writes and bad statements are refused", "[store][sqlite]") {
  test::TempDir home;
  {
    auto s = store::Store::open(home.path, "q");
    REQUIRE(s.ok());
    const int64_t run = *(*s)->create_run(store::Run{});
    store::LogRow r;
    r.run = r.source = run;
    r.epoch = 2;
    r.name = "cm";
    r.value = "int64[2,2] mean=1 min=0 max=3";
    r.type = "tensor";
    r.data = std::string(32, '\0');
    REQUIRE((*s)->commit_epoch(std::nullopt, {r}).ok());
  }
  const std::string db = home.path + "/q/flor.db";
  auto ok = store::query(db, "SELECT run, kind, epoch, value, hindsight FROM logs");
  REQUIRE(ok.ok());
  REQUIRE(ok->rows.size() == 1);
  CHECK(ok->rows[0][1] == "tensor");
  CHECK(ok->rows[0][3] == "int64[2,2]");
  auto write = store::query(db, "DELETE FROM main.logs");
  REQUIRE_FALSE(write.ok());
  CHECK_THAT(write.status().message(), Catch::Contains("only reads"));
  CHECK_FALSE(store::query(db, "SELECT 1; SELECT 2").ok());
  CHECK_THAT(store::query(db, "SELECT nope FROM logs").status().message(), Catch::Contains("the views are"));
  CHECK(store::query(db, "SELECT count(*) FROM logs")->rows[0][0] == "1");
}

}  // namespace
}  // namespace flor
