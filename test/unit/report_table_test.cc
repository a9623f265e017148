#include <catch2/catch.hpp>

#include "report/log_table.h"
#include "report/table.h"

namespace flor::report {
namespace {

store::LogRow log(int64_t epoch, int64_t step, const std::string& name, const std::string& value,
                  bool hindsight = false, int64_t source = 1) {
  store::LogRow r;
  r.run = 1;
  r.source = hindsight ? source : 1;
  r.epoch = epoch;
  r.step = step;
  r.name = name;
  r.value = value;
  r.type = "double";
  r.hindsight = hindsight;
  return r;
}

TEST_CASE("log_table pivots epochs x names, recorded before hindsight", "[report]") {
  std::vector<store::LogRow> logs = {log(1, -1, "loss", "0.5"), log(0, -1, "loss", "0.90000000000000002"),
                                     log(0, -1, "acc", "0.7"), log(0, -1, "grad_norm", "3.25", true, 2),
                                     log(1, -1, "grad_norm", "2.5", true, 2)};
  Table t = log_table(logs, Mark::kNone);
  CHECK(t.columns == std::vector<std::string>{"epoch", "loss", "acc", "grad_norm"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<Cell>{"0", "0.90000000000000002", "0.7", "3.25"});
  CHECK(t.rows[1] == std::vector<Cell>{"1", "0.5", std::nullopt, "2.5"});
  Table marked = log_table(logs, Mark::kStar);
  CHECK(marked.columns.back() == "grad_norm*");
  CHECK(marked.footnote.find("hindsight") != std::string::npos);
}

TEST_CASE("log_table adds a step column for per-step logs; the newest replay wins", "[report]") {
  std::vector<store::LogRow> logs = {log(0, -1, "loss", "1"), log(0, 0, "g", "old", true, 2),
                                     log(0, 0, "g", "new", true, 5), log(0, 1, "g", "x", true, 5),
                                     log(-1, -1, "params", "7")};
  Table t = log_table(logs, Mark::kNone);
  CHECK(t.columns == std::vector<std::string>{"epoch", "step", "loss", "params", "g"});
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0] == std::vector<Cell>{"-1", std::nullopt, std::nullopt, "7", std::nullopt});
  CHECK(t.rows[1] == std::vector<Cell>{"0", std::nullopt, "1", std::nullopt, std::nullopt});
  CHECK(t.rows[2] == std::vector<Cell>{"0", "0", std::nullopt, std::nullopt, "new"});
}

TEST_CASE("log_table with last_step_only: a row per epoch, per-step names at the last step", "[report]") {
  std::vector<store::LogRow> logs = {log(0, -1, "loss", "1"),      log(0, 0, "g", "a", true, 2),
                                     log(0, 2, "g", "c", true, 2), log(0, 1, "g", "b", true, 5),
                                     log(1, -1, "loss", "0.5"),    log(1, 0, "g", "d", true, 2)};
  Table t = log_table(logs, Mark::kStar, Steps::kLastOnly);
  CHECK(t.columns == std::vector<std::string>{"epoch", "loss", "g*@last"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<Cell>{"0", "1", "c"});  // step 2, though an older replay wrote it
  CHECK(t.rows[1] == std::vector<Cell>{"1", "0.5", "d"});
  CHECK(t.footnote.find("@last") != std::string::npos);
  // Nothing per step: the same table as without the option.
  Table flat = log_table({log(0, -1, "loss", "1")}, Mark::kStar, Steps::kLastOnly);
  CHECK(flat.columns == std::vector<std::string>{"epoch", "loss"});
  CHECK(flat.footnote.empty());
}

TEST_CASE("a name logged several times in an epoch without a step is shown per step", "[report]") {
  // A plain batch loop inside a called function: the runtime stores step -1 for every batch.
  std::vector<store::LogRow> logs = {
      log(0, -1, "loss", "3"),   log(0, -1, "loss", "2"),   log(0, -1, "acc", "0.5"), log(0, -1, "loss", "1"),
      log(1, -1, "loss", "0.9"), log(1, -1, "loss", "0.8"), log(1, -1, "acc", "0.6")};
  Table t = log_table(logs, Mark::kNone);
  CHECK(t.columns == std::vector<std::string>{"epoch", "step", "loss", "acc"});
  REQUIRE(t.rows.size() == 7);
  CHECK(t.rows[0] ==
        std::vector<Cell>{"0", std::nullopt, std::nullopt, "0.5"});  // once per epoch: the epoch's row
  CHECK(t.rows[1] == std::vector<Cell>{"0", "0", "3", std::nullopt});
  CHECK(t.rows[2] == std::vector<Cell>{"0", "1", "2", std::nullopt});
  CHECK(t.rows[3] == std::vector<Cell>{"0", "2", "1", std::nullopt});
  CHECK(t.rows[5] == std::vector<Cell>{"1", "0", "0.9", std::nullopt});
  CHECK(t.rows[6] == std::vector<Cell>{"1", "1", "0.8", std::nullopt});
  // --by-epoch: the last value of the epoch, marked like a per-step name.
  Table by_epoch = log_table(logs, Mark::kStar, Steps::kLastOnly);
  CHECK(by_epoch.columns == std::vector<std::string>{"epoch", "loss@last", "acc"});
  CHECK(by_epoch.rows[0] == std::vector<Cell>{"0", "1", "0.5"});
  // Replays number their own values: the newest fills each step.
  Table filled =
      log_table({log(0, -1, "loss", "3"), log(0, -1, "g", "a", true, 2), log(0, -1, "g", "b", true, 2),
                 log(0, -1, "g", "c", true, 4), log(0, -1, "g", "d", true, 4)},
                Mark::kNone);
  CHECK(filled.columns == std::vector<std::string>{"epoch", "step", "loss", "g"});
  REQUIRE(filled.rows.size() == 3);
  CHECK(filled.rows[1] == std::vector<Cell>{"0", "0", std::nullopt, "c"});
  CHECK(filled.rows[2] == std::vector<Cell>{"0", "1", std::nullopt, "d"});
}

TEST_CASE("columns follow program order (file:line), whatever order replays wrote them", "[report]") {
  auto at = [](store::LogRow r, const std::string& loc) {
    r.loc = loc;
    return r;
  };
  Table t = log_table({at(log(0, -1, "loss", "1"), "train.cc:80"), at(log(0, -1, "acc", "1"), "train.cc:81"),
                       at(log(0, -1, "weight_norm", "2", true, 3), "train.cc:90"),
                       at(log(0, 0, "grad_norm", "3", true, 4), "train.cc:70")},
                      Mark::kNone);
  CHECK(t.columns == std::vector<std::string>{"epoch", "step", "loss", "acc", "grad_norm", "weight_norm"});
}

TEST_CASE("a hindsight name that is also recorded gets its own column", "[report]") {
  Table t = log_table({log(0, -1, "loss", "1"), log(0, -1, "loss", "2", true, 3)}, Mark::kNone);
  CHECK(t.columns == std::vector<std::string>{"epoch", "loss", "loss@hindsight"});
}

TEST_CASE("a diverged replay's values get NAME@diverged columns, in every format", "[report]") {
  // Replay 3 diverged, replay 4 did not; both filled weight_norm.
  std::vector<store::LogRow> logs = {log(0, -1, "loss", "1"), log(0, -1, "weight_norm", "2", true, 3),
                                     log(1, -1, "weight_norm", "5", true, 3),
                                     log(1, -1, "weight_norm", "6", true, 4)};
  for (Mark mark : {Mark::kNone, Mark::kStar}) {
    Table t = log_table(logs, mark, Steps::kEach, /*diverged=*/{3});
    CHECK(t.columns == std::vector<std::string>{"epoch", "loss", mark == Mark::kStar ? "weight_norm*" : "weight_norm",
                                                "weight_norm@diverged"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0] == std::vector<Cell>{"0", "1", std::nullopt, "2"});
    CHECK(t.rows[1] == std::vector<Cell>{"1", std::nullopt, "6", "5"});
    CHECK(t.footnote.find("@diverged: filled in by replay run(s) 3, which diverged") != std::string::npos);
  }
  Table only = log_table({log(0, -1, "g", "2", true, 3)}, Mark::kStar, Steps::kEach, {3});
  CHECK(only.columns == std::vector<std::string>{"epoch", "g@diverged"});
  CHECK(only.footnote.find("* hindsight") == std::string::npos);  // no column is marked *
  CHECK(render(only, Format::kCsv) == "epoch,g@diverged\n0,2\n");
  CHECK(render(only, Format::kJson).find("\"g@diverged\": 2") != std::string::npos);
}

TEST_CASE("render: aligned table shortens floats, csv and json keep every digit", "[report]") {
  Table t;
  t.columns = {"epoch", "loss", "note"};
  t.rows = {{"0", "0.12345678901234566", "a,b"}, {"10", std::nullopt, "say \"hi\""}};
  CHECK(render(t, Format::kTable) ==
        "epoch      loss  note\n"
        "    0  0.123457  a,b\n"
        "   10         -  say \"hi\"\n");
  CHECK(render(t, Format::kCsv) ==
        "epoch,loss,note\n0,0.12345678901234566,\"a,b\"\n10,,\"say \"\"hi\"\"\"\n");
  CHECK(render(t, Format::kJson) ==
        "[\n {\"epoch\": 0, \"loss\": 0.12345678901234566, \"note\": \"a,b\"},\n"
        " {\"epoch\": 10, \"loss\": null, \"note\": \"say \\\"hi\\\"\"}\n]\n");
}

TEST_CASE("render: a text column is shown as it is, left-aligned, even where it reads as a number", "[report]") {
  Table t;
  t.columns = {"run", "version"};
  t.rows = {{"1", "12e4567890"}, {"12", "a37b908286"}, {"3", std::nullopt}};
  t.text_columns = {1};
  CHECK(render(t, Format::kTable) ==
        "run  version\n"
        "  1  12e4567890\n"
        " 12  a37b908286\n"
        "  3  -\n");
  t.text_columns.clear();  // the control: read as a number, it would be shortened
  CHECK(render(t, Format::kTable).find("12e4567890") == std::string::npos);
}

TEST_CASE("json_number accepts JSON numbers only", "[report]") {
  CHECK(json_number("1e-05"));
  CHECK(json_number("-0.5"));
  CHECK_FALSE(json_number("nan"));
  CHECK_FALSE(json_number("inf"));
  CHECK_FALSE(json_number(".5"));
  CHECK_FALSE(json_number("01"));
  CHECK(parse_format("csv").value() == Format::kCsv);
  CHECK_FALSE(parse_format("xml").ok());
}

}  // namespace
}  // namespace flor::report
