// flor: hindsight logging for C++ LibTorch training. The one header a training
// program includes. See docs/api.md.
#pragma once

namespace flor {

// The runtime's version, "0.1.0".
const char* version();

}  // namespace flor
