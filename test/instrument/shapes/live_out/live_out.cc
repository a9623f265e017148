// Shape: per-epoch state carried out of the batch loop. The last batch's
// images are kept to write a sample grid (a PGM file) after the loop, and the
// per-batch losses are kept in a vector for their spread. A second loop, an
// evaluation that writes a CSV file the program opened, must always run.
// Plain LibTorch; test/e2e/instrument_shape_live_out.sh builds it through flor-instrument.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fashion_mnist/data.h"

// The first 8 images side by side, as an 8-bit grey PGM.
void write_grid(const torch::Tensor& images, const std::string& path) {
  auto grid = images.slice(0, 0, 8).view({8, 28, 28}).permute({1, 0, 2}).reshape({28, 8 * 28});
  auto bytes = ((grid - grid.min()) / (grid.max() - grid.min()) * 255).to(torch::kUInt8).contiguous();
  std::ofstream out(path, std::ios::binary);
  out << "P5\n" << 8 * 28 << " 28\n255\n";
  out.write(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), bytes.numel());
}

int main() {
  torch::manual_seed(5);
  const int64_t kEpochs = 3;
  auto train_data = fmnist::load(fmnist::Split::kTrain, 800);
  auto test_data = fmnist::load(fmnist::Split::kTest, 100);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train_data), torch::data::DataLoaderOptions(40));
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      fmnist::TensorDataset(test_data), torch::data::DataLoaderOptions(50));
  torch::nn::Sequential model(torch::nn::Flatten(), torch::nn::Linear(784, 32), torch::nn::ReLU(),
                              torch::nn::Linear(32, 10));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(2e-3));
  std::ofstream csv("live_out_eval.csv");

  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    torch::Tensor last_images;
    std::vector<torch::Tensor> batch_losses;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      last_images = batch.data;
      batch_losses.push_back(loss.detach());
    }
    write_grid(last_images, "live_out_epoch" + std::to_string(epoch) + ".pgm");
    auto losses = torch::stack(batch_losses);
    double loss = losses.mean().item<double>();
    double spread = losses.std().item<double>();
    double pixel_mean = last_images.mean().item<double>();

    int64_t batch_index = 0;
    for (auto& batch : *test_loader) {
      torch::NoGradGuard no_grad;
      auto correct = model->forward(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
      csv << epoch << "," << batch_index++ << "," << correct << "\n";
    }
    csv.flush();
    std::printf("epoch %lld loss %.6f spread %.6f pixel_mean %.6f\n", static_cast<long long>(epoch), loss, spread,
                pixel_mean);
    std::fflush(stdout);
  }
  return 0;
}
