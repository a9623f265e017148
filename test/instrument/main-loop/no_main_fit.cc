// No main() here: main.cc (out of sight) builds a Trainer and calls fit().
// fit() is the one function of this file that nothing here calls and that
// holds an epoch loop, so its loop is the main loop; train_epoch() and
// evaluate(), called from it, are the blocks, and the members they change the
// side-effect set.
#include "trainer_class.h"

Trainer::Trainer(TrainerOptions options)
    : options_(options),
      optimizer_(model_->parameters(), torch::optim::SGDOptions(0.1)),
      loader_(torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64)) {}

void Trainer::fit() {
  for (int epoch = 0; epoch < options_.epochs; ++epoch) {
    double loss = train_epoch();
    double accuracy = evaluate();
    std::printf("epoch %d loss %f accuracy %f\n", epoch, loss, accuracy);
  }
}

double Trainer::train_epoch() {
  double sum = 0;
  for (auto& batch : *loader_) {
    optimizer_.zero_grad();
    auto loss = model_(batch.data);
    loss.backward();
    optimizer_.step();
    ++steps_;
    sum += loss.item<double>();
  }
  return sum;
}

double Trainer::evaluate() {
  double correct = 0;
  for (auto& batch : *loader_) correct += model_(batch.data).item<double>();
  return correct;
}
