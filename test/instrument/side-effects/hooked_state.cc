// State of the user's own types: a struct with a flor_state hook (found by
// ADL, or a member) is checkpointed like a tensor; a std::pair of numbers is
// a sequence; a training call returning a pair feeds a structured binding,
// its result kept with the block's checkpoint. A std::vector<bool> (which
// flor::checkpoints refuses) makes the block run, and so does a loop that
// flor::block would wrap in a lambda, which (before C++20) cannot capture a
// structured binding.
#include <flor/flor.h>
#include <torch/torch.h>

#include <utility>
#include <vector>

struct Ema {
  torch::Tensor average;
  long updates = 0;
};
void flor_state(Ema& ema, flor::StateVisitor& v) {
  v("average", ema.average);
  v("updates", ema.updates);
}

struct Meter {
  double sum = 0;
  void flor_state(flor::StateVisitor& v) { v("sum", sum); }
};

std::pair<double, long> train(torch::nn::Linear& net, torch::optim::SGD& opt, Ema& ema, Meter& meter) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  std::pair<double, long> out{0, 0};
  for (auto& batch : *loader) {
    opt.step();
    out.first += net(batch.data).item<double>();
    ++out.second;
    ++ema.updates;
    meter.sum += out.first;
  }
  return out;
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  Ema ema;
  Meter meter;
  std::pair<double, double> best{0, 0};
  std::vector<bool> improved;
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto [loss, batches] = train(net, opt, ema, meter);
    for (auto& batch : *torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64)) {
      opt.step();
      best.first += net(batch.data).item<double>();
    }
    for (auto& batch : *torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64)) {
      opt.step();
      improved.push_back(net(batch.data).item<double>() > loss / batches);
    }
    long rounds = 0;
    while (rounds++ < batches) opt.step();
  }
}
