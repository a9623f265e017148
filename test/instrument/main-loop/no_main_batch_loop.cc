// No main() here, and no epoch loop: train_epoch() is called by an epoch
// loop in another file. Its batch loop holds an inner loop (gradient
// accumulation), so it contains a training loop, but it iterates a data
// loader itself: a batch loop, not the main loop. Nothing is instrumented.
#include "trainer_class.h"

double Trainer::train_epoch() {
  double sum = 0;
  for (auto& batch : *loader_) {
    optimizer_.zero_grad();
    for (int part = 0; part < options_.accumulate; ++part) {
      auto loss = model_(batch.data);
      loss.backward();
      sum += loss.item<double>();
    }
    optimizer_.step();
  }
  return sum;
}
