#include <catch2/catch.hpp>

#include "store/contract.h"

namespace flor {
namespace {

EnvLookup from_map(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_CASE("contract: no FLOR_MODE means off", "[contract]") {
  auto c = read_contract(from_map({{"FLOR_NAME", "x"}}));
  REQUIRE(c.ok());
  CHECK(c->mode == Mode::kOff);
}

TEST_CASE("contract: round-trips through the environment", "[contract]") {
  Contract c;
  c.mode = Mode::kReplay;
  c.name = "mnist";
  c.home = "/tmp/h";
  c.run_id = 7;
  c.replay_of = 3;
  c.eps = 0.05;
  c.segment = Segment{2, 4};
  c.init = InitMode::kStrong;
  c.probes = {"batch", "train"};
  c.probes_complete = true;
  c.epochs = EpochRange{3, 9};
  c.tolerate_divergence = true;
  c.threads = 2;
  c.vid = "abc";
  c.log_memory_mb = 3;
  auto env = contract_env(c);
  auto back = read_contract(from_map(env));
  REQUIRE(back.ok());
  CHECK(back->mode == Mode::kReplay);
  CHECK(back->name == "mnist");
  CHECK(back->home == "/tmp/h");
  CHECK(back->run_id == 7);
  CHECK(back->replay_of == 3);
  CHECK(back->eps == 0.05);
  CHECK(back->segment.index == 2);
  CHECK(back->segment.count == 4);
  CHECK(back->init == InitMode::kStrong);
  CHECK(back->probes == c.probes);
  CHECK(back->probes_complete);
  CHECK(back->epochs->first == 3);
  CHECK(back->epochs->last == 9);
  CHECK(back->tolerate_divergence);
  CHECK(back->threads == 2);
  CHECK(back->vid == "abc");
  CHECK(back->log_memory_mb == 3);
}

TEST_CASE("contract: bad values name the variable", "[contract]") {
  auto base = std::map<std::string, std::string>{{"FLOR_MODE", "replay"}, {"FLOR_NAME", "x"}};
  auto with = [&](const char* k, const char* v) {
    auto m = base;
    m[k] = v;
    return read_contract(from_map(m));
  };
  CHECK_THAT(with("FLOR_MODE", "play").status().message(), Catch::Contains("FLOR_MODE"));
  CHECK_THAT(with("FLOR_EPS", "2").status().message(), Catch::Contains("FLOR_EPS"));
  CHECK_THAT(with("FLOR_INIT", "medium").status().message(), Catch::Contains("FLOR_INIT"));
  CHECK_THAT(with("FLOR_THREADS", "0").status().message(), Catch::Contains("FLOR_THREADS"));
  CHECK_THAT(with("FLOR_LOG_MEMORY_MB", "-1").status().message(), Catch::Contains("FLOR_LOG_MEMORY_MB"));
  CHECK_THAT(with("FLOR_PROBE_COMPLETE", "yes").status().message(), Catch::Contains("FLOR_PROBE_COMPLETE"));
  CHECK(read_contract(from_map({{"FLOR_MODE", "record"}})).status().code() == Code::kInvalidArgument);
}

TEST_CASE("contract: segment specs", "[contract]") {
  CHECK(parse_segment("2/4")->index == 2);
  for (const char* bad : {"0/5", "6/5", "3/0", "x", "1/", "/2", "a/b", "-1/3"}) {
    auto s = parse_segment(bad);
    CHECK_FALSE(s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains(bad));
  }
  CHECK(parse_epoch_range("9")->last == 9);
  CHECK(parse_epoch_range("150-160")->first == 150);
  CHECK_FALSE(parse_epoch_range("5-3").ok());
  CHECK_FALSE(parse_epoch_range("x").ok());
}

}  // namespace
}  // namespace flor
