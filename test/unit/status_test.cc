#include <catch2/catch.hpp>

#include "util/status.h"

namespace flor {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("not positive: " + std::to_string(v));
  return v;
}

Status twice(int v, int* out) {
  FLOR_ASSIGN_OR_RETURN(int x, parse_positive(v));
  *out = 2 * x;
  return Status();
}

TEST_CASE("Result carries a value or an error", "[util]") {
  auto ok = parse_positive(3);
  REQUIRE(ok.ok());
  CHECK(*ok == 3);
  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message() == "not positive: -1");
}

TEST_CASE("FLOR_ASSIGN_OR_RETURN propagates the first error with context", "[util]") {
  int out = 0;
  REQUIRE(twice(4, &out).ok());
  CHECK(out == 8);
  Status s = twice(0, &out).with_context("doubling");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message() == "doubling: not positive: 0");
}

}  // namespace
}  // namespace flor
