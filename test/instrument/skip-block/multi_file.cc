// A program split over files: the model (a TORCH_MODULE holder passed by
// value, which shares the module) and train_epoch() come from a header.
#include "multi_file_model.h"

int main() {
  Mlp model;
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 4; ++epoch) {
    train_epoch(model, *loader, optimizer);
  }
}
