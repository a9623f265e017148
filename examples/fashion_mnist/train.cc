// Fashion-MNIST training with flor's manual API: train_plain.cc plus five kinds
// of calls (flor::init, flor::arg, flor::checkpoints, flor::loop, flor::log).
//
//   train --epochs 5 --train-size 2000                    # plain run: nothing recorded
//   train --epochs 5 --train-size 2000 --flor fmnist      # record into ~/.flor/fmnist
//   train --replay_flor 2/3                               # replay segment 2 of 3
//   train --epochs 5 --device cuda --flor fmnist          # on the GPU (model, batches, test set)
//
// Built a second time with FMNIST_HINDSIGHT (target fmnist_train_hindsight):
// the same program after its author added log statements, for the demo and
// the end-to-end tests of hindsight logging. With FMNIST_RICH=1 in the
// environment that build also logs, every epoch, a confusion matrix of the
// test set (a whole tensor), a histogram of fc1's weights, an image of the
// first 16 test images (inverted where the prediction is wrong) and the class
// it gets wrong most often (text, flor::text);
// FMNIST_PERTURB=1 adds one to the matrix's element [0,1] (a deliberately
// wrong replay, for the tests).
#include <flor/flor.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <stdexcept>

#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"

namespace {

const char* mode_name() {
  switch (flor::mode()) {
    case flor::RunMode::kRecord: return "record";
    case flor::RunMode::kReplay: return "replay";
    default: return "off";
  }
}

#ifdef FMNIST_HINDSIGHT
double l2_norm(const std::vector<torch::Tensor>& ts, bool grads) {
  double sum = 0;
  for (const auto& t : ts) {
    const auto& x = grads ? t.grad() : t;
    if (x.defined()) sum += x.pow(2).sum().item<double>();
  }
  return std::sqrt(sum);
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && std::string(v) == "1";
}

// No dropout in eval mode: draws nothing from the generator, so the training
// that follows is the same with or without these logs.
// Computed on the CPU whatever --device says (the values are logged).
void log_rich(fmnist::Mlp& model, const fmnist::Data& test) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const torch::Tensor preds = model->forward(test.images).argmax(1).cpu();
  model->train(was_training);
  const torch::Tensor images = test.images.cpu(), labels = test.labels.cpu();
  torch::Tensor cm = torch::zeros({100}, torch::kLong)
                         .index_add_(0, labels * 10 + preds, torch::ones_like(preds))
                         .reshape({10, 10});
  if (env_set("FMNIST_PERTURB")) cm[0][1] += 1;
  flor::log("confusion", cm);
  flor::histogram("fc1_weight", model->fc1->weight.cpu());
  const int64_t n = std::min<int64_t>(16, test.size());
  torch::Tensor x = images.narrow(0, 0, n);
  x = (x - x.min()) / (x.max() - x.min());
  const torch::Tensor wrong = (preds.narrow(0, 0, n) != labels.narrow(0, 0, n)).view({n, 1, 1, 1});
  flor::image("predictions", torch::where(wrong, 1 - x, x));
  const torch::Tensor right = cm.diagonal(), total = cm.sum(1);
  const int64_t worst = (right.to(torch::kDouble) / total.clamp_min(1)).argmin().item<int64_t>();
  flor::text("worst_class", "class " + std::to_string(worst) + ": " + std::to_string(right[worst].item<int64_t>()) +
                                " of " + std::to_string(total[worst].item<int64_t>()) + " right");
}
#endif

// --device cuda|cpu (default cpu; also --device=cuda): where the model, the
// batches and the test set live. Not a flor::arg: the device is not part of
// the run's history (flor records it itself and refuses to replay a record
// on another device unless told to tolerate it, docs/replay.md).
torch::Device device_flag(int argc, char** argv) {
  std::string name = "cpu";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) name = argv[++i];
    if (a.rfind("--device=", 0) == 0) name = a.substr(9);
  }
  if (name != "cpu" && name != "cuda") throw std::invalid_argument("--device " + name + ": expected cpu or cuda");
  if (name == "cuda" && !torch::cuda::is_available()) {
    throw std::invalid_argument("--device cuda: this LibTorch sees no CUDA device (use --device cpu)");
  }
  return name == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

}  // namespace

int main(int argc, char** argv) try {
  flor::init(argc, argv);
  const int64_t epochs = flor::arg("epochs", int64_t{3});
  const int64_t batch_size = flor::arg("batch-size", int64_t{64});
  const double lr = flor::arg("lr", 1e-3);
  const int64_t seed = flor::arg("seed", int64_t{0});
  const int64_t train_size = flor::arg("train-size", int64_t{0});
  const int64_t test_size = flor::arg("test-size", int64_t{0});
  const int threads = flor::arg("threads", 1);
  const torch::Device device = device_flag(argc, argv);

  int blas = fmnist::pin_threads(threads);
  std::printf("flor: %s; threads: torch %d, openblas %d\n", mode_name(), threads, blas);
  torch::manual_seed(seed);

  auto train = fmnist::load(fmnist::Split::kTrain, train_size);
  auto test = fmnist::load(fmnist::Split::kTest, test_size);
  test.images = test.images.to(device);
  test.labels = test.labels.to(device);
  std::printf("data: %lld train, %lld test\n", static_cast<long long>(train.size()),
              static_cast<long long>(test.size()));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train), torch::data::DataLoaderOptions(batch_size));

  fmnist::Mlp model;
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(lr));
  flor::checkpoints(model, optimizer);

  for (int64_t epoch : flor::loop("epoch", 0, epochs)) {
    auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t steps = 0;
    for (auto& batch : flor::loop("batch", *loader)) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data.to(device)), batch.target.to(device));
      loss.backward();
#ifdef FMNIST_HINDSIGHT
      flor::log("grad_norm", l2_norm(model->parameters(), /*grads=*/true));
#endif
      optimizer.step();
      loss_sum += loss.item<double>();
      ++steps;
    }
    auto eval = fmnist::evaluate(model, test);
    // steps is 0 when replay skipped the batch loop (its state was restored).
    if (steps > 0) flor::log("loss", loss_sum / static_cast<double>(steps));
    flor::log("test_loss", eval.loss);
    flor::log("test_acc", eval.accuracy);
#ifdef FMNIST_HINDSIGHT
    flor::log("weight_norm", l2_norm(model->parameters(), /*grads=*/false));
    if (env_set("FMNIST_RICH")) log_rich(model, test);
#endif
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char loss_text[32] = "(skipped)";
    if (steps > 0) std::snprintf(loss_text, sizeof(loss_text), "%.4f", loss_sum / static_cast<double>(steps));
    std::printf("epoch %lld/%lld  loss %s  test_loss %.4f  test_acc %.4f  (%.3f s)\n",
                static_cast<long long>(epoch) + 1, static_cast<long long>(epochs), loss_text, eval.loss,
                eval.accuracy, secs);
    std::fflush(stdout);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train: %s\n", e.what());
  return 1;
}
