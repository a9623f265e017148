// Built through flor_instrument() in run_launcher.sh: no training loop, so it
// compiles untouched (no .flor.cc is written).
#include <cstdio>

int main() {
  for (int i = 0; i < 3; ++i) std::printf("%d\n", i);
}
