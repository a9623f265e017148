// A skip block's own locals (flor::locals): passthrough, capture and restore
// of each kind (scalars, tensors, undefined tensors, vectors that grow), and a
// real Fashion-MNIST training loop recorded and replayed by the runtime with
// its blocks skipped (the batch loop, a flor::block, a flor::skip_block): the
// per-epoch locals read after them are the recorded ones bit for bit, and
// (negative control) the same program without flor::locals gets reset values.
//
// The record/replay case runs this test binary again as child processes (the
// hidden case "[locals_child]"): the runtime is one state object per process,
// started from the environment.
#include "torch_catch.h"

#include <flor/flor.h>

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <type_traits>

#include "checkpoint_file.h"
#include "common/temp_dir.h"
#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"
#include "state_set.h"

namespace flor::rt {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

// ---------------------------------------------------------------- passthrough

// Locals are an address and a function pointer each: nothing to free.
static_assert(sizeof(Locals<double, int64_t, torch::Tensor>) == 3 * sizeof(detail::LocalRef));
static_assert(std::is_trivially_destructible_v<Locals<double, torch::Tensor>>);
static_assert(std::is_trivially_copyable_v<Locals<double, torch::Tensor>>);

TEST_CASE("locals: passthrough runs every body with its locals", "[runtime]") {
  REQUIRE(flor::mode() == RunMode::kOff);
  double sum = 0;
  int64_t count = 0;
  torch::Tensor last;
  std::vector<int> seen;
  for (int64_t epoch : flor::loop("epoch", 0, 2, flor::locals(count))) {  // ignored on the main loop
    for (int v : flor::loop("batch", std::vector<int>{1, 2, 3}, flor::locals(sum, count, last))) {
      sum += v;
      ++count;
      last = torch::full({1}, v);
      seen.push_back(static_cast<int>(epoch) * 10 + v);
    }
    for (int i : flor::loop("steps", 0, 2, flor::locals(sum))) sum += i;
  }
  CHECK(seen == std::vector<int>{1, 2, 3, 11, 12, 13});
  CHECK(sum == 14);
  CHECK(count == 6);
  CHECK(last.item<int>() == 3);
  // The integer overloads without locals are unchanged.
  int n = 0;
  for (int i : flor::loop("epoch", 2, 5)) n += i;
  CHECK(n == 9);
  // A count is [0, count), with or without locals (not a range).
  int m = 0;
  for (int i : flor::loop("epoch", 3)) m += i;
  for (int64_t i : flor::loop("steps", int64_t{2}, flor::locals(sum))) m += static_cast<int>(i);
  CHECK(m == 4);

  double loss_sum = 0;
  flor::block("train", [&] { loss_sum += 1.5; }, flor::locals(loss_sum));
  CHECK(loss_sum == 1.5);
  if (auto blk = flor::skip_block("train", flor::locals(loss_sum))) loss_sum += 1;
  CHECK(loss_sum == 2.5);
  // A block returns its lambda's result, kept as one more local.
  CHECK(flor::block("score", [&] { return loss_sum * 2; }) == 5.0);
  auto nothing = [] {};
  static_assert(std::is_void_v<decltype(flor::block("none", nothing))>);
  CHECK(flor::block(
            "score", [&] { return std::vector<int64_t>{count}; }, flor::locals(loss_sum)) ==
        std::vector<int64_t>{6});
}
static_assert(
    std::is_same_v<decltype(std::declval<Locals<double>>().plus(std::declval<int&>())), Locals<double, int>>);

// ---------------------------------------------------------------- capture, restore

using test::write_checkpoint;

TEST_CASE("locals: each kind round-trips; undefined tensors; vectors get their length", "[runtime]") {
  TempDir dir;
  torch::manual_seed(3);
  double acc = 0.1 + 0.2;  // not a short decimal: bits matter
  int64_t correct = 123456789012345;
  torch::Tensor last = torch::randn({2, 3});
  torch::Tensor never;  // never assigned
  std::vector<torch::Tensor> losses{torch::randn({}), torch::randn({}), torch::randn({4})};
  std::vector<double> history{1.25, -3.5};
  StateSet set;  // no registered state: a block may have locals only
  auto items = set.capture_items(flor::locals(acc, correct, last, never, losses, history).view());
  std::set<std::string> keys;
  for (const auto& item : items) keys.insert(item.key);
  for (const char* k : {"local/n", "local/0", "local/1", "local/2", "local/4/.size", "local/4/0", "local/4/2",
                        "local/5/.size", "local/5/1", "rng/cpu"}) {
    CHECK(keys.count(k));
  }
  CHECK_FALSE(keys.count("local/3"));  // undefined: left out
  write_checkpoint(dir.path, items, "b.ckpt");
  write_checkpoint(dir.path, set.capture_items(), "old.ckpt");  // as a block without locals wrote it

  SECTION("new objects get the captured values, bit for bit") {
    double acc2 = 0;
    int64_t correct2 = 0;
    torch::Tensor shared = torch::zeros({2, 3});
    torch::Tensor last2 = shared;               // shares storage with `shared`
    torch::Tensor never2 = torch::ones({5});   // defined now, undefined at the capture
    std::vector<torch::Tensor> losses2;         // empty at block entry, as in a new epoch
    std::vector<double> history2{9, 9, 9};
    REQUIRE(set.restore(dir.path + "/b.ckpt", flor::locals(acc2, correct2, last2, never2, losses2, history2).view())
                .ok());
    CHECK(std::memcmp(&acc2, &acc, sizeof acc) == 0);
    CHECK(correct2 == correct);
    CHECK(torch::equal(last2, last));
    CHECK(torch::equal(shared, torch::zeros({2, 3})));  // rebound, not written through
    CHECK_FALSE(never2.defined());
    REQUIRE(losses2.size() == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(torch::equal(losses2[i], losses[i]));
    CHECK(history2 == history);
  }
  SECTION("an undefined local stays undefined") {
    torch::Tensor a, b;
    double x = 0;
    int64_t y = 0;
    std::vector<torch::Tensor> v;
    std::vector<double> h;
    REQUIRE(set.restore(dir.path + "/b.ckpt", flor::locals(x, y, a, b, v, h).view()).ok());
    CHECK(torch::equal(a, last));
    CHECK_FALSE(b.defined());
  }
  SECTION("a checkpoint without locals leaves them as they are") {
    double acc2 = 7;
    torch::Tensor t = torch::ones({1});
    std::vector<double> h{4};
    REQUIRE(set.restore(dir.path + "/old.ckpt", flor::locals(acc2, t, h).view()).ok());
    CHECK(acc2 == 7);
    CHECK(t.defined());
    CHECK(h == std::vector<double>{4});
  }
}

TEST_CASE("state: a registered std::vector comes back at its recorded length", "[runtime]") {
  TempDir dir;
  std::vector<float> history{1.f, 2.f, 3.f};
  StateSet set;
  set.add(&history, "v", &detail::visit_erased<std::vector<float>>);
  auto items = set.capture_items();
  write_checkpoint(dir.path, items, "v.ckpt");
  std::vector<StateItem> without;  // as flor wrote it before lengths were kept
  for (auto& item : items) {
    if (item.key != "0/.size") without.push_back(item);
  }
  REQUIRE(without.size() + 1 == items.size());
  write_checkpoint(dir.path, without, "old.ckpt");

  history = {9.f};
  REQUIRE(set.restore(dir.path + "/v.ckpt").ok());
  CHECK(history == std::vector<float>{1.f, 2.f, 3.f});
  history = {9.f, 8.f, 7.f, 6.f};
  REQUIRE(set.restore(dir.path + "/v.ckpt").ok());
  CHECK(history == std::vector<float>{1.f, 2.f, 3.f});
  history = {9.f};  // an old checkpoint: the length stays, the elements it has are restored
  REQUIRE(set.restore(dir.path + "/old.ckpt").ok());
  CHECK(history == std::vector<float>{1.f});
}

// ---------------------------------------------------------------- record and replay

constexpr int kEpochs = 3;
constexpr const char* kOutVar = "FLOR_TEST_LOCALS_OUT";
constexpr const char* kPassVar = "FLOR_TEST_LOCALS_PASS";          // 0: the loop gets no flor::locals
constexpr const char* kRegisterVar = "FLOR_TEST_LOCALS_REGISTER";  // 0: no flor::checkpoints
constexpr const char* kSwapVar = "FLOR_TEST_SWAP_BLOCKS";          // set: "probe" before "weights"

// One epoch's values after its blocks, as tensors (bit-exact comparison).
struct EpochValues {
  double running_loss = 0;
  int64_t correct = 0;
  torch::Tensor last_images;
  std::vector<torch::Tensor> losses;
  double weight_sum = 0;
  torch::Tensor probe;
};

void append_tensor(std::vector<torch::Tensor>& out, const torch::Tensor& t) {
  out.push_back(torch::tensor(t.defined() ? 1 : 0, torch::kLong));
  out.push_back(t.defined() ? t : torch::empty({0}));
}

void append(std::vector<torch::Tensor>& out, const EpochValues& v) {
  out.push_back(torch::tensor(v.running_loss, torch::kDouble));
  out.push_back(torch::tensor(v.correct, torch::kLong));
  append_tensor(out, v.last_images);
  out.push_back(torch::tensor(static_cast<int64_t>(v.losses.size()), torch::kLong));
  out.push_back(v.losses.empty() ? torch::empty({0}) : torch::stack(v.losses));
  out.push_back(torch::tensor(v.weight_sum, torch::kDouble));
  append_tensor(out, v.probe);
}
constexpr size_t kPerEpoch = 9;

// The training program: its skip blocks (the batch loop, a flor::block and a
// flor::skip_block) change per-epoch locals that the epoch body reads
// afterwards. Writes, per epoch, the locals after the blocks; then the block
// bodies this process ran and the weights.
TEST_CASE("locals child: training program", "[.][locals_child]") {
  const char* out_path = std::getenv(kOutVar);
  if (!out_path) return;  // only as a child of the case below
  auto flag = [](const char* var) { return std::string(std::getenv(var) ? std::getenv(var) : "1") == "1"; };
  const bool pass = flag(kPassVar);
  fmnist::pin_threads(1);
  torch::manual_seed(0);
  auto data = fmnist::load(fmnist::Split::kTrain, 320);
  fmnist::Mlp model;
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  if (flag(kRegisterVar)) flor::checkpoints(model, opt);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(64));
  std::vector<torch::Tensor> out;
  int64_t ran = 0;
  for (int64_t epoch : flor::loop("epoch", 0, kEpochs)) {
    (void)epoch;
    double running_loss = 0;
    int64_t correct = 0;
    torch::Tensor last_images;
    std::vector<torch::Tensor> losses;
    auto step = [&](torch::data::Example<>& batch) {
      opt.zero_grad();
      auto logits = model->forward(batch.data);
      auto loss = torch::nn::functional::cross_entropy(logits, batch.target);
      loss.backward();
      opt.step();
      running_loss += loss.item<double>();
      correct += logits.argmax(1).eq(batch.target).sum().item<int64_t>();
      last_images = batch.data;
      losses.push_back(loss.detach());
      ++ran;
    };
    if (pass) {
      for (auto& batch : flor::loop("batch", *loader, flor::locals(running_loss, correct, last_images, losses))) {
        step(batch);
      }
    } else {
      for (auto& batch : flor::loop("batch", *loader)) step(batch);
    }
    double weight_sum = 0;
    auto weights = [&] {
      weight_sum = model->fc1->weight.sum().item<double>();
      ++ran;
    };
    torch::Tensor probe;
    auto run_probe = [&] {
      torch::NoGradGuard no_grad;
      probe = model->forward(data.images.narrow(0, 0, 4));  // dropout on: draws from the generator
      ++ran;
    };
    if (std::getenv(kSwapVar)) {  // the program changed after the record: blocks in another order
      if (auto blk = flor::skip_block("probe")) run_probe();
      flor::block("weights", weights);
    } else if (pass) {
      flor::block("weights", weights, flor::locals(weight_sum));
      if (auto blk = flor::skip_block("probe", flor::locals(probe))) run_probe();
    } else {
      flor::block("weights", weights);
      if (auto blk = flor::skip_block("probe")) run_probe();
    }
    flor::log("running_loss", running_loss);
    append(out, {running_loss, correct, last_images, losses, weight_sum, probe});
  }
  out.push_back(torch::tensor(ran, torch::kLong));
  std::vector<torch::Tensor> params;
  for (const auto& p : model->parameters()) params.push_back(p.detach().flatten());
  out.push_back(torch::cat(params));
  torch::save(out, out_path);
}

// Runs the child case in `mode` (more variables in `env`), writing its values
// to `out` and its output to `out`.log; returns its exit status.
int run_child(const TempDir& dir, const std::string& mode, const std::string& out, const std::string& env = "") {
  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  const std::string cmd = "FLOR_MODE=" + mode + " FLOR_NAME=locals FLOR_HOME='" + dir.path + "' FLOR_EPS=1 " +
                          kOutVar + "='" + out + "' " + env + " '" + exe + "' '[locals_child]' > '" + out +
                          ".log' 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::vector<torch::Tensor> load_values(const std::string& path) {
  std::vector<torch::Tensor> v;
  torch::load(v, path);
  REQUIRE(v.size() == kEpochs * kPerEpoch + 2);
  return v;
}

TEST_CASE("locals: skipped blocks (batch loop, block, skip_block) restore the epoch's locals; negative control",
          "[runtime]") {
  TempDir dir;
  const std::string rec = dir / "record.pt", rep = dir / "replay.pt", neg = dir / "negative.pt";
  REQUIRE(run_child(dir, "record", rec) == 0);
  REQUIRE(run_child(dir, "replay", rep) == 0);  // the logged running_loss matches too
  // The logged running_loss diverges: tolerated, so that the values can be compared.
  REQUIRE(run_child(dir, "replay", neg, std::string("FLOR_TOLERATE=1 ") + kPassVar + "=0") == 0);
  const auto r = load_values(rec), p = load_values(rep), n = load_values(neg);
  const size_t ran = kEpochs * kPerEpoch;
  CHECK(r[ran].item<int64_t>() == kEpochs * (5 + 2));  // 320 images, batches of 64; two blocks
  CHECK(p[ran].item<int64_t>() == 0);            // every batch loop skipped
  CHECK(n[ran].item<int64_t>() == 0);
  CHECK(torch::equal(p[ran + 1], r[ran + 1]));   // the weights: registered state restored
  for (size_t e = 0; e < kEpochs; ++e) {
    INFO("epoch " << e);
    const size_t b = e * kPerEpoch;
    // The record's values are real: a loss, correct answers, the last batch, a loss per batch.
    CHECK(r[b].item<double>() > 0);
    CHECK(r[b + 1].item<int64_t>() > 0);
    CHECK(r[b + 2].item<int64_t>() == 1);
    CHECK(r[b + 3].sizes() == torch::IntArrayRef({64, 1, 28, 28}));
    CHECK(r[b + 4].item<int64_t>() == 5);
    CHECK(r[b + 6].item<double>() != 0);
    CHECK(r[b + 7].item<int64_t>() == 1);
    CHECK(r[b + 8].sizes() == torch::IntArrayRef({4, 10}));
    for (size_t k = 0; k < kPerEpoch; ++k) {
      INFO("value " << k);
      CHECK(p[b + k].scalar_type() == r[b + k].scalar_type());
      CHECK(torch::equal(p[b + k], r[b + k]));
    }
    // Negative control: without flor::locals the skipped loop leaves them reset.
    CHECK(n[b].item<double>() == 0);
    CHECK(n[b + 1].item<int64_t>() == 0);
    CHECK(n[b + 2].item<int64_t>() == 0);
    CHECK(n[b + 4].item<int64_t>() == 0);
    CHECK(n[b + 6].item<double>() == 0);
    CHECK(n[b + 7].item<int64_t>() == 0);
  }
}

TEST_CASE("locals: a block with locals but no registered state is checkpointed and restored", "[runtime]") {
  TempDir dir;
  const std::string rec = dir / "record.pt", rep = dir / "replay.pt";
  const std::string env = std::string(kRegisterVar) + "=0";
  REQUIRE(run_child(dir, "record", rec, env) == 0);
  REQUIRE(run_child(dir, "replay", rep, env) == 0);
  const auto r = load_values(rec), p = load_values(rep);
  const size_t ran = kEpochs * kPerEpoch;
  CHECK(p[ran].item<int64_t>() == 0);  // skipped: each block had a checkpoint
  for (size_t k = 0; k < ran; ++k) {
    INFO("value " << k);
    CHECK(torch::equal(p[k], r[k]));
  }
  // Nothing registered: the model is not restored (the replay never trained it).
  CHECK_FALSE(torch::equal(p[ran + 1], r[ran + 1]));
}

// Blocks without locals hold the same state (the registered model and
// optimizer), so only the name tells the record's block #0 ("weights") from
// the replay's ("probe"): restoring it would skip "probe" with the wrong state.
TEST_CASE("replay: a block whose name differs from the record's at its place is re-executed, not restored",
          "[runtime]") {
  TempDir dir;
  const std::string rec = dir / "record.pt", rep = dir / "replay.pt";
  const std::string no_locals = std::string(kPassVar) + "=0 ";
  REQUIRE(run_child(dir, "record", rec, no_locals) == 0);
  // Without locals the skipped batch loop leaves running_loss 0: tolerated.
  REQUIRE(run_child(dir, "replay", rep, no_locals + "FLOR_TOLERATE=1 " + kSwapVar + "=1") == 0);
  const auto r = load_values(rec), p = load_values(rep);
  const size_t ran = kEpochs * kPerEpoch;
  CHECK(p[ran].item<int64_t>() == kEpochs * 2);  // both blocks ran each epoch; the batch loops were skipped
  CHECK(torch::equal(p[ran + 1], r[ran + 1]));
  for (size_t e = 0; e < kEpochs; ++e) CHECK(torch::equal(p[e * kPerEpoch + 6], r[e * kPerEpoch + 6]));  // weight_sum
  std::ifstream in(rep + ".log");
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(log.find("was 'weights' in the record, is 'probe' now") != std::string::npos);
}

}  // namespace
}  // namespace flor::rt
