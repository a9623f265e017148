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

// read_contract of `vars` with one variable more.
Result<Contract> read_with(std::map<std::string, std::string> vars, const char* name, const char* value) {
  vars[name] = value;
  return read_contract(from_map(std::move(vars)));
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
  c.ckpt_url = "s3://bucket/team";
  c.ckpt_backlog_mb = 16;
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
  CHECK(back->ckpt_url == "s3://bucket/team");
  CHECK(back->ckpt_backlog_mb == 16);
}

TEST_CASE("contract: an init mode nobody asked for stays unset (the record decides)", "[contract]") {
  Contract c;
  c.mode = Mode::kReplay;
  c.name = "mnist";
  const auto env = contract_env(c);
  CHECK(env.count("FLOR_INIT") == 0);
  auto back = read_contract(from_map(env));
  REQUIRE(back.ok());
  CHECK_FALSE(back->init);
  auto weak = read_with({{"FLOR_MODE", "replay"}, {"FLOR_NAME", "x"}}, "FLOR_INIT", "weak");
  REQUIRE(weak.ok());
  CHECK(weak->init == InitMode::kWeak);
}

TEST_CASE("contract: bad values name the variable", "[contract]") {
  auto base = std::map<std::string, std::string>{{"FLOR_MODE", "replay"}, {"FLOR_NAME", "x"}};
  auto with = [&](const char* k, const char* v) { return read_with(base, k, v); };
  CHECK_THAT(with("FLOR_MODE", "play").status().message(), Catch::Contains("FLOR_MODE"));
  CHECK_THAT(with("FLOR_EPS", "2").status().message(), Catch::Contains("FLOR_EPS"));
  CHECK_THAT(with("FLOR_INIT", "medium").status().message(), Catch::Contains("FLOR_INIT"));
  CHECK_THAT(with("FLOR_THREADS", "0").status().message(), Catch::Contains("FLOR_THREADS"));
  CHECK_THAT(with("FLOR_LOG_MEMORY_MB", "-1").status().message(), Catch::Contains("FLOR_LOG_MEMORY_MB"));
  CHECK_THAT(with("FLOR_CKPT_URL", "https://bucket/x").status().message(), Catch::Contains("FLOR_CKPT_URL"));
  CHECK_THAT(with("FLOR_CKPT_URL", "s3:///x").status().message(), Catch::Contains("FLOR_CKPT_URL"));
  CHECK_THAT(with("FLOR_CKPT_BACKLOG_MB", "-1").status().message(), Catch::Contains("FLOR_CKPT_BACKLOG_MB"));
  CHECK_THAT(with("FLOR_PROBE_COMPLETE", "yes").status().message(), Catch::Contains("FLOR_PROBE_COMPLETE"));
  CHECK_THAT(with("FLOR_SEGMENT", "0/2").status().message(), Catch::StartsWith("FLOR_SEGMENT: segment '0/2'"));
  CHECK(read_contract(from_map({{"FLOR_MODE", "record"}})).status().code() == Code::kInvalidArgument);
}

TEST_CASE("contract: numbers are plain decimals in range, the whole value", "[contract]") {
  auto base = std::map<std::string, std::string>{{"FLOR_MODE", "record"}, {"FLOR_NAME", "x"}};
  auto with = [&](const char* k, const char* v) { return read_with(base, k, v); };
  for (const char* eps : {"nan", "inf", "0x1", " 0.5", "0.5 ", "1e-400", "-0", "+0.5", "1.5", ""}) {
    auto c = with("FLOR_EPS", eps);
    INFO("FLOR_EPS='" << eps << "'");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() == "FLOR_EPS='" + std::string(eps) + "': expected a number from 0 to 1");
  }
  CHECK(with("FLOR_EPS", "0.25")->eps == 0.25);
  CHECK(with("FLOR_EPS", "1e-2")->eps == 0.01);
  for (const char* id : {"0", "-1", "0x3", " 3", "3.0", "3e0"}) {
    CHECK_THAT(with("FLOR_RUN_ID", id).status().message(), Catch::Contains("FLOR_RUN_ID='" + std::string(id) + "'"));
    CHECK_THAT(with("FLOR_REPLAY_OF", id).status().message(), Catch::Contains("FLOR_REPLAY_OF="));
  }
  CHECK_THAT(with("FLOR_THREADS", " 2").status().message(), Catch::Contains("from 1 to 4096"));
  CHECK(*with("FLOR_RUN_ID", "12")->run_id == 12);
  CHECK_FALSE(parse_segment(" 1/2").ok());
  CHECK_FALSE(parse_segment("0x1/2").ok());
  CHECK_FALSE(parse_epoch_range("+3").ok());
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
