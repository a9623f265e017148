// Per-epoch scalars declared several to a statement (`double a = 0, b = 0;`)
// are the block's locals like single ones; a declarator the block does not
// change (`shown` below) is not.
#include <cstdio>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    double d_sum = 0, g_sum = 0.5;
    int64_t steps = 0,
            shown = 0;
    for (auto& batch : *loader) {
      opt.zero_grad();
      auto loss = net(batch.data);
      loss.backward();
      opt.step();
      d_sum += loss.item<double>();
      g_sum -= 1;
      ++steps;
    }
    shown += 1;
    std::printf("%f %f %lld %lld\n", d_sum / steps, g_sum, (long long)steps, (long long)shown);
  }
}
