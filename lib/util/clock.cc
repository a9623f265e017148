#include "util/clock.h"

#include <chrono>

namespace flor {

double now_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

}  // namespace flor
