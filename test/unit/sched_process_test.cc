#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "git_test_repo.h"
#include "sched/process.h"

namespace flor::sched {
namespace {

using namespace std::chrono_literals;

std::string temp_file(const char* stem) {
  return "/tmp/flor-sched-test-" + std::to_string(::getpid()) + "-" + stem + ".log";
}

TEST_CASE("resolve_command searches PATH like execvp and says when a command is missing", "[sched]") {
  auto env = [](const char* n) -> std::optional<std::string> {
    if (std::string(n) == "PATH") return std::string("/nonexistent:/bin:/usr/bin");
    return std::nullopt;
  };
  auto sh = resolve_command("sh", env);
  REQUIRE(sh.ok());
  CHECK((*sh == "/bin/sh" || *sh == "/usr/bin/sh"));
  auto missing = resolve_command("no-such-flor-command", env);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message().rfind("command not found: no-such-flor-command", 0) == 0);
  CHECK(resolve_command("./no/such/file", env).status().code() == Code::kNotFound);
  CHECK(resolve_command("/bin/sh", env).value() == "/bin/sh");
}

TEST_CASE("a child's output is copied to its log and its exit code comes back", "[sched]") {
  std::string log = temp_file("exit");
  std::remove(log.c_str());
  ProcessGroup group;
  SpawnSpec spec;
  spec.argv = {"sh", "-c", "echo out-$FLOR_TEST_VAR; echo err >&2; exit 3"};
  spec.env = {{"FLOR_TEST_VAR", "42"}};
  spec.log_path = log;
  spec.echo = Echo::kNone;
  REQUIRE(group.start(spec).ok());
  auto exits = group.wait(nullptr, 100ms);
  REQUIRE(exits.size() == 1);
  CHECK(exits[0].exit_code == 3);
  CHECK(exits[0].signal == 0);
  CHECK_FALSE(exits[0].interrupted);
  std::string text = test::slurp(log);
  CHECK(text.find("out-42\n") != std::string::npos);
  CHECK(text.find("err\n") != std::string::npos);
  CHECK(read_tail(log, 1) == text.substr(text.rfind('\n', text.size() - 2) + 1));
  std::remove(log.c_str());
}

TEST_CASE("a program that cannot be executed is an error at start, not exit 127", "[sched]") {
  ProcessGroup group;
  auto r = group.start(SpawnSpec{{"/etc/hostname"}, {}, "", Echo::kNone, {}});
  REQUIRE_FALSE(r.ok());
}

TEST_CASE("several children run at once; ticks run while they do", "[sched]") {
  ProcessGroup group;
  for (int code : {0, 1, 2}) {
    REQUIRE(group.start(SpawnSpec{{"sh", "-c", "sleep 0.3; exit " + std::to_string(code)}, {}, "", Echo::kNone, {}})
                .ok());
  }
  int ticks = 0;
  auto t0 = std::chrono::steady_clock::now();
  auto exits = group.wait([&] { ++ticks; }, 50ms);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(exits.size() == 3);
  CHECK(exits[0].exit_code == 0);
  CHECK(exits[1].exit_code == 1);
  CHECK(exits[2].exit_code == 2);
  CHECK(ticks >= 3);
  CHECK(took < 2s);  // in parallel, not 3 x 0.3 s plus grace
}


TEST_CASE("a work queue: a child that ends is told once, and the child it starts is waited for", "[sched]") {
  ProcessGroup group;
  auto child = [](const std::string& script) { return SpawnSpec{{"sh", "-c", script}, {}, "", Echo::kNone, {}}; };
  // Two slots: a slow child and a fast one; each end starts the next of three more.
  REQUIRE(group.start(child("sleep 0.6; exit 10")).ok());
  REQUIRE(group.start(child("exit 11")).ok());
  std::vector<int> ended;
  int next_code = 12;
  auto exits = group.wait(nullptr, 50ms, [&](int index) {
    ended.push_back(index);
    if (next_code <= 14) REQUIRE(group.start(child("exit " + std::to_string(next_code++))).ok());
  });
  REQUIRE(exits.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(exits[static_cast<size_t>(i)].exit_code == 10 + i);
  REQUIRE(ended.size() == 5);
  // The fast slot ran the queue (1, 2, 3 started by its ends) while the slow child was still running.
  CHECK(std::vector<int>(ended.begin(), ended.begin() + 3) == std::vector<int>{1, 2, 3});
  CHECK(std::set<int>(ended.begin(), ended.end()) == std::set<int>{0, 1, 2, 3, 4});
}
TEST_CASE("SIGINT sent to the driver is forwarded and the child ends interrupted", "[sched]") {
  ProcessGroup group;
  std::string log = temp_file("int");
  std::remove(log.c_str());
  // The child reports the signal it got, then exits 130 like a program stopped by Ctrl-C.
  SpawnSpec spec{{"sh", "-c", "trap 'echo got-int; exit 130' INT; echo ready; while :; do sleep 0.05; done"},
                 {}, log, Echo::kNone, {}};
  REQUIRE(group.start(spec).ok());
  bool sent = false;
  auto exits = group.wait(
      [&] {
        if (!sent && test::slurp(log).find("ready") != std::string::npos) {
          ::kill(::getpid(), SIGINT);  // as `kill -INT <flor>` would
          sent = true;
        }
      },
      20ms);
  REQUIRE(exits.size() == 1);
  CHECK(group.interrupted());
  CHECK(exits[0].interrupted);
  CHECK(exits[0].exit_code == 130);
  CHECK(test::slurp(log).find("got-int") != std::string::npos);
  std::remove(log.c_str());
}

TEST_CASE("the child starts in the given folder, with argv[0] as written", "[sched]") {
  std::string log = temp_file("cwd");
  std::remove(log.c_str());
  ProcessGroup group;
  SpawnSpec spec{{"sh", "-c", "pwd; echo $0"}, {}, log, Echo::kNone, {}, "/usr"};
  REQUIRE(group.start(spec).ok());
  group.wait(nullptr, 100ms);
  CHECK(test::slurp(log) == "/usr\nsh\n");
  // A relative program path is resolved against that folder.
  CHECK(resolve_command("./bin/env", process_env(), "/usr").value() == "/usr/./bin/env");
  CHECK_FALSE(resolve_command("./bin/env", process_env(), "/nonexistent").ok());
  std::remove(log.c_str());
}

TEST_CASE("CPU affinity is applied to the child", "[sched]") {
  std::string log = temp_file("cpu");
  std::remove(log.c_str());
  ProcessGroup group;
  REQUIRE(group.start(SpawnSpec{{"sh", "-c", "grep Cpus_allowed_list /proc/self/status"}, {}, log, Echo::kNone, {0}})
              .ok());
  group.wait(nullptr, 100ms);
  CHECK(test::slurp(log).find("Cpus_allowed_list:\t0\n") != std::string::npos);
  std::remove(log.c_str());
}

}  // namespace
}  // namespace flor::sched
