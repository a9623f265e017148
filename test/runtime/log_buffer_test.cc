// The per-step logging path: number text at its edges (the same text as the
// printf search it replaced) and the buffer that reuses rows between flushes.
#include "torch_catch.h"

#include <flor/flor.h>

#include <cstring>
#include <limits>

#include "log_buffer.h"

namespace flor::rt {
namespace {

TEST_CASE("values: edge cases keep the %.Ng text (6 to 17 digits)", "[runtime]") {
  using detail::to_text;
  // Expected texts from the snprintf/strtod search this replaced.
  CHECK(to_text(100000.0) == "100000");
  CHECK(to_text(1234567.0) == "1234567");
  CHECK(to_text(1e21) == "1e+21");
  CHECK(to_text(1e-5) == "1e-05");
  CHECK(to_text(-0.0) == "-0");
  CHECK(to_text(0.1 + 0.2) == "0.30000000000000004");
  CHECK(to_text(std::numeric_limits<double>::denorm_min()) == "4.94066e-324");
  CHECK(to_text(std::numeric_limits<double>::min()) == "2.2250738585072014e-308");
  CHECK(to_text(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(to_text(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(to_text(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(to_text(1e-5f) == "1e-05");
  CHECK(to_text(16777216.0f) == "16777216");
  CHECK(to_text(std::numeric_limits<float>::max()) == "3.4028235e+38");
  CHECK(to_text(0.3f) == "0.3");
}

TEST_CASE("log buffer: rows are reused after clear, drop_last takes a row back, loc is per call site",
          "[runtime]") {
  LogBuffer logs;
  static const char kFile[] = "train.cc";
  store::LogRow& a = logs.add("loss", "0.123456789012345678", "double", kFile, 12);
  a.run = a.source = 7;
  a.epoch = 2;
  a.step = 5;
  a.hindsight = true;
  REQUIRE(logs.size() == 1);
  CHECK(logs.rows()[0].loc == "train.cc:12");
  const char* value_buffer = logs.rows()[0].value.data();
  logs.clear();
  CHECK(logs.size() == 0);

  // The next row gets the old one's strings (same buffer) and default fields.
  const store::LogRow& b = logs.add("acc", "0.5", "double", kFile, 13);
  CHECK(b.value.data() == value_buffer);
  CHECK(b.name == "acc");
  CHECK(b.value == "0.5");
  CHECK(b.loc == "train.cc:13");
  CHECK(b.run == 0);
  CHECK(b.epoch == -1);
  CHECK(b.step == -1);
  CHECK_FALSE(b.hindsight);

  logs.add("skip", "1", "int", kFile, 14);
  logs.drop_last();
  REQUIRE(logs.size() == 1);
  CHECK(logs.rows()[0].name == "acc");

  // One pointer, new text: the loc follows the text, not the pointer.
  char file[16];
  std::strcpy(file, "a.cc");
  CHECK(logs.add("x", "1", "int", file, 3).loc == "a.cc:3");
  std::strcpy(file, "b.cc");
  CHECK(logs.add("x", "1", "int", file, 3).loc == "b.cc:3");
  CHECK(logs.add("x", "1", "int", kFile, 12).loc == "train.cc:12");
}

// Rows made one at a time, between LibTorch's per-step tensors, fragmented
// the heap (log_buffer.h): the rows' vector must not move as it fills up to a
// flush, and new rows come with room for a number's text.
TEST_CASE("log buffer: rows are made in batches with room for a value, in a vector that does not move",
          "[runtime]") {
  LogBuffer logs;
  static const char kFile[] = "train.cc";
  const store::LogRow* first = &logs.add("loss", "0.5", "double", kFile, 1);
  CHECK(first->value.capacity() >= 24);  // "%.17g" text, no allocation when it is set
  for (size_t i = 1; i < LogBuffer::kMaxRows; ++i) logs.add("loss", "0.25", "double", kFile, 1);
  CHECK(&logs.rows()[0] == first);
  CHECK(logs.rows().back().value.capacity() >= 24);
  logs.clear();
  CHECK(&logs.add("loss", "0.5", "double", kFile, 1) == first);  // the same vector after a flush
}

}  // namespace
}  // namespace flor::rt
