// The runtime's pieces with real LibTorch and real checkpoint files: state
// registration to items and back (modules, Adam state created in a fresh
// "process", scalars, vectors, user hooks, generators), value text, the
// checkpoint policy and flor's command-line flags.
#include "torch_catch.h"

#include <flor/flor.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

#include "cmdline.h"
#include "common/temp_dir.h"
#include "periods.h"
#include "policy.h"
#include "rng.h"
#include "state_set.h"

namespace flor::rt {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

struct Ema {
  torch::Tensor avg = torch::zeros({3});
  double decay = 0.9;
  int64_t updates = 0;
};
void flor_state(Ema& e, StateVisitor& v) {
  v("avg", e.avg);
  v("decay", e.decay);
  v("updates", e.updates);
}

struct Counter {
  std::vector<float> history{1.f, 2.f};
  void flor_state(StateVisitor& v) { v("history", history); }
};

template <typename T>
void add(StateSet& set, T& object) {
  set.add(&object, typeid(T).name(),
          [](StateVisitor& v, const std::string& key, void* p) { visit_state(v, key, *static_cast<T*>(p)); });
}

void train_steps(torch::nn::Linear& model, torch::optim::Optimizer& opt, int steps) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    auto loss = model(torch::randn({8, 4})).pow(2).mean();
    loss.backward();
    opt.step();
  }
}

Status capture_to(const std::string& dir, StateSet& set, const std::string& name) {
  CheckpointEngine engine(dir);
  Status written;
  auto stall = engine.capture(set.capture_items(), name, [&](const WriteReport& r) { written = r.status; });
  FLOR_RETURN_IF_ERROR(stall.status());
  engine.wait();
  return written;
}

TEST_CASE("state: modules, Adam state, scalars, vectors, pairs, tuples and user hooks round-trip",
          "[runtime]") {
  TempDir dir;
  torch::manual_seed(1);
  torch::nn::Linear model(4, 2);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(0.01));
  train_steps(model, adam, 3);
  Ema ema;
  ema.avg.fill_(2.5);
  ema.updates = 7;
  Counter counter;
  counter.history = {3.f, 4.f};
  int64_t step = 42;
  std::array<double, 2> pair{0.25, -1.0};
  std::tuple<int64_t, std::pair<double, torch::Tensor>> result{9, {0.1 + 0.2, torch::arange(3.0)}};

  StateSet set;
  add(set, model);
  add(set, adam);
  add(set, ema);
  add(set, counter);
  add(set, step);
  add(set, pair);
  add(set, result);
  add(set, step);  // a second registration is ignored
  auto items = set.capture_items();
  std::set<std::string> keys;
  for (const auto& item : items) keys.insert(item.key);
  CHECK(keys.count("0/weight"));
  CHECK(keys.count("1/g0/p0/exp_avg"));
  CHECK(keys.count("1/g0/p0/step"));
  CHECK(keys.count("1/g0/lr"));
  CHECK(keys.count("2/avg"));
  CHECK(keys.count("3/history/1"));
  CHECK(keys.count("4"));
  CHECK(keys.count("5/0"));
  CHECK(keys.count("6/0"));
  CHECK(keys.count("6/1/1"));
  CHECK(keys.count("rng/cpu"));
  REQUIRE(capture_to(dir.path, set, "a.ckpt").ok());
  auto expect_weight = model->weight.clone();
  auto expect_exp_avg = static_cast<torch::optim::AdamParamState&>(
                            *adam.state().at(c10::guts::to_string(model->weight.unsafeGetTensorImpl())))
                            .exp_avg()
                            .clone();
  auto rng_before = torch::rand({4});  // draws after the capture

  // A fresh "process": new objects, Adam without any state yet.
  torch::manual_seed(99);
  torch::nn::Linear model2(4, 2);
  torch::optim::Adam adam2(model2->parameters(), torch::optim::AdamOptions(0.5));
  Ema ema2;
  Counter counter2;
  int64_t step2 = 0;
  std::array<double, 2> pair2{0, 0};
  std::tuple<int64_t, std::pair<double, torch::Tensor>> result2{0, {0, torch::zeros({3})}};
  StateSet set2;
  add(set2, model2);
  add(set2, adam2);
  add(set2, ema2);
  add(set2, counter2);
  add(set2, step2);
  add(set2, pair2);
  add(set2, result2);
  REQUIRE(adam2.state().empty());
  REQUIRE(set2.restore(dir.path + "/a.ckpt").ok());
  CHECK(torch::equal(model2->weight, expect_weight));
  REQUIRE(adam2.state().size() == 2);
  for (auto& p : adam2.param_groups()[0].params()) {
    auto& s = static_cast<torch::optim::AdamParamState&>(
        *adam2.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())));
    CHECK(s.step() == 3);
  }
  auto& s0 = static_cast<torch::optim::AdamParamState&>(
      *adam2.state().at(c10::guts::to_string(adam2.param_groups()[0].params()[0].unsafeGetTensorImpl())));
  CHECK(torch::equal(s0.exp_avg(), expect_exp_avg));
  CHECK(adam2.param_groups()[0].options().get_lr() == 0.01);
  CHECK(ema2.avg.allclose(torch::full({3}, 2.5)));
  CHECK(ema2.updates == 7);
  CHECK(counter2.history == std::vector<float>{3.f, 4.f});
  CHECK(step2 == 42);
  CHECK(pair2[1] == -1.0);
  CHECK(std::get<0>(result2) == 9);
  CHECK(std::get<1>(result2).first == 0.1 + 0.2);
  CHECK(torch::equal(std::get<1>(result2).second, torch::arange(3.0)));
  // The generator is back where it was at the capture.
  CHECK(torch::equal(torch::rand({4}), rng_before));

  // Training goes on identically: both sides restored from the same
  // checkpoint (state, learning rate and generator), then two steps each.
  REQUIRE(set.restore(dir.path + "/a.ckpt").ok());
  train_steps(model, adam, 2);
  REQUIRE(set2.restore(dir.path + "/a.ckpt").ok());
  train_steps(model2, adam2, 2);
  CHECK(torch::equal(model->weight, model2->weight));
}

TEST_CASE("state: a corrupt checkpoint changes nothing and names the file", "[runtime]") {
  TempDir dir;
  torch::nn::Linear model(4, 2);
  StateSet set;
  add(set, model);
  REQUIRE(capture_to(dir.path, set, "c.ckpt").ok());
  for (const auto& entry : fs::directory_iterator(dir.path + "/packs")) {
    std::FILE* f = std::fopen(entry.path().c_str(), "r+b");
    std::fseek(f, 16, SEEK_SET);
    std::fputs("garbage!", f);
    std::fclose(f);
  }
  torch::nn::Linear other(4, 2);
  auto before = other->weight.clone();
  StateSet set2;
  add(set2, other);
  Status s = set2.restore(dir.path + "/c.ckpt");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Code::kCorrupt);
  CHECK_THAT(s.message(), Catch::Contains(dir.path + "/c.ckpt"));
  CHECK(torch::equal(other->weight, before));
}

TEST_CASE("rng: generator state bytes round-trip", "[runtime]") {
  std::string state = cpu_rng_bytes();
  CHECK(state.size() == 5056);
  auto a = torch::randn({5});
  REQUIRE(set_cpu_rng_bytes(state).ok());
  CHECK(torch::equal(torch::randn({5}), a));
  CHECK_FALSE(set_cpu_rng_bytes("short").ok());
}

TEST_CASE("values: exact text of numbers and tensors", "[runtime]") {
  using detail::tensor_text;
  using detail::to_text;
  CHECK(to_text(0.1) == "0.1");
  CHECK(to_text(1.0 / 3.0) == "0.3333333333333333");  // shortest text that reads back the same
  CHECK(std::stod(to_text(1.0 / 3.0)) == 1.0 / 3.0);
  CHECK(to_text(0.1f) == "0.1");
  CHECK(to_text(static_cast<long long>(-3)) == "-3");
  CHECK(to_text(true) == "true");
  CHECK(tensor_text(torch::tensor(2.5)) == "2.5");
  auto t = torch::arange(6, torch::kFloat).reshape({2, 3});
  std::string text = tensor_text(t);
  CHECK_THAT(text, Catch::StartsWith("float[2,3] mean=2.5 min=0 max=5 fnv="));
  CHECK(tensor_text(t.clone()) == text);
  auto u = t.clone();
  u[1][2] = std::nextafter(5.f, 6.f);
  CHECK(tensor_text(u) != text);  // one ulp changes the hash
  // flor::log returns its value (and costs nothing without flor).
  CHECK(flor::log("x", 3) == 3);
  CHECK(flor::mode() == RunMode::kOff);
}

TEST_CASE("loop: passthrough iterates like the plain loop", "[runtime]") {
  std::vector<int> seen;
  for (int i : flor::loop("epoch", 2, 5)) {
    for (int j : flor::loop("batch", std::vector<int>{10, 20})) seen.push_back(i * 100 + j);
  }
  CHECK(seen == std::vector<int>{210, 220, 310, 320, 410, 420});
  int64_t count = 0;
  for (int64_t e : flor::loop("epoch")) {
    if (e == 4) break;
    ++count;
  }
  CHECK(count == 4);
  bool ran = false;
  flor::block("train", [&] { ran = true; });
  CHECK(ran);
  if (auto blk = flor::skip_block("train")) ran = false;
  CHECK_FALSE(ran);
  CHECK(flor::arg("lr", 0.5) == 0.5);
}

TEST_CASE("policy: checkpoints while within eps x compute", "[runtime]") {
  CheckpointPolicy p(0.1);
  auto d = p.decide(1.0, 10'000'000);  // est ~5.5 ms stall + as much interference
  CHECK(d.take);
  CHECK_THAT(d.reason, Catch::StartsWith("budget:"));
  p.on_capture(0.05);
  p.on_block(1.0, 0);     // a quiet block: baseline 1 s
  p.on_block(1.04, 0.2);  // 40 ms slower while writing
  CHECK(p.cost() == Approx(0.09));
  CHECK_FALSE(p.decide(1.5, 0).take);  // 0.09 + 0.09 > 0.15
  CHECK(p.decide(2.0, 0).take);        // 0.18 <= 0.2
  CheckpointPolicy none(0.0);
  CHECK_FALSE(none.decide(100, 1).take);
  CheckpointPolicy every(1.0);  // no budget
  every.on_capture(50);
  CHECK(every.decide(0.001, 1).take);
}

TEST_CASE("periods: lengths double while a period is short, then stay", "[runtime]") {
  // 3000 steps of 0.3 ms: 1, 2, 4, ..., 1024, then the loop ends inside 2048.
  StepPeriods p;
  std::vector<int64_t> lengths;
  int64_t in_period = 0;
  for (int step = 0; step < 3000; ++step) {
    ++in_period;
    if (p.iteration_end(0.0003 * static_cast<double>(in_period))) {
      lengths.push_back(in_period);
      in_period = 0;
      p.start();
    }
  }
  CHECK(lengths == std::vector<int64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
  CHECK(p.length() == 2048);
  CHECK(p.done() == 3000 - 2047);
  // Steps of 1 s: the period stops growing at kMinIters.
  StepPeriods slow;
  lengths.clear();
  for (int period = 0; period < 6; ++period) {
    const int64_t n = slow.length();
    for (int64_t i = 1; i <= n; ++i) {
      if (slow.iteration_end(static_cast<double>(i))) lengths.push_back(i);
    }
    slow.start();
  }
  CHECK(lengths == std::vector<int64_t>{1, 2, 4, 8, 8, 8});
  // The same times give the same periods.
  StepPeriods a, b;
  for (int i = 0; i < 100; ++i) CHECK(a.iteration_end(0.01 * a.done()) == b.iteration_end(0.01 * b.done()));
}

TEST_CASE("policy: interference is at most the writer's CPU time", "[runtime]") {
  // A block 300 ms slower while a write that used 20 ms of CPU ran: the rest
  // is other processes' load, not flor's.
  CheckpointPolicy p(0.1);
  p.on_block(1.0, 0);
  p.on_block(1.3, 0.02);
  CHECK(p.cost() == Approx(0.02));
}

TEST_CASE("policy: a period is charged per iteration against quiet periods", "[runtime]") {
  CheckpointPolicy p(0.1);
  p.on_block(0.010, 0, 10);    // 1 ms an iteration
  p.on_block(0.040, 0, 40);
  p.on_block(0.085, 0.05, 80);  // 5 ms slower than 80 quiet iterations, with a write
  CHECK(p.cost() == Approx(0.005));
}

TEST_CASE("cmdline: flor flags are taken out, errors name the value", "[runtime]") {
  std::vector<std::string> args{"./train", "--epochs", "3", "--flor", "mnist", "0.05", "--lr=0.1"};
  auto f = take_flor_flags(args);
  REQUIRE(f.ok());
  CHECK(f->record_name == "mnist");
  CHECK(f->eps == 0.05);
  CHECK(args == std::vector<std::string>{"./train", "--epochs", "3", "--lr=0.1"});
  CHECK(find_flag(args, "lr") == "0.1");
  CHECK(find_flag(args, "epochs") == "3");
  CHECK_FALSE(find_flag(args, "seed").has_value());

  std::vector<std::string> replay{"./train", "--replay_flor", "strong", "2/4", "--x"};
  auto r = take_flor_flags(replay);
  REQUIRE(r.ok());
  CHECK(r->replay);
  CHECK(r->init == InitMode::kStrong);
  CHECK(r->segment->index == 2);
  CHECK(replay == std::vector<std::string>{"./train", "--x"});
  CHECK(find_flag(replay, "x") == "true");

  for (const char* bad : {"0/5", "6/5", "3/0", "x"}) {
    std::vector<std::string> a{"./train", "--replay_flor", bad};
    auto e = take_flor_flags(a);
    REQUIRE_FALSE(e.ok());
    CHECK_THAT(e.status().message(), Catch::Contains(std::string("--replay_flor ") + bad));
  }
  std::vector<std::string> noname{"./train", "--flor"};
  CHECK_FALSE(take_flor_flags(noname).ok());
  // EPS is optional: only a plain decimal in (0, 1] is EPS, any other word stays the program's.
  for (const char* word : {"0x1", " 0.5", "nan", "1e-400", "-0", "0", "2"}) {
    std::vector<std::string> a{"./train", "--flor", "mnist", word};
    auto e = take_flor_flags(a);
    INFO("word '" << word << "'");
    REQUIRE(e.ok());
    CHECK_FALSE(e->eps.has_value());
    CHECK(a == std::vector<std::string>{"./train", word});
  }
}

}  // namespace
}  // namespace flor::rt
