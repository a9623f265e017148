// Real batch loops move each batch to the model's device. `.to(device)`
// converts `device` to TensorOptions, whose constructor forwards
// (`template <typename... Args> TensorOptions(Args&&...)`), so a named
// torch::Device binds as `Device&`: a value forwarded into a construction,
// not a mutation. The block is skipped; `device` is not state.
#include <torch/torch.h>

int main() {
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  c10::ScalarType dtype = c10::ScalarType::Float;
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (auto& batch : *loader) {
      auto data = batch.data.to(device);
      auto target = batch.target.to(device, /*non_blocking=*/true).to(dtype);
      opt.zero_grad();
      auto loss = torch::nll_loss(net(data), target);
      loss.backward();
      opt.step();
    }
  }
}
