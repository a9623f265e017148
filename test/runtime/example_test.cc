// The Fashion-MNIST example trains for real: loss falls on a subset, and one
// full epoch reaches the accuracy the README promises.
#include "torch_catch.h"

#include <cstdlib>

#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"

namespace {

// One epoch of Adam over `data`; returns the mean training loss.
double train_epoch(fmnist::Mlp& model, torch::optim::Optimizer& opt, const fmnist::Data& data) {
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(64));
  double sum = 0;
  int64_t steps = 0;
  for (auto& batch : *loader) {
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
    loss.backward();
    opt.step();
    sum += loss.item<double>();
    ++steps;
  }
  return sum / steps;
}

}  // namespace

TEST_CASE("example data loads with the expected shapes", "[example]") {
  auto d = fmnist::load(fmnist::Split::kTest, 100);
  CHECK(d.images.sizes() == torch::IntArrayRef({100, 1, 28, 28}));
  CHECK(d.labels.sizes() == torch::IntArrayRef({100}));
  CHECK(d.labels.min().item<int64_t>() >= 0);
  CHECK(d.labels.max().item<int64_t>() <= 9);
  // Normalized pixels: roughly zero mean over a batch of images.
  CHECK(std::abs(d.images.mean().item<double>()) < 0.5);
}

TEST_CASE("example training on a subset lowers the loss", "[example]") {
  fmnist::pin_threads(1);
  torch::manual_seed(0);
  auto train = fmnist::load(fmnist::Split::kTrain, 2000);
  auto test = fmnist::load(fmnist::Split::kTest, 1000);
  fmnist::Mlp model;
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  double before = fmnist::evaluate(model, test).loss;
  double first = train_epoch(model, opt, train);
  double second = train_epoch(model, opt, train);
  double third = train_epoch(model, opt, train);
  auto after = fmnist::evaluate(model, test);
  CHECK(third < first);
  CHECK(second < first);
  CHECK(after.loss < before);
  CHECK(after.accuracy > 0.7);
}

TEST_CASE("one full epoch reaches about 0.83 test accuracy", "[example]") {
  fmnist::pin_threads(1);
  torch::manual_seed(0);
  auto train = fmnist::load(fmnist::Split::kTrain);
  auto test = fmnist::load(fmnist::Split::kTest);
  REQUIRE(train.size() == 60000);
  fmnist::Mlp model;
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  train_epoch(model, opt, train);
  CHECK(fmnist::evaluate(model, test).accuracy >= 0.83);
}

TEST_CASE("a missing dataset names the Debian package", "[example]") {
  const char* cache = std::getenv("FLOR_FMNIST_CACHE");
  std::string saved_cache = cache ? cache : "";
  setenv("FLOR_FMNIST_DIR", "/nonexistent/fashion-mnist", 1);
  setenv("FLOR_FMNIST_CACHE", "/tmp/flor-test-empty-cache-does-not-exist", 1);
  try {
    fmnist::load(fmnist::Split::kTest, 10);
    FAIL("load() should have thrown");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("dataset-fashion-mnist"));
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/fashion-mnist"));
  }
  unsetenv("FLOR_FMNIST_DIR");
  if (saved_cache.empty()) {
    unsetenv("FLOR_FMNIST_CACHE");
  } else {
    setenv("FLOR_FMNIST_CACHE", saved_cache.c_str(), 1);
  }
}
