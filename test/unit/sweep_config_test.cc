// Sweep configs: parsing, errors with line:column, meta validation, expansion,
// exclusion, hashes and folder names.
#include <catch2/catch.hpp>

#include <set>

#include "sweep/expand.h"

namespace flor::sweep {
namespace {

constexpr const char* kIssueConfig = R"({ "data_name": "fmnist", "data_dir": "data/", "epochs": 5,
  "batch_size": [32, 64], "lr": [0.1, 0.01, 0.001], "optimizer": ["sgd", "adam"],
  "meta": { "exclude_configs": [ { "optimizer": "sgd", "lr": 0.001 } ],
            "max_parallel": 2, "allow_cpu": true, "retries": 1, "timeout_s": 3600,
            "on_failure": "continue", "mem_trace": { "enabled": true, "delay_s": 60 } } })";

Config parse_ok(const std::string& text) {
  Result<Config> c = parse_config(text, "sweep.json");
  INFO(c.status().message());
  REQUIRE(c.ok());
  return *c;
}

std::string parse_error(const std::string& text) {
  Result<Config> c = parse_config(text, "sweep.json");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Code::kInvalidArgument);
  return c.status().message();
}

TEST_CASE("the issue's config parses with every meta key", "[sweep]") {
  Config c = parse_ok(kIssueConfig);
  CHECK(c.data_name == "fmnist");
  REQUIRE(c.axes.size() == 3);
  CHECK(c.axes[0].key == "batch_size");
  CHECK(c.axes[2].values.size() == 2);
  CHECK(c.fixed["epochs"] == 5);
  CHECK_FALSE(c.fixed.contains("meta"));
  CHECK(c.meta.max_parallel == 2);
  CHECK(c.meta.retries == 1);
  CHECK(c.meta.timeout_s == 3600);
  CHECK(c.meta.on_failure == OnFailure::kContinue);
  CHECK(c.meta.mem_trace);
  CHECK(c.meta.mem_trace_delay_s == 60);
  CHECK(c.meta.exclude_configs.size() == 1);
  CHECK(c.warnings.empty());
}

TEST_CASE("expansion is every permutation minus the excluded ones", "[sweep]") {
  Config c = parse_ok(kIssueConfig);
  Result<std::vector<Permutation>> perms = expand(c);
  REQUIRE(perms.ok());
  CHECK(perms->size() == 2 * 3 * 2 - 2);  // (sgd, 0.001) for both batch sizes
  std::set<std::string> hashes;
  for (const Permutation& p : *perms) {
    CHECK_FALSE((p.params["optimizer"] == "sgd" && p.params["lr"] == 0.001));
    CHECK(p.params["epochs"] == 5);
    CHECK(p.params["data_dir"] == "data/");
    hashes.insert(p.hash);
  }
  CHECK(hashes.size() == perms->size());
  // The last key varies fastest, the first slowest.
  CHECK((*perms)[0].params["batch_size"] == 32);
  CHECK((*perms)[0].params["optimizer"] == "sgd");
  CHECK((*perms)[1].params["optimizer"] == "adam");
  CHECK(perms->back().params["batch_size"] == 64);
}

TEST_CASE("an exclude rule matches only when all of its pairs match", "[sweep]") {
  Json params = {{"lr", 0.1}, {"bs", 32}, {"opt", "sgd"}};
  CHECK(matches_rule(params, {{"lr", 0.1}}));
  CHECK(matches_rule(params, {{"lr", 0.1}, {"opt", "sgd"}}));
  CHECK_FALSE(matches_rule(params, {{"lr", 0.1}, {"opt", "adam"}}));
  CHECK(matches_rule(params, {{"bs", 32.0}}));  // 32 == 32.0
  CHECK_FALSE(matches_rule(params, {{"momentum", 0.9}}));
}

TEST_CASE("hashes identify parameters, not key order or dispatch order", "[sweep]") {
  Config a = parse_ok(R"({"lr": [0.1, 0.01], "bs": [32], "epochs": 3})");
  Config b = parse_ok(R"({"epochs": 3, "bs": [32], "lr": [0.01, 0.1]})");
  std::vector<Permutation> pa = *expand(a), pb = *expand(b);
  REQUIRE(pa.size() == 2);
  CHECK(pa[0].hash == pb[1].hash);
  CHECK(pa[1].hash == pb[0].hash);
  CHECK(pa[0].hash.size() == 16);
  Config c = parse_ok(R"({"epochs": 4, "bs": [32], "lr": [0.1]})");
  CHECK((*expand(c))[0].hash != pa[0].hash);  // a changed fixed value is a new run
}

TEST_CASE("folder names come from the varying parameters", "[sweep]") {
  Config c = parse_ok(kIssueConfig);
  std::vector<Permutation> perms = *expand(c);
  CHECK(folder_name(c, perms[0]) == "fmnist_bs32_lr0.1_optsgd");
  CHECK(folder_name(c, perms[1]) == "fmnist_bs32_lr0.1_optadam");
  std::vector<std::string> names = folder_names(c, perms);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());

  Config slashes = parse_ok(R"({"data_name": "x", "path": ["a/b", "a-b"]})");
  std::vector<std::string> n = folder_names(slashes, *expand(slashes));
  CHECK(n[0] != n[1]);  // both sanitize to "a-b": the hash keeps them apart
  CHECK(n[0].find("x_pata-b_") == 0);

  std::string long_value(200, 'v');
  Config longc = parse_ok(R"({"data_name": "x", "tag": [")" + long_value + R"("]})");
  Permutation p = (*expand(longc))[0];
  std::string name = folder_name(longc, p);
  CHECK(name.size() == kMaxFolderName);
  CHECK(name.substr(name.size() - 8) == p.hash.substr(0, 8));

  Config clash = parse_ok(R"({"learning_rate": [1], "lr": [2]})");
  CHECK(folder_name(clash, (*expand(clash))[0]) == "run_learning_rate1_lr2");
}

TEST_CASE("values reach the program as text", "[sweep]") {
  CHECK(value_text(Json(0.1)) == "0.1");
  CHECK(value_text(Json(0.001)) == "0.001");
  CHECK(value_text(Json(64)) == "64");
  CHECK(value_text(Json("adam")) == "adam");
  CHECK(value_text(Json(true)) == "true");
  CHECK(value_text(Json::array({1, 2})) == "[1,2]");
}

TEST_CASE("malformed JSON is reported with line and column", "[sweep]") {
  std::string msg = parse_error("{\n  \"lr\": [0.1, 0.2],\n  \"bs\": 32,,\n}");
  CHECK(msg.find("sweep.json:3:12: malformed JSON") == 0);
  CHECK(msg.find('\n') == std::string::npos);  // one clear line
  CHECK(parse_error("").find("sweep.json:1:1:") == 0);
  CHECK(parse_error("[1, 2]").find("must be a JSON object") != std::string::npos);
}

TEST_CASE("text positions count lines and columns from 1", "[sweep]") {
  std::string t = "ab\ncd\n";
  CHECK(text_position(t, 0).line == 1);
  CHECK(text_position(t, 1).column == 2);
  CHECK(text_position(t, 3).line == 2);
  CHECK(text_position(t, 3).column == 1);
  CHECK(text_position(t, 100).line == 3);
}

TEST_CASE("bad meta is an error that lists what is allowed", "[sweep]") {
  std::string msg = parse_error(R"({"lr": [1], "meta": {"max_paralel": 2}})");
  CHECK(msg.find("unknown key meta.max_paralel") != std::string::npos);
  CHECK(msg.find("max_parallel") != std::string::npos);
  CHECK(msg.find("exclude_configs") != std::string::npos);
  CHECK(parse_error(R"({"meta": {"on_failure": "stop"}})").find("continue, halt") != std::string::npos);
  CHECK(parse_error(R"({"meta": {"retries": -1}})").find("meta.retries") != std::string::npos);
  CHECK(parse_error(R"({"meta": {"max_parallel": 1.5}})").find("meta.max_parallel") != std::string::npos);
  CHECK(parse_error(R"({"meta": {"mem_trace": {"every": 3}}})").find("mem_trace.every") != std::string::npos);
  CHECK(parse_error(R"({"meta": {"exclude_configs": [3]}})").find("exclude_configs") != std::string::npos);
  CHECK(parse_error(R"({"meta": 3})").find("meta must be an object") != std::string::npos);
  CHECK(parse_error(R"({"data_name": 3})").find("data_name") != std::string::npos);
}

TEST_CASE("an exclude rule naming an unknown key is a warning", "[sweep]") {
  Config c = parse_ok(R"({"lr": [1, 2], "meta": {"exclude_configs": [{"optimiser": "sgd"}]}})");
  REQUIRE(c.warnings.size() == 1);
  CHECK(c.warnings[0].find("unknown key 'optimiser'") != std::string::npos);
  CHECK(expand(c)->size() == 2);
}

TEST_CASE("a sweep that expands to nothing is an error", "[sweep]") {
  CHECK(parse_error(R"({"lr": []})").find("expands to nothing") != std::string::npos);
  Config all_out = parse_ok(R"({"lr": [1], "meta": {"exclude_configs": [{"lr": 1}]}})");
  Result<std::vector<Permutation>> perms = expand(all_out);
  REQUIRE_FALSE(perms.ok());
  CHECK(perms.status().message().find("expands to nothing") != std::string::npos);
}

TEST_CASE("a config without axes is one run", "[sweep]") {
  Config c = parse_ok(R"({"data_name": "m", "lr": 0.1})");
  std::vector<Permutation> perms = *expand(c);
  REQUIRE(perms.size() == 1);
  CHECK(folder_name(c, perms[0]) == "m");
}

}  // namespace
}  // namespace flor::sweep
