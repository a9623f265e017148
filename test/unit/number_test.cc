#include <catch2/catch.hpp>

#include <limits>

#include "util/number.h"

namespace flor {
namespace {

TEST_CASE("parse_real: plain decimal numbers in range", "[util][number]") {
  CHECK(*parse_real("--eps", "0.5", 0, 1) == 0.5);
  CHECK(*parse_real("--eps", "0", 0, 1) == 0);
  CHECK(*parse_real("--eps", "1", 0, 1) == 1);
  CHECK(*parse_real("--eps", ".25", 0, 1) == 0.25);
  CHECK(*parse_real("--eps", "1.", 0, 1) == 1);
  CHECK(*parse_real("--eps", "5e-2", 0, 1) == 0.05);
  CHECK(*parse_real("--eps", "5E-2", 0, 1) == 0.05);
  CHECK(*parse_real("--eps", "0.0666666666666666657", 0, 1) == 1.0 / 15.0);
  CHECK(*parse_real("x", "-2.5", -10, 10) == -2.5);
  CHECK(*parse_real("x", "1e+3", 0, 1e6) == 1000);
}

TEST_CASE("parse_real: refuses what is not a finite number in range, naming flag and range", "[util][number]") {
  for (const char* text : {"nan", "NaN", "inf", "-inf", "infinity", "0x1", "0x1p-1", " 0.5", "0.5 ", "\t0.5",
                           "+0.5", "1e-400", "1e400", "-0", "-0.0", "2", "1.0000001", "-0.1", "", ".", "-",
                           "e5", "1e", "1e+", "0.5x", "1,5", "5%", "0.5\n"}) {
    auto r = parse_real("--eps", text, 0, 1);
    INFO("text '" << text << "'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() == "--eps '" + std::string(text) + "': expected a number from 0 to 1");
  }
  CHECK(parse_real("x", "1e308", 0, std::numeric_limits<double>::infinity()).ok());
  CHECK(parse_real("-x", "-1", 0, std::numeric_limits<double>::infinity()).status().message() ==
        "-x '-1': expected a number of at least 0");
  CHECK(parse_real("FLOR_EPS", "nan", 0, 1).status().message() == "FLOR_EPS='nan': expected a number from 0 to 1");
}

TEST_CASE("parse_integer: decimal integers in range", "[util][number]") {
  CHECK(*parse_integer("--jobs", "4", 1, 256) == 4);
  CHECK(*parse_integer("--jobs", "256", 1, 256) == 256);
  CHECK(*parse_integer("--jobs", "007", 1, 256) == 7);
  CHECK(*parse_integer("RANK", "-3", -5, 5) == -3);
  CHECK(*parse_integer("id", "9223372036854775807", 1, std::numeric_limits<int64_t>::max()) ==
        std::numeric_limits<int64_t>::max());
}

TEST_CASE("parse_integer: refuses junk, other bases and values out of range", "[util][number]") {
  for (const char* text : {"0", "257", "-1", "-0", "0x1", "1e2", "4.0", " 4", "4 ", "+4", "", "-", "4j", "nan",
                           "99999999999999999999"}) {
    auto r = parse_integer("--jobs", text, 1, 256);
    INFO("text '" << text << "'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "--jobs '" + std::string(text) + "': expected an integer from 1 to 256");
  }
  CHECK(parse_integer("FLOR_RUN_ID", "0", 1, std::numeric_limits<int64_t>::max()).status().message() ==
        "FLOR_RUN_ID='0': expected an integer of at least 1");
}

TEST_CASE("parse_size: bytes with an optional K, M or G", "[util][number]") {
  CHECK(*parse_size("--snapshot-max-size", "0") == 0);
  CHECK(*parse_size("--snapshot-max-size", "1000") == 1000);
  CHECK(*parse_size("--snapshot-max-size", "512K") == 512 << 10);
  CHECK(*parse_size("--snapshot-max-size", "1m") == 1 << 20);
  CHECK(*parse_size("--snapshot-max-size", "10M") == 10 << 20);
  CHECK(*parse_size("--snapshot-max-size", "1024G") == int64_t{1} << 40);
  for (const char* text : {"", "M", "1X", "1.5M", "-1M", " 1M", "1M ", "1MB", "0x10", "1025G", "2000000000000"}) {
    auto r = parse_size("--snapshot-max-size", text);
    INFO("text '" << text << "'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "--snapshot-max-size '" + std::string(text) +
                                      "': expected a size such as 500K, 10M or 1G, at most 1024G");
  }
}

}  // namespace
}  // namespace flor
