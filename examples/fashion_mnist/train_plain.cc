// Fashion-MNIST training, plain LibTorch: no flor code at all. flor-instrument
// turns this into the hands-free version; train.cc is the same program written
// with flor's manual API.
//
//   train_plain --epochs 3 --batch-size 64 --lr 0.001 --seed 0 --train-size 2000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>

#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"

namespace {

struct Options {
  int64_t epochs = 3;
  int64_t batch_size = 64;
  double lr = 1e-3;
  int64_t seed = 0;
  int64_t train_size = 0;  // 0 = all 60000
  int64_t test_size = 0;   // 0 = all 10000
  int threads = 1;
};

constexpr const char* kUsage =
    "usage: train_plain [--epochs N] [--batch-size N] [--lr X] [--seed N]\n"
    "                   [--train-size N] [--test-size N] [--threads N]\n";

// Accepts --name value and --name=value.
Options parse(int argc, char** argv) {
  std::map<std::string, std::string> kv;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + a + "'");
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      kv[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < argc) {
      kv[a.substr(2)] = argv[++i];
    } else {
      throw std::invalid_argument("flag " + a + " needs a value");
    }
  }
  Options o;
  auto take = [&](const char* name, auto& field) {
    auto it = kv.find(name);
    if (it == kv.end()) return;
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, double>) {
      field = std::stod(it->second);
    } else {
      field = std::stoll(it->second);
    }
    kv.erase(it);
  };
  take("epochs", o.epochs);
  take("batch-size", o.batch_size);
  take("lr", o.lr);
  take("seed", o.seed);
  take("train-size", o.train_size);
  take("test-size", o.test_size);
  take("threads", o.threads);
  if (!kv.empty()) throw std::invalid_argument("unknown flag --" + kv.begin()->first);
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  Options opt = parse(argc, argv);
  int blas = fmnist::pin_threads(opt.threads);
  std::printf("threads: torch %d, openblas %d\n", opt.threads, blas);
  torch::manual_seed(opt.seed);

  auto train = fmnist::load(fmnist::Split::kTrain, opt.train_size);
  auto test = fmnist::load(fmnist::Split::kTest, opt.test_size);
  std::printf("data: %lld train, %lld test\n", static_cast<long long>(train.size()),
              static_cast<long long>(test.size()));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train), torch::data::DataLoaderOptions(opt.batch_size));

  fmnist::Mlp model;
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(opt.lr));

  for (int64_t epoch = 0; epoch < opt.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t steps = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++steps;
    }
    auto eval = fmnist::evaluate(model, test);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %lld/%lld  loss %.4f  test_loss %.4f  test_acc %.4f  (%.2f s)\n",
                static_cast<long long>(epoch) + 1, static_cast<long long>(opt.epochs),
                loss_sum / steps, eval.loss, eval.accuracy, secs);
    std::fflush(stdout);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train_plain: %s\n", e.what());
  return 1;
}
