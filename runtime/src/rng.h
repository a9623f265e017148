// The default generators' state: the CPU generator (and each CUDA device's,
// when CUDA is available), read and written under the generator's mutex.
// LibTorch seeds the CPU generator nondeterministically at start-up, so the
// runtime captures it before user code draws (record) and sets it (replay).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "ckpt/engine.h"

namespace flor::rt {

// The CPU generator's state as raw bytes (5056 bytes for the mt19937 + normal cache).
std::string cpu_rng_bytes();
Status set_cpu_rng_bytes(const std::string& bytes);

// Items "rng/cpu" and "rng/cuda<i>" holding copies of the current states.
void rng_items(std::vector<StateItem>& out);
// Sets a generator from an item rng_items produced (key decides which).
Status set_rng_item(const StateItem& item);

}  // namespace flor::rt
