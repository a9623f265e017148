// The batch loop written directly in the epoch loop; the counters it updates
// are declared before the main loop, so they are checkpointed with the model.
#include <torch/torch.h>

int main() {
  auto model = std::make_shared<torch::nn::LinearImpl>(784, 10);
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  int64_t step = 0;
  double last_loss = 0;
  for (size_t epoch = 0; epoch < 5; epoch++) {
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto loss = torch::mse_loss(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      ++step;
      last_loss = loss.item<double>();
    }
  }
  return static_cast<int>(last_loss);
}
