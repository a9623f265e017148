// A run's typed metadata (store/run_info.h): its encode and decode, and the
// store that writes and reads it, over a real SQLite file.
#include <catch2/catch.hpp>

#include "common/store_ok.h"
#include "common/temp_dir.h"
#include "store/run_info.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace flor::store {
namespace {

// Every key, as the driver, the runtime and the sweep fill them in.
RunInfo full_info() {
  RunInfo i;
  i.threads = RunThreads{4, 2, 1};
  i.seed = "18446744073709551615";  // uint64 max: more digits than a JSON number keeps
  i.versions = RunVersions{"0.1.0", "1.13.1", "3.40.1"};
  i.command = std::vector<std::string>{"./train", "--lr", "0.01"};
  i.pid = 4242;
  i.cwd = "examples";
  i.skipped = {{"big.bin", 2097152}};
  i.submodules = {{"libs/dep", "0123456789abcdef0123456789abcdef01234567", true}};
  i.launcher = "slurm";
  i.eps = 1.0 / 15.0;
  i.checkpoints = 7;
  i.step_loop = "step";
  i.carried_state = std::vector<std::string>{"scheduler", "best_accuracy"};
  i.segment = Segment{2, 4};
  i.init = InitMode::kStrong;
  i.epochs = EpochRange{5, 9};
  i.divergences = 3;
  i.gpu_mem_peak_mib = 2100;
  i.logs_not_stored = 12;
  i.sweep = SweepTag{"grid", "run-0003", "00ff00ff00ff00ff", {{"lr", "0.01"}, {"opt", "\"adam\""}}};
  return i;
}

std::unique_ptr<Store> open_ok(const std::string& home) { return test::open_ok(home, "exp"); }

// The info column as stored, and a way to store any text there: what an older
// or a newer flor, or a hand edit, leaves behind.
std::string info_column(const Store& store, int64_t run) {
  auto db = Db::open(store.dir() + "/flor.db", 1000, CreateFile::kNo);
  REQUIRE(db.ok());
  auto st = (*db)->prepare("SELECT info FROM runs WHERE id=?");
  REQUIRE(st.ok());
  st->bind(1, run);
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->text(0);
}

void set_info_column(const Store& store, int64_t run, const std::string& text) {
  auto db = Db::open(store.dir() + "/flor.db", 1000, CreateFile::kNo);
  REQUIRE(db.ok());
  auto st = (*db)->prepare("UPDATE runs SET info=? WHERE id=?");
  REQUIRE(st.ok());
  REQUIRE(st->bind(1, text).bind(2, run).run().ok());
}

int64_t new_run(Store& store) {
  Run run;
  run.name = "exp";
  auto id = store.create_run(run);
  REQUIRE(id.ok());
  return *id;
}

TEST_CASE("run info: every key round-trips through encode and decode, and through the store", "[store][sqlite]") {
  const RunInfo in = full_info();
  const std::string text = encode_run_info(in);
  auto out = decode_run_info(text);
  INFO(text);
  REQUIRE(out.ok());
  CHECK(out->version == kRunInfoVersion);
  CHECK(encode_run_info(*out) == text);
  REQUIRE(out->threads);
  CHECK(out->threads->torch == 4);
  CHECK(out->threads->interop == 2);
  CHECK(out->threads->openblas == 1);
  CHECK(out->seed == in.seed);
  CHECK(out->versions->torch == "1.13.1");
  CHECK(out->command == in.command);
  CHECK(out->pid == 4242);
  CHECK(out->cwd == "examples");
  REQUIRE(out->skipped.size() == 1);
  CHECK(out->skipped[0].bytes == 2097152);
  REQUIRE(out->submodules.size() == 1);
  CHECK(out->submodules[0].dirty);
  CHECK(out->launcher == "slurm");
  CHECK(out->eps == 1.0 / 15.0);  // exactly: 17 digits
  CHECK(out->checkpoints == 7);
  CHECK(out->step_loop == "step");
  CHECK(out->carried_state == in.carried_state);
  CHECK(out->segment->index == 2);
  CHECK(out->segment->count == 4);
  CHECK(out->init == InitMode::kStrong);
  CHECK(out->epochs->first == 5);
  CHECK(out->epochs->last == 9);
  CHECK(out->divergences == 3);
  CHECK(out->gpu_mem_peak_mib == 2100);
  CHECK(out->logs_not_stored == 12);
  REQUIRE(out->sweep);
  CHECK(out->sweep->params == in.sweep->params);
  CHECK(out->unknown.empty());
  // The types the format has always had: counts and eps as text, pid a number.
  CHECK(text.find(R"("checkpoints":"7")") != std::string::npos);
  CHECK(text.find(R"("eps":"0.066666666666666666")") != std::string::npos);
  CHECK(text.find(R"("pid":4242)") != std::string::npos);
  CHECK(text.find(R"("segment":"2/4")") != std::string::npos);
  CHECK(text.find(R"("epochs":"5-9")") != std::string::npos);
  CHECK(text.find(R"("gpu_mem_peak_mib":"2100")") != std::string::npos);
  CHECK(text.find(R"("params":{"lr":0.01,"opt":"adam"})") != std::string::npos);

  test::TempDir home;
  auto store = open_ok(home.path);
  Run run;
  run.name = "exp";
  run.info = in;
  auto id = store->create_run(run);
  REQUIRE(id.ok());
  CHECK(info_column(*store, *id) == text);
  auto got = store->run(*id);
  REQUIRE(got.ok());
  CHECK(encode_run_info(got->info) == text);

  // Absent fields are not written: a new run's info is its version alone.
  CHECK(encode_run_info(RunInfo{}) == R"({"info_version":3})");

  // An argv that is not UTF-8 is written with U+FFFD, not thrown at.
  RunInfo latin1;
  latin1.command = std::vector<std::string>{"./train", "caf\xe9"};
  auto back = decode_run_info(encode_run_info(latin1));
  REQUIRE(back.ok());
  CHECK(back->command->at(1) == "caf\xef\xbf\xbd");
}

TEST_CASE("run info: keys a newer flor wrote survive a read-modify-write", "[store][sqlite]") {
  test::TempDir home;
  auto store = open_ok(home.path);
  const int64_t id = new_run(*store);
  set_info_column(*store, id,
                  R"({"info_version":7,"cwd":"src","gpu":{"name":"H200","count":8},"tags":["a","b"],"z":null})");

  auto run = store->run(id);
  REQUIRE(run.ok());
  CHECK(run->info.version == 7);
  CHECK(run->info.cwd == "src");
  CHECK(run->info.unknown.size() == 3);
  run->info.checkpoints = 2;  // what the runtime does at the end of a record
  REQUIRE(store->set_run_info(id, run->info).ok());

  CHECK(info_column(*store, id) ==
        R"({"checkpoints":"2","cwd":"src","gpu":{"count":8,"name":"H200"},"info_version":7,"tags":["a","b"],"z":null})");
}

TEST_CASE("run info: the text of a flor before info_version decodes, and encodes back the same", "[store]") {
  // A record run's info as flor wrote it before this version (keys sorted, no info_version).
  const std::string old_record =
      R"({"checkpoints":"3","command":["./train","--epochs","2"],"cwd":"","eps":"0.066666666666666666",)"
      R"("pid":31337,"seed":"67280421310721","step_loop":"step",)"
      R"("threads":{"interop":1,"openblas":-1,"torch":1},"versions":{"flor":"0.1.0","sqlite":"3.40.1","torch":"1.13.1"}})";
  auto rec = decode_run_info(old_record);
  INFO(rec.status().to_string());
  REQUIRE(rec.ok());
  CHECK(rec->version == 0);
  CHECK(rec->checkpoints == 3);
  CHECK(rec->eps == 1.0 / 15.0);
  CHECK(rec->threads->openblas == -1);
  CHECK(rec->cwd == "");
  CHECK_FALSE(rec->segment);
  CHECK(rec->unknown.empty());
  CHECK_FALSE(rec->gpu_mem_peak_mib);  // recorded before version 2, or without a GPU: unknown
  CHECK_FALSE(rec->carried_state);     // recorded before version 3: replays use weak init unless asked
  // Nothing changes but the version it gains.
  std::string expected = old_record;
  expected.insert(expected.find(R"("pid")"), R"("info_version":3,)");
  CHECK(encode_run_info(*rec) == expected);

  const std::string old_replay =
      R"({"divergences":"0","epochs":"0--1","init":"weak","launcher":"torchrun","segment":"1/2",)"
      R"("skipped":[{"bytes":9,"path":"a.bin"}],"submodules":[{"commit":"c0ffee","dirty":false,"path":"dep"}]})";
  auto rep = decode_run_info(old_replay);
  INFO(rep.status().to_string());
  REQUIRE(rep.ok());
  CHECK(rep->epochs->first == 0);
  CHECK(rep->epochs->last == -1);
  CHECK(rep->init == InitMode::kWeak);
  CHECK(rep->segment->index == 1);
  CHECK(rep->skipped[0].path == "a.bin");
  CHECK(rep->submodules[0].commit == "c0ffee");

  // The oldest stores: the column's default, or nothing at all; missing keys are defaults.
  for (const char* empty : {"{}", ""}) {
    auto none = decode_run_info(empty);
    REQUIRE(none.ok());
    CHECK(none->version == 0);
    CHECK_FALSE(none->threads);
    CHECK(none->skipped.empty());
  }
  auto partial = decode_run_info(R"({"threads":{"torch":2}})");
  REQUIRE(partial.ok());
  CHECK(partial->threads->torch == 2);
  CHECK(partial->threads->openblas == 0);
}

TEST_CASE("run info: a value of the wrong type is an error naming the key, also when the store reads the run",
          "[store][sqlite]") {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {
      {R"({"threads":{"torch":"4"}})", "'threads.torch' is a string, expected an integer"},
      {R"({"checkpoints":3})", "'checkpoints' is a number, expected a string"},
      {R"({"checkpoints":"three"})", "'checkpoints' is 'three', expected a count"},
      {R"({"gpu_mem_peak_mib":2100})", "'gpu_mem_peak_mib' is a number, expected a string"},
      {R"({"eps":"0,0667"})", "'eps' is '0,0667', expected a number"},
      {R"({"pid":1.5})", "'pid' is a number, expected an integer"},
      {R"({"command":["./train",3]})", "'command[1]' is a number, expected a string"},
      {R"({"submodules":[{"dirty":"yes"}]})", "'submodules[0].dirty' is a string, expected true or false"},
      {R"({"sweep":{"params":[1]}})", "'sweep.params' is an array, expected an object"},
      {R"({"segment":"3/2"})", "'segment': segment '3/2'"},
      {R"({"init":"medium"})", "'init' is 'medium', expected 'weak' or 'strong'"},
      {R"({"epochs":"x"})", "'epochs' is 'x', expected first-last"},
      {R"({"info_version":"1"})", "'info_version' is a string, expected an integer"},
      {R"({"pid":18446744073709551615})", "'pid' is 18446744073709551615, out of range"},
      {R"(["cwd"])", "'info' is an array, expected an object"},
      {R"({"cwd":)", "not JSON"},
  };
  for (const Bad& b : bad) {
    auto r = decode_run_info(b.text);
    INFO(b.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kCorrupt);
    CHECK_THAT(r.status().message(), Catch::Contains(b.message));
  }

  test::TempDir home;
  auto store = open_ok(home.path);
  const int64_t id = new_run(*store);
  set_info_column(*store, id, R"({"threads":{"torch":"4"}})");
  auto run = store->run(id);
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().code() == Code::kCorrupt);
  const std::string& m = run.status().message();
  CHECK_THAT(m, Catch::Contains(store->dir() + "/flor.db"));
  CHECK_THAT(m, Catch::Contains("run " + std::to_string(id)));
  CHECK_THAT(m, Catch::Contains("'threads.torch' is a string, expected an integer"));
  CHECK_THAT(m, Catch::Contains("WHERE id=" + std::to_string(id)));
  CHECK_FALSE(store->runs().ok());
}

}  // namespace
}  // namespace flor::store
