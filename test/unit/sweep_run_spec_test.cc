// How a permutation is launched and what is written when it ends: flags and
// environment, the `flor run` command line, run files, CSV and plots on disk,
// the tables of `flor show --sweep`.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "sweep/collect.h"
#include "util/durable_file.h"
#include "sweep/run_spec.h"
#include "common/temp_dir.h"
#include "sweep/rerun.h"
#include "store/store.h"

namespace flor::sweep {
namespace {

using test::TempDir;

const Json kParams = {{"data_name", "fmnist"}, {"batch_size", 32}, {"lr", 0.1}, {"opt", "sgd"}};

TEST_CASE("values become flags in the chosen style", "[sweep]") {
  CHECK(param_flags(kParams, FlagStyle::kKey, {}) ==
        std::vector<std::string>{"--batch_size=32", "--lr=0.1", "--opt=sgd"});
  CHECK(param_flags(kParams, FlagStyle::kDashes, {"batch_size"}) ==
        std::vector<std::string>{"--batch-size=32"});
  CHECK(param_flags(kParams, FlagStyle::kNone, {}).empty());
}

TEST_CASE("values always reach flor::arg through FLOR_ARG_<key>", "[sweep]") {
  auto env = param_env(kParams);
  CHECK(env.at("FLOR_ARG_lr") == "0.1");
  CHECK(env.at("FLOR_ARG_batch_size") == "32");
  CHECK(env.at("FLOR_ARG_opt") == "sgd");
}

TEST_CASE("a recorded run is `flor run NAME --threads T -- CMD flags`", "[sweep]") {
  Entry e;
  e.params = kParams;
  e.folder = "fmnist_bs32_lr0.1_optsgd";
  Slot slot;
  slot.env = {{"FLOR_THREADS", "2"}, {"OMP_NUM_THREADS", "2"}};
  slot.cpus = {2, 3};
  SweepLayout layout("/h/fmnist/sweeps/s");
  RunTemplate t{"/usr/bin/flor", "fmnist", "s", {"./train", "--epochs", "2"}, FlagStyle::kKey, {"lr"}};
  ChildSpec spec = run_spec(t, e, slot, layout);
  CHECK(spec.argv == std::vector<std::string>{"/usr/bin/flor", "run", "fmnist", "--threads", "2", "--kill-after", "3", "--",
                                              "./train", "--epochs", "2", "--lr=0.1"});
  CHECK(spec.env.at("OMP_NUM_THREADS") == "2");
  CHECK(spec.env.at("FLOR_ARG_lr") == "0.1");
  CHECK(spec.env.at("FLOR_SWEEP") == "s");
  CHECK(spec.env.at("FLOR_SWEEP_RUN") == e.folder);
  CHECK(spec.env.at("FLOR_RUN_ID_FILE") == "/h/fmnist/sweeps/s/runs/fmnist_bs32_lr0.1_optsgd/flor_run_id");
  CHECK(spec.cpus == slot.cpus);
  CHECK(spec.stdout_path == "/h/fmnist/sweeps/s/runs/fmnist_bs32_lr0.1_optsgd/stdout.log");
  t.flor_exe = "";  // --no-record
  CHECK(run_spec(t, e, slot, layout).argv.front() == "./train");
}

TEST_CASE("the store run id comes from the file flor run writes", "[sweep]") {
  CHECK(parse_run_id("12\n") == 12);
  CHECK_FALSE(parse_run_id("12").has_value());  // cut short
  CHECK_FALSE(parse_run_id("0\n").has_value());
  CHECK_FALSE(parse_run_id("x\n").has_value());
  CHECK_FALSE(parse_run_id("").has_value());
}

TEST_CASE("sweep ids are stable per config path", "[sweep]") {
  std::string a = default_sweep_id("/tmp/x/grid.json");
  CHECK(a.rfind("grid-", 0) == 0);
  CHECK(a.size() == 13);
  CHECK(default_sweep_id("/tmp/x/grid.json") == a);
  CHECK(default_sweep_id("/tmp/y/grid.json") != a);
  CHECK(sweep_root("/h", "fmnist", a) == "/h/fmnist/sweeps/" + a);
}

TEST_CASE("a collected run's store row gets its sweep tag, the rest of its info kept", "[sweep]") {
  TempDir dir;
  CollectContext ctx{SweepLayout(dir.path + "/sweep"), dir.path + "/home", "m", "s", {"./train"}};
  auto store = store::Store::open(ctx.home, ctx.name);
  REQUIRE(store.ok());
  store::Run run;
  run.name = "m";
  run.info.cwd = "src";
  run.info.unknown["gpu"] = R"({"name":"H200"})";  // a newer flor's key
  auto id = (*store)->create_run(run);
  REQUIRE(id.ok());

  Journal journal = *Journal::open(ctx.layout.journal());
  Config c = *parse_config(R"({"data_name": "m", "lr": [0.1]})", "c");
  Entry e = entries_for(c, *expand(c), journal).at(0);
  REQUIRE(write_file_atomic(ctx.layout.stdout_log(e.folder), "").ok());
  REQUIRE(write_file_atomic(ctx.layout.stderr_log(e.folder), "").ok());
  REQUIRE(write_file_atomic(ctx.layout.run_id_file(e.folder), std::to_string(*id) + "\n").ok());
  e.state = RunState::kDone;
  REQUIRE(collect_run(ctx, &e).ok());
  CHECK(e.flor_run == *id);

  auto tagged = (*store)->run(*id);
  REQUIRE(tagged.ok());
  const store::RunInfo& info = tagged->info;
  REQUIRE(info.sweep.has_value());
  CHECK(info.sweep->id == "s");
  CHECK(info.sweep->folder == e.folder);
  CHECK(info.sweep->hash == e.hash);
  CHECK(info.sweep->params == std::map<std::string, std::string>{{"data_name", "\"m\""}, {"lr", "0.1"}});
  CHECK(info.cwd == "src");
  CHECK(info.unknown == std::map<std::string, std::string>{{"gpu", R"({"name":"H200"})"}});
}

TEST_CASE("a finished run leaves its files, the sweep its CSV and plots", "[sweep]") {
  TempDir dir;
  CollectContext ctx{SweepLayout(dir.path + "/sweep"), dir.path + "/home", "m", "s", {"./train"}};
  Journal journal = *Journal::open(ctx.layout.journal());
  Config c = *parse_config(R"({"data_name": "m", "lr": [0.1, 0.2]})", "c");
  std::vector<Entry> es = entries_for(c, *expand(c), journal);
  for (size_t i = 0; i < es.size(); ++i) {
    Entry& e = es[i];
    std::string out = "epoch 0 loss=" + std::to_string(1.0 + i) + " acc=0.5\nepoch 1 loss=0.5 acc=0.75\n";
    REQUIRE(write_file_atomic(ctx.layout.stdout_log(e.folder), out).ok());
    REQUIRE(write_file_atomic(ctx.layout.stderr_log(e.folder), "").ok());
    e.state = RunState::kDone;
    e.started = 10, e.ended = 12;
    REQUIRE(collect_run(ctx, &e).ok());
    CHECK(e.final_metrics == Json{{"acc", 0.75}, {"loss", 0.5}});
    CHECK_FALSE(e.flor_run.has_value());
    REQUIRE(journal.put(e).ok());
  }
  Json data = Json::parse(*read_file(ctx.layout.run_data("m_lr0.1")));
  CHECK(data["state"] == "done");
  CHECK(data["params"]["lr"] == 0.1);
  CHECK(data["duration_s"] == 2.0);
  CHECK(data["metrics_from"] == "output");
  CHECK(data["command"] == Json::array({"./train"}));
  History h = *read_history(ctx.layout.history("m_lr0.2"));
  CHECK(h["loss"] == std::map<int64_t, double>{{0, 2.0}, {1, 0.5}});
  CHECK(file_size(ctx.layout.run_dir("m_lr0.2") + "/plots/loss.svg") > 500);

  REQUIRE(write_sweep_files(ctx.layout, journal).ok());
  std::string csv = *read_file(ctx.layout.csv());
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  CHECK(csv.find("run,state,exit_code,attempts,duration_s,hash,data_name,lr,acc,loss\n") == 0);
  std::string all = *read_file(ctx.layout.plots() + "/loss.svg");
  CHECK(all.find("m_lr0.1") != std::string::npos);
  CHECK(all.find("m_lr0.2") != std::string::npos);

  // flor show NAME --sweep reads the journals under FLOR_HOME/NAME/sweeps.
  std::string home = dir.path + "/home";
  std::filesystem::create_directories(home + "/m/sweeps");
  std::filesystem::rename(dir.path + "/sweep", home + "/m/sweeps/s");
  std::string tables = *sweep_tables(home, "m", report::Format::kTable);
  CHECK(tables.find("sweep s (") == 0);
  CHECK(tables.find("m_lr0.2  done") != std::string::npos);
  // csv and json: run_data.csv's columns over every sweep, a sweep column first.
  std::string all_csv = *sweep_tables(home, "m", report::Format::kCsv);
  CHECK(all_csv.find("sweep,run,state,exit_code,attempts,duration_s,hash,data_name,lr,acc,loss\n") == 0);
  CHECK(all_csv.find("\ns,m_lr0.2,done,") != std::string::npos);
  CHECK(sweep_tables(home, "m", report::Format::kJson)->find("\"sweep\": \"s\"") != std::string::npos);
  CHECK(sweep_tables(home, "other", report::Format::kTable).status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace flor::sweep
