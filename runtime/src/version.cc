#include "flor/version.h"
#include "flor/flor.h"

namespace flor {
const char* version() { return FLOR_VERSION_STRING; }
}  // namespace flor
