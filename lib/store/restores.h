// What a replay worker could restore and what it refused, as it tells the
// driver: a blob of its run (key kRestoresBlob, JSON; docs/store-format.md).
// The runtime's replayer writes it; `flor replay`'s summary reads it. The
// blocks skipped in the worker's own epochs are counted in its epoch rows, not
// here; this holds the restores those rows do not show (the segment's start,
// catch-up epochs) and every checkpoint refused: corrupt, or naming another
// run, epoch or block than the one it was restored for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace flor::store {

inline constexpr const char* kRestoresBlob = "replay/restores";
inline constexpr size_t kStoredRefusals = 100;  // per run; more are only counted

struct Refusal {
  std::string path;   // relative to the experiment folder, as in the checkpoint row
  int64_t epoch = 0;  // the (epoch, seq) it was restored for
  int64_t seq = 0;
  std::string block;
  std::string error;    // why: the restore's message
  std::string instead;  // what ran instead: "re-executed block 'train' of epoch 3"
};

struct Restores {
  int64_t restored = 0;          // restores not counted in the run's epoch rows
  std::vector<Refusal> refused;  // each file once, the first kStoredRefusals
  int64_t refused_more = 0;      // further files refused, not listed
  // Adds `r` unless its file is listed already; false when it was.
  bool refuse(Refusal r);
};

Status put_restores(Store& store, int64_t run, const Restores& restores);
// An empty Restores when the run has none (a worker that restored nothing
// outside its rows and refused nothing, or a flor older than the blob).
Result<Restores> restores(Store& store, int64_t run);

}  // namespace flor::store
