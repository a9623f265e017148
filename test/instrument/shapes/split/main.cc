// The split trainer's entry point: options from the command line, then fit().
// No loop here: flor-instrument leaves this file as it is.
#include <cstdio>
#include <cstdlib>

#include "trainer.h"

int main(int argc, char** argv) {
  TrainerOptions options;
  if (argc > 1) options.epochs = std::atoll(argv[1]);
  torch::manual_seed(21);
  Trainer trainer(options);
  std::printf("best accuracy %.6f\n", trainer.fit());
  return 0;
}
