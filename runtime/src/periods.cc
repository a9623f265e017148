#include "periods.h"

namespace flor::rt {

bool StepPeriods::iteration_end(double period_seconds) {
  if (++done_ < length_) return false;
  const bool short_period = period_seconds < kTargetSeconds || length_ < kMinIters;
  if (short_period && length_ < kMaxIters) length_ *= 2;
  return true;
}

}  // namespace flor::rt
