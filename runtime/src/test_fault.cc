#include "test_fault.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "util/fault_env.h"
#include "util/number.h"

namespace flor::rt {
namespace {

using Op = FaultEnv::Op;

struct Spec {
  int64_t checkpoint = 0;  // 0: every one
  TestFault::Stage stage = TestFault::Stage::kWrite;
  Op op = Op::kWrite;
  int64_t nth = 0;
  int err = 0;
};

[[noreturn]] void bad_spec(const std::string& text, const std::string& why) {
  std::fprintf(
      stderr, "flor: %s='%s': %s (N:OP:NTH:ERRNO; N is a number from 1 or `all`: runtime/src/test_fault.h)\n",
      kEnvTestFault, text.c_str(), why.c_str());
  std::abort();
}

Spec parse(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  if (parts.size() != 4) bad_spec(text, "four fields");
  Spec spec;
  if (parts[0] != "all") {
    auto n = parse_integer("N", parts[0], 1, 1 << 30);
    if (!n.ok()) bad_spec(text, n.status().message());
    spec.checkpoint = *n;
  }
  auto nth = parse_integer("NTH", parts[2], 1, 1 << 30);
  if (!nth.ok()) bad_spec(text, nth.status().message());
  spec.nth = *nth;
  struct Name {
    const char* name;
    Op op;
  };
  static constexpr Name kOps[] = {{"write", Op::kWrite},
                              {"fsync", Op::kFsync},
                              {"dirfsync", Op::kDirFsync},
                              {"rename", Op::kRename},
                              {"dbwrite", Op::kDbWrite}};
  bool known = false;
  for (const Name& o : kOps) {
    if (parts[1] == o.name) spec.op = o.op, known = true;
  }
  if (!known) bad_spec(text, "OP is write, fsync, dirfsync, rename or dbwrite");
  spec.stage = spec.op == Op::kDbWrite ? TestFault::Stage::kRow : TestFault::Stage::kWrite;
  if (parts[3] == "EIO") {
    spec.err = EIO;
  } else if (parts[3] == "ENOSPC") {
    spec.err = ENOSPC;
  } else if (auto e = parse_integer("ERRNO", parts[3], 1, 4095); e.ok()) {
    spec.err = static_cast<int>(*e);
  } else {
    bad_spec(text, "ERRNO is EIO, ENOSPC or a number");
  }
  return spec;
}

class Fault final : public TestFault {
 public:
  Fault(std::string text, Spec spec) : text_(std::move(text)), spec_(spec) {}
  Env* env() override { return &env_; }
  void run(Stage stage, const std::function<void()>& stage_fn) override {
    bool armed = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      armed = stage == spec_.stage &&
              (++seen_[static_cast<int>(stage)] == spec_.checkpoint || spec_.checkpoint == 0);
    }
    const int fired = env_.fired();
    if (armed) env_.fail(spec_.op, static_cast<int>(spec_.nth), spec_.err);
    stage_fn();
    if (!armed) return;
    env_.disarm();
    if (env_.fired() > fired) {
      std::fprintf(stderr, "flor: test fault fired: %s=%s (%s)\n", kEnvTestFault, text_.c_str(),
                   std::strerror(spec_.err));
    }
  }

 private:
  const std::string text_;
  const Spec spec_;
  FaultEnv env_;
  std::mutex mu_;
  int64_t seen_[2] = {0, 0};  // checkpoints seen per stage
};

}  // namespace

TestFault* TestFault::get() {
  static TestFault* fault = []() -> TestFault* {
    const char* v = std::getenv(kEnvTestFault);
    if (v == nullptr || *v == '\0') return nullptr;
    return new Fault(v, parse(v));  // never destroyed: the writer thread may use it until exit
  }();
  return fault;
}

}  // namespace flor::rt
