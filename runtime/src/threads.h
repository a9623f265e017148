// Thread counts that decide bit-identical results on CPU: torch's
// intra-op pool and OpenBLAS's (set through dlsym, so any BLAS works).
#pragma once

namespace flor::rt {

struct ThreadCounts {
  int torch = 0;
  int interop = 0;
  int blas = -1;  // -1: the BLAS is not OpenBLAS
};

ThreadCounts current_threads();
// Sets torch's intra-op threads and (when > 0 and OpenBLAS is loaded) OpenBLAS's.
void pin_threads(int torch_threads, int blas_threads);

}  // namespace flor::rt
