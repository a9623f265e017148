// No main() here, and two functions with an epoch loop that nothing here
// calls: which one main() runs as its main loop (maybe both, one after the
// other) is out of sight. Nothing is edited; the warning names both.
#include "trainer_class.h"

void Trainer::pretrain() {
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (auto& batch : *loader_) {
      auto loss = model_(batch.data);
      loss.backward();
      optimizer_.step();
    }
  }
}

void Trainer::fit() {
  for (int epoch = 0; epoch < options_.epochs; ++epoch) {
    for (auto& batch : *loader_) {
      auto loss = model_(batch.data);
      loss.backward();
      optimizer_.step();
    }
  }
}
