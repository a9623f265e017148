// Must not compile when built with the runtime's flags: runtime code may not use libgit2.
#include <git2.h>
int flor_layering_probe() { return 0; }
