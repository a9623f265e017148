// Shape: a GAN-style loop. Two models and two optimizers trained in one batch
// loop, a periodic manual torch::save of the generator. Synthetic data from a
// seeded generator: the "real" samples are points on a noisy unit circle.
// Plain LibTorch; test/e2e/instrument_shape_gan.sh builds it through flor-instrument.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

struct GeneratorImpl : torch::nn::Module {
  GeneratorImpl()
      : fc1(register_module("fc1", torch::nn::Linear(8, 32))), fc2(register_module("fc2", torch::nn::Linear(32, 2))) {}
  torch::Tensor forward(torch::Tensor z) { return fc2(torch::relu(fc1(z))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Generator);

struct DiscriminatorImpl : torch::nn::Module {
  DiscriminatorImpl()
      : fc1(register_module("fc1", torch::nn::Linear(2, 32))), fc2(register_module("fc2", torch::nn::Linear(32, 1))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::leaky_relu(fc1(x), 0.2)); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Discriminator);

torch::Tensor real_batch(int64_t n) {
  auto angle = torch::rand({n, 1}) * (2 * M_PI);
  return torch::cat({torch::cos(angle), torch::sin(angle)}, 1) + 0.05 * torch::randn({n, 2});
}

int main() {
  torch::manual_seed(7);
  const int64_t kEpochs = 3, kSteps = 150, kBatch = 64, kSaveEvery = 50;
  Generator generator;
  Discriminator discriminator;
  torch::optim::Adam g_opt(generator->parameters(), torch::optim::AdamOptions(1e-3).betas({0.5, 0.999}));
  torch::optim::Adam d_opt(discriminator->parameters(), torch::optim::AdamOptions(1e-3).betas({0.5, 0.999}));
  auto ones = torch::ones({kBatch, 1});
  auto zeros = torch::zeros({kBatch, 1});
  int64_t saves = 0;
  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    double d_sum = 0, g_sum = 0;
    for (int64_t step = 0; step < kSteps; ++step) {
      auto real = real_batch(kBatch);
      auto fake = generator(torch::randn({kBatch, 8}));
      d_opt.zero_grad();
      auto d_loss = torch::binary_cross_entropy_with_logits(discriminator(real), ones) +
                    torch::binary_cross_entropy_with_logits(discriminator(fake.detach()), zeros);
      d_loss.backward();
      d_opt.step();
      g_opt.zero_grad();
      auto g_loss = torch::binary_cross_entropy_with_logits(discriminator(fake), ones);
      g_loss.backward();
      g_opt.step();
      d_sum += d_loss.item<double>();
      g_sum += g_loss.item<double>();
      if ((step + 1) % kSaveEvery == 0) {
        torch::save(generator, "gan_generator.pt");
        ++saves;
      }
    }
    double g_norm = generator->fc2->weight.norm().item<double>();
    double d_norm = discriminator->fc2->weight.norm().item<double>();
    std::printf("epoch %lld d_loss %.6f g_loss %.6f g_norm %.6f d_norm %.6f saves %lld\n",
                static_cast<long long>(epoch), d_sum / kSteps, g_sum / kSteps, g_norm, d_norm,
                static_cast<long long>(saves));
    std::fflush(stdout);
  }
  return 0;
}
