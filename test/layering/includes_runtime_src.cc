// Must not compile with the flags of code outside runtime/, even with
// runtime/src on the include path: only the runtime sees its private headers.
#include "ckpt/engine.h"
int flor_layering_probe_runtime_src() { return 0; }
