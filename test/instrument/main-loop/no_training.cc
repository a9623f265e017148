// No training loop: nothing changes.
#include <cstdio>

int main() {
  int total = 0;
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < i; ++j) total += j;
  }
  std::printf("%d\n", total);
}
