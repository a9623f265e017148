// The model and its training function live in a header (multi_file.cc).
#pragma once
#include <torch/torch.h>

struct MlpImpl : torch::nn::Module {
  MlpImpl() : fc1(register_module("fc1", torch::nn::Linear(784, 64))), fc2(register_module("fc2", torch::nn::Linear(64, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Mlp);

template <typename Loader>
void train_epoch(Mlp model, Loader& loader, torch::optim::Optimizer& optimizer) {
  model->train();
  for (auto& batch : loader) {
    optimizer.zero_grad();
    model(batch.data).backward();
    optimizer.step();
  }
}
