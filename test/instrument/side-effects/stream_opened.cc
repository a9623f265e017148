// Negative control of progress_printing.cc: a stream the program opened is
// output a skipped block would not write again, so the block always runs.
// One warning for the whole chained statement, not one per `<<`.
#include <fstream>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  std::ofstream csv("losses.csv");
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (auto& batch : *loader) {
      opt.step();
      csv << epoch << "," << net(batch.data).item<double>() << "," << 1 << "\n";
    }
  }
}
