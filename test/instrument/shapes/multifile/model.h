// The model of the multifile shape, in a header (main.cc and train.cc include it).
#pragma once

#include <torch/torch.h>

struct MlpImpl : torch::nn::Module {
  MlpImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 64))), fc2(register_module("fc2", torch::nn::Linear(64, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x.view({x.size(0), 784})))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Mlp);
