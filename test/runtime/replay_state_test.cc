// State a replay must bring back besides tensors, each in a small training
// program recorded with a checkpoint per epoch and replayed in a fresh
// "process" (new objects) from a checkpoint in the middle; the replay must be
// bit-identical to the record. A negative control shows each piece matters:
// without it the replay diverges.
//  - module train/eval mode (a program with dropout);
//  - LBFGS optimizer state (counters, direction, history).
#include "torch_catch.h"

#include <flor/flor.h>

#include <filesystem>

#include "checkpoint_file.h"
#include "common/temp_dir.h"
#include "state_set.h"

namespace flor::rt {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

template <typename T>
void add(StateSet& set, T& object) {
  set.add(&object, typeid(T).name(),
          [](StateVisitor& v, const std::string& key, void* p) { visit_state(v, key, *static_cast<T*>(p)); });
}

using test::write_checkpoint;

std::string epoch_name(int e) { return "e" + std::to_string(e) + ".ckpt"; }

// --- module mode ----------------------------------------------------------------

struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc1(register_module("fc1", torch::nn::Linear(4, 16))),
        drop(register_module("drop", torch::nn::Dropout(0.5))),
        fc2(register_module("fc2", torch::nn::Linear(16, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc2(drop(torch::relu(fc1(x)))); }
  torch::nn::Linear fc1;
  torch::nn::Dropout drop;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Net);

struct Data {
  torch::Tensor x, y, probe;
};

Data make_data() {
  torch::manual_seed(7);
  Data d;
  d.x = torch::randn({32, 4});
  d.y = d.x.sum(1, /*keepdim=*/true);
  d.probe = torch::randn({8, 4});
  return d;
}

// The skip block: trains (dropout on), then validates, leaving the model in
// eval mode. The epoch body after it runs the probe in whatever mode the block
// left, as a program whose evaluate() calls model->eval() does.
void train_block(Net& net, torch::optim::SGD& opt, const Data& d) {
  net->train();
  for (int i = 0; i < 4; ++i) {
    opt.zero_grad();
    torch::mse_loss(net->forward(d.x), d.y).backward();
    opt.step();
  }
  net->eval();
}

TEST_CASE("replay: module train/eval mode is restored (dropout)", "[runtime]") {
  TempDir dir;
  const Data d = make_data();
  constexpr int kEpochs = 4, kFrom = 1;
  std::vector<torch::Tensor> recorded;
  {
    torch::manual_seed(0);
    Net net;
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    StateSet set;
    add(set, net);
    add(set, opt);
    for (int e = 0; e < kEpochs; ++e) {
      train_block(net, opt, d);
      auto items = set.capture_items();
      write_checkpoint(dir.path, items, epoch_name(e));
      if (e == kFrom) {
        // The same checkpoint without the mode entry (as flor wrote before it
        // had one): the negative control below.
        std::vector<StateItem> without;
        for (auto& item : items) {
          if (item.key != "0/.training") without.push_back(item);
        }
        REQUIRE(without.size() + 1 == items.size());
        write_checkpoint(dir.path, without, "nomode.ckpt");
      }
      recorded.push_back(net->forward(d.probe));
    }
  }
  // A fresh process: modules start in training mode.
  torch::manual_seed(99);
  Net net;
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  StateSet set;
  add(set, net);
  add(set, opt);

  SECTION("with the mode: bit-identical from the middle on") {
    REQUIRE(set.restore(dir.path + "/" + epoch_name(kFrom)).ok());
    CHECK_FALSE(net->is_training());
    CHECK_FALSE(net->drop->is_training());
    CHECK(torch::equal(net->forward(d.probe), recorded[kFrom]));
    for (int e = kFrom + 1; e < kEpochs; ++e) {
      train_block(net, opt, d);
      CHECK(torch::equal(net->forward(d.probe), recorded[e]));
    }
  }
  SECTION("negative control: a checkpoint without the mode diverges") {
    REQUIRE(set.restore(dir.path + "/nomode.ckpt").ok());  // old checkpoints still restore
    CHECK(net->is_training());
    CHECK_FALSE(torch::equal(net->forward(d.probe), recorded[kFrom]));
  }
}

TEST_CASE("replay: each submodule gets its own mode; a plain Module& works", "[runtime]") {
  TempDir dir;
  NetImpl plain;  // not owned by a shared_ptr
  plain.eval();
  plain.drop->train();  // mixed: dropout on, the rest in eval
  StateSet set;
  add(set, plain);
  write_checkpoint(dir.path, set.capture_items(), "m.ckpt");

  NetImpl other;
  other.fc2->eval();
  StateSet set2;
  add(set2, other);
  REQUIRE(set2.restore(dir.path + "/m.ckpt").ok());
  CHECK_FALSE(other.is_training());
  CHECK_FALSE(other.fc1->is_training());
  CHECK(other.drop->is_training());
  CHECK_FALSE(other.fc2->is_training());
}

// --- LBFGS -----------------------------------------------------------------------

struct Fit {
  torch::nn::Sequential model{torch::nn::Linear(3, 8), torch::nn::Tanh(), torch::nn::Linear(8, 1)};
  // A small history, so the history is full and drops its oldest entries.
  torch::optim::LBFGS opt{model->parameters(), torch::optim::LBFGSOptions(0.2).max_iter(5).history_size(3)};
};

// One epoch: one LBFGS step (up to max_iter inner iterations); returns the loss.
torch::Tensor lbfgs_epoch(Fit& f, const Data& d) {
  return f.opt.step([&] {
    f.opt.zero_grad();
    auto loss = torch::mse_loss(f.model->forward(d.x.narrow(1, 0, 3)), torch::sin(d.y));
    loss.backward();
    return loss;
  });
}

torch::optim::LBFGSParamState& lbfgs_state(Fit& f) {
  auto& p0 = f.opt.param_groups()[0].params()[0];
  return static_cast<torch::optim::LBFGSParamState&>(
      *f.opt.state().at(c10::guts::to_string(p0.unsafeGetTensorImpl())));
}

TEST_CASE("replay: LBFGS state is restored, replay from the middle is bit-identical", "[runtime]") {
  TempDir dir;
  const Data d = make_data();
  constexpr int kEpochs = 6, kFrom = 2;
  std::vector<torch::Tensor> losses, weights;
  int64_t n_iter_at_from = 0;
  size_t history_at_from = 0;
  {
    torch::manual_seed(0);
    Fit f;
    StateSet set;
    add(set, f.model);
    add(set, f.opt);
    for (int e = 0; e < kEpochs; ++e) {
      losses.push_back(lbfgs_epoch(f, d));
      weights.push_back(f.model[0]->as<torch::nn::Linear>()->weight.clone());
      auto items = set.capture_items();
      write_checkpoint(dir.path, items, epoch_name(e));
      if (e == kFrom) {
        auto& s = lbfgs_state(f);
        n_iter_at_from = s.n_iter();
        history_at_from = s.old_dirs().size();
        std::set<std::string> keys;
        for (auto& item : items) keys.insert(item.key);
        for (const char* k : {"1/g0/p0/func_evals", "1/g0/p0/n_iter", "1/g0/p0/t", "1/g0/p0/prev_loss",
                              "1/g0/p0/d", "1/g0/p0/H_diag", "1/g0/p0/prev_flat_grad", "1/g0/p0/old_dirs/2",
                              "1/g0/p0/old_stps/2", "1/g0/p0/ro/2", "1/g0/p0/al", "1/g0/p0/al/0"}) {
          CHECK(keys.count(k));
        }
        CHECK_FALSE(keys.count("1/g0/p0/old_dirs/3"));  // history_size 3
      }
    }
  }
  REQUIRE(n_iter_at_from == 15);  // 5 inner iterations per epoch: the history is full
  REQUIRE(history_at_from == 3);
  // Consecutive epochs still change the loss (not converged: the comparison means something).
  REQUIRE_FALSE(torch::equal(losses[kEpochs - 2], losses[kEpochs - 1]));

  torch::manual_seed(99);
  Fit f;  // a fresh optimizer: no state before its first step
  StateSet set;
  add(set, f.model);
  SECTION("model and LBFGS restored: bit-identical") {
    add(set, f.opt);
    REQUIRE(set.restore(dir.path + "/" + epoch_name(kFrom)).ok());
    auto& s = lbfgs_state(f);
    CHECK(s.n_iter() == n_iter_at_from);
    CHECK(s.old_dirs().size() == history_at_from);
    for (int e = kFrom + 1; e < kEpochs; ++e) {
      CHECK(torch::equal(lbfgs_epoch(f, d), losses[e]));
      CHECK(torch::equal(f.model[0]->as<torch::nn::Linear>()->weight, weights[e]));
    }
  }
  SECTION("negative control: the model alone diverges") {
    REQUIRE(set.restore(dir.path + "/" + epoch_name(kFrom)).ok());
    // (The loss LBFGS returns is the one before its step, so compare weights.)
    lbfgs_epoch(f, d);
    CHECK_FALSE(torch::equal(f.model[0]->as<torch::nn::Linear>()->weight, weights[kFrom + 1]));
  }
}

// --- step loop ---------------------------------------------------------------------
// A step loop draws from the global generator every step (a sampled batch,
// dropout). Restarted from a period-end checkpoint, which holds rng/cpu, the
// steps after it are bit-identical; without the generator state they are not.

torch::Tensor sampled_step(Net& net, torch::optim::Adam& opt, const Data& d) {
  auto idx = torch::randint(d.x.size(0), {8}, torch::kLong);
  opt.zero_grad();
  auto loss = torch::mse_loss(net->forward(d.x.index_select(0, idx)), d.y.index_select(0, idx));
  loss.backward();
  opt.step();
  return loss.detach();
}

TEST_CASE("replay: a step loop restarts bit-identically from a period-end checkpoint", "[runtime]") {
  TempDir dir;
  const Data d = make_data();
  constexpr int kSteps = 24, kAt = 11;  // checkpoint at the end of step 11
  std::vector<torch::Tensor> losses;
  {
    torch::manual_seed(0);
    Net net;
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
    StateSet set;
    add(set, net);
    add(set, opt);
    for (int s = 0; s < kSteps; ++s) {
      losses.push_back(sampled_step(net, opt, d));
      if (s == kAt) write_checkpoint(dir.path, set.capture_items(), "step.ckpt");
    }
  }
  torch::manual_seed(99);  // a replay process: other initial weights, another generator state
  Net net;
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
  StateSet set;
  add(set, net);
  add(set, opt);
  REQUIRE(set.restore(dir.path + "/step.ckpt").ok());
  SECTION("state and generator restored: every later step is bit-identical") {
    for (int s = kAt + 1; s < kSteps; ++s) CHECK(torch::equal(sampled_step(net, opt, d), losses[s]));
  }
  SECTION("negative control: the generator not restored, the next step differs") {
    torch::manual_seed(99);
    CHECK_FALSE(torch::equal(sampled_step(net, opt, d), losses[kAt + 1]));
  }
}

}  // namespace
}  // namespace flor::rt
