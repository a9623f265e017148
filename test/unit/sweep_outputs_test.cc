// Sweep outputs: the journal on disk, CSV, table, progress, metrics, SVG.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "util/durable_file.h"
#include "util/hash.h"
#include "util/file_lock.h"
#include "sweep/journal.h"
#include "sweep/outputs.h"
#include "sweep/metrics.h"
#include "sweep/rerun.h"
#include "sweep/plot.h"
#include "common/temp_dir.h"
#include "sweep/report.h"

namespace flor::sweep {
namespace {

using test::TempDir;

Entry entry(const std::string& folder, Json params, RunState state) {
  Entry e;
  e.params = std::move(params);
  e.hash = param_hash(e.params);
  e.folder = folder;
  e.state = state;
  return e;
}

TEST_CASE("the journal survives a reopen and keeps first-seen order", "[sweep]") {
  TempDir dir;
  std::string path = dir.path + "/sweeps/s1/journal.json";
  {
    Journal j = *Journal::open(path);
    Entry b = entry("b", {{"lr", 2}}, RunState::kDone);
    b.order = 1;
    b.exit_code = 0;
    b.final_metrics = {{"loss", 0.25}};
    b.flor_run = 7;
    Entry a = entry("a", {{"lr", 1}}, RunState::kFailed);
    a.reason = "exit status 3";
    REQUIRE(j.put_all({b, a}).ok());
  }
  Journal j = *Journal::open(path);
  std::vector<const Entry*> es = j.entries();
  REQUIRE(es.size() == 2);
  CHECK(es[0]->folder == "a");
  CHECK(es[0]->state == RunState::kFailed);
  CHECK(es[0]->reason == "exit status 3");
  CHECK_FALSE(es[0]->exit_code.has_value());
  CHECK(es[1]->final_metrics["loss"] == 0.25);
  CHECK(es[1]->flor_run == 7);
  CHECK(*es[1]->exit_code == 0);
  // Atomic rewrite: no temp file left beside it.
  namespace fs = std::filesystem;
  CHECK(std::distance(fs::directory_iterator(dir.path + "/sweeps/s1"), fs::directory_iterator()) == 1);
}

TEST_CASE("a corrupt journal is an error that says what to do", "[sweep]") {
  TempDir dir;
  std::string path = dir.path + "/journal.json";
  REQUIRE(write_file_atomic(path, "{\"version\": 1, \"entries\": [").ok());
  Result<Journal> j = Journal::open(path);
  REQUIRE_FALSE(j.ok());
  CHECK(j.status().code() == Code::kCorrupt);
  CHECK(j.status().message().find("move it away") != std::string::npos);
  REQUIRE(write_file_atomic(path, R"({"version": 99, "entries": []})").ok());
  CHECK(Journal::open(path).status().message().find("version 99") != std::string::npos);
}

TEST_CASE("restart and --retry-failed pick runs by journal state", "[sweep]") {
  TempDir dir;
  Journal j = *Journal::open(dir.path + "/j.json");
  Config c = *parse_config(R"({"data_name": "m", "lr": [1, 2, 3, 4, 5]})", "c");
  std::vector<Permutation> perms = *expand(c);
  std::vector<Entry> es = entries_for(c, perms, j);
  es[0].state = RunState::kDone;
  es[1].state = RunState::kFailed;
  es[2].state = RunState::kRunning;  // the sweep was killed while it ran
  es[3].state = RunState::kDropped;
  REQUIRE(j.put_all({es[0], es[1], es[2], es[3]}).ok());
  std::vector<Entry> again = entries_for(c, perms, j);
  CHECK(again[0].folder == "m_lr1");
  std::vector<bool> resume, retry;
  for (const Entry& e : again) resume.push_back(wants_run(e, j, Rerun::kResume));
  for (const Entry& e : again) retry.push_back(wants_run(e, j, Rerun::kRetryFailed));
  CHECK(resume == std::vector<bool>{false, false, true, true, true});
  CHECK(retry == std::vector<bool>{false, true, false, false, true});
}

TEST_CASE("a new permutation never takes an old folder", "[sweep]") {
  TempDir dir;
  Journal j = *Journal::open(dir.path + "/j.json");
  Config c1 = *parse_config(R"({"data_name": "m", "lr": [1]})", "c");
  Entry old = entries_for(c1, *expand(c1), j)[0];
  REQUIRE(j.put(old).ok());
  // Same folder name "m_lr1" but different parameters (epochs changed).
  Config c2 = *parse_config(R"({"data_name": "m", "lr": [1], "epochs": 9})", "c");
  Entry fresh = entries_for(c2, *expand(c2), j)[0];
  CHECK(fresh.folder == "m_lr1_" + fresh.hash.substr(0, 8));
  CHECK(fresh.order == old.order + 1);
}

TEST_CASE("the CSV has a row per run and a column per parameter and metric", "[sweep]") {
  Entry a = entry("m_lr0.1", {{"lr", 0.1}, {"tag", "a,b"}}, RunState::kDone);
  a.final_metrics = {{"acc", 0.875}, {"loss", 0.5}};
  a.exit_code = 0;
  a.attempts = 1;
  a.started = 100;
  a.ended = 112.5;
  Entry b = entry("m_lr1", {{"lr", 1}, {"tag", "q\"t"}}, RunState::kFailed);
  b.exit_code = 3;
  Entry gone = entry("gone", {{"lr", 5}}, RunState::kDropped);
  std::string csv = report::render(data_table({&a, &b, &gone}), report::Format::kCsv);
  CHECK(csv ==
        "run,state,exit_code,attempts,duration_s,hash,lr,tag,acc,loss\n"
        "m_lr0.1,done,0,1,12.5," +
            a.hash +
            ",0.1,\"a,b\",0.875,0.5\n"
            "m_lr1,failed,3,0,," +
            b.hash + ",1,\"q\"\"t\",,\n");
}

TEST_CASE("the table shows varying parameters and final metrics", "[sweep]") {
  Entry a = entry("m_lr0.1", {{"lr", 0.1}, {"epochs", 3}}, RunState::kDone);
  a.final_metrics = {{"acc", 0.875}};
  Entry b = entry("m_lr1", {{"lr", 1}, {"epochs", 3}}, RunState::kFailed);
  b.reason = "exit status 3";
  std::string t = report::render(runs_table({&a, &b}), report::Format::kTable);
  CHECK(t.find("run      state                    lr    acc  time_s\n") == 0);
  CHECK(t.find("epochs") == std::string::npos);  // the same for all: not shown
  CHECK(t.find("m_lr1    failed (exit status 3)    1") != std::string::npos);
  CHECK(t.find("0.875") != std::string::npos);
}

TEST_CASE("metrics keep every digit in the CSV and JSON, a table shows 6", "[sweep]") {
  Entry a = entry("m_lr0.1", {{"lr", 0.1}}, RunState::kDone);
  a.final_metrics = {{"loss", 0.123456789012345}};
  a.started = 100;
  a.ended = 100.123456789;
  std::string csv = report::render(data_table({&a}), report::Format::kCsv);
  CHECK(csv.find(",0.123456789012345\n") != std::string::npos);
  CHECK(csv.find(",0.12345678900000223,") != std::string::npos);  // duration_s, as the double holds it
  std::string json = report::render(data_table({&a}, {"s1"}), report::Format::kJson);
  CHECK(json.find("\"sweep\": \"s1\", \"run\": \"m_lr0.1\"") != std::string::npos);
  CHECK(json.find("\"loss\": 0.123456789012345}") != std::string::npos);
  std::string table = report::render(runs_table({&a}), report::Format::kTable);
  CHECK(table.find("0.123457") != std::string::npos);
}

TEST_CASE("progress line and ETA", "[sweep]") {
  Progress p{3, 2, 1, 0, 80};
  CHECK(progress_line(p) == "sweep: 3 done, 2 running, 1 queued, 0 failed, ETA 1m20s");
  CHECK(progress_line({6, 0, 0, 0, -1}) == "sweep: 6 done, 0 running, 0 queued, 0 failed");
  CHECK(progress_line({0, 2, 4, 0, -1}).find("ETA ?") != std::string::npos);
  CHECK(estimate_eta({}, {1}, 3, 2) < 0);
  CHECK(estimate_eta({10, 20}, {5, 20}, 2, 2) == Approx((10 + 0 + 30) / 2.0));
  CHECK(format_duration(3725) == "1h02m");
  CHECK(format_duration(12.4) == "12s");
}

TEST_CASE("metrics are read from store logs", "[sweep]") {
  std::vector<store::LogRow> rows;
  auto row = [](int64_t epoch, const std::string& name, const std::string& value, const std::string& type) {
    store::LogRow r;
    r.run = r.source = 1;
    r.epoch = epoch;
    r.name = name;
    r.value = value;
    r.type = type;
    return r;
  };
  rows.push_back(row(0, "loss", "0.9", "double"));
  rows.push_back(row(1, "loss", "0.5", "float"));
  rows.push_back(row(1, "note", "hi", "string"));
  rows.push_back(row(-1, "test_acc", "0.8", "double"));
  store::LogRow hindsight = row(1, "grad", "3", "double");
  hindsight.source = 2;
  rows.push_back(hindsight);
  History h = history_from_logs(rows);
  CHECK(h.size() == 2);
  CHECK(h["loss"][1] == 0.5);
  Json fin = final_metrics(h);
  CHECK(fin["loss"] == 0.5);
  CHECK(fin["test_acc"] == 0.8);
  Json j = history_to_json(h);
  CHECK(j["metrics"]["loss"]["epochs"] == Json::array({0, 1}));
  CHECK(j["metrics"]["loss"]["values"] == Json::array({0.9, 0.5}));
}

TEST_CASE("metrics are parsed from program output as a fallback", "[sweep]") {
  History h = history_from_output(
      "loading data\n"
      "epoch 1/3 loss=0.91 acc: 0.61\n"
      "[epoch=2] loss=0.52, acc=0.74 lr=0.1\n"
      "epoch: 3 | loss: 0.40 | acc: 0.80 | time=1.2s\n"
      "loss=7 (no epoch: ignored)\n"
      "epoch 4/4  loss 0.35  test_loss 0.4012  test_acc 0.8125  (1.02 s)\n");
  CHECK(h["loss"] == std::map<int64_t, double>{{1, 0.91}, {2, 0.52}, {3, 0.40}, {4, 0.35}});
  CHECK(h["acc"][3] == 0.80);
  CHECK(h["test_acc"] == std::map<int64_t, double>{{4, 0.8125}});
  CHECK(h.count("time") == 0);  // "1.2s" is not a number
  CHECK(h["lr"].size() == 1);
}

TEST_CASE("nice ticks are round numbers covering the range", "[sweep]") {
  CHECK(nice_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  std::vector<double> t = nice_ticks(1, 5, 8);
  CHECK(t.front() == 1);
  CHECK(t.back() == 5);
  CHECK(nice_ticks(-3, 3, 6).size() == 7);
  CHECK(nice_ticks(1, 3, 8, /*integers=*/true) == std::vector<double>{1, 2, 3});
}

TEST_CASE("an SVG chart has a polyline per run and a legend", "[sweep]") {
  std::string svg = line_chart_svg(
      "loss", "epoch", {{"run <a>", {{0, 1.0}, {1, 0.5}, {2, 0.25}}}, {"b", {{0, 2}, {1, 1}}}, {"c", {}}});
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  size_t polylines = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1))
    ++polylines;
  CHECK(polylines == 2);
  CHECK(svg.find("run &lt;a&gt;") != std::string::npos);
  CHECK(svg.find(">c</text>") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  std::string flat = line_chart_svg("x", "epoch", {{"one", {{0, 3}}}});
  CHECK(flat.find("nan") == std::string::npos);
  CHECK(flat.find("inf") == std::string::npos);
}

TEST_CASE("file helpers: tail, stamp, append", "[sweep]") {
  TempDir dir;
  std::string p = dir.path + "/log";
  CHECK(file_stamp(p) == 0);
  for (int i = 1; i <= 5; ++i) REQUIRE(append_line(p, "line" + std::to_string(i)).ok());
  CHECK(tail_lines(p, 2) == "line4\nline5");
  CHECK(tail_lines(p, 50) == "line1\nline2\nline3\nline4\nline5");
  uint64_t s1 = file_stamp(p);
  CHECK(s1 != 0);
  REQUIRE(append_line(p, "more").ok());
  CHECK(file_stamp(p) != s1);
  CHECK(fnv1a_hex("") == "cbf29ce484222325");
}

TEST_CASE("one holder of a file lock at a time", "[sweep]") {
  TempDir dir;
  std::string p = dir.path + "/sub/lock";
  {
    Result<FileLock> first = FileLock::try_lock(p);
    REQUIRE(first.ok());
    Result<FileLock> second = lock_sweep(p);
    REQUIRE_FALSE(second.ok());
    CHECK(second.status().message().find("already running") != std::string::npos);
  }
  CHECK(FileLock::try_lock(p).ok());  // released with its holder
}

TEST_CASE("a waiting lock gets the file once its holder lets go", "[sweep]") {
  TempDir dir;
  std::string p = dir.path + "/lock";
  std::optional<Result<FileLock>> first(FileLock::try_lock(p));
  REQUIRE(first->ok());
  std::atomic<bool> released{false}, got_it_early{false};
  std::thread waiter([&] {
    auto second = FileLock::lock(p);
    got_it_early = !released.load();
    CHECK(second.ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  released = true;
  first.reset();
  waiter.join();
  CHECK_FALSE(got_it_early);
}

}  // namespace
}  // namespace flor::sweep
