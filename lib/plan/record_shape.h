// What a recorded run offers replay, read from the store: its finished epochs
// and the restorable ones. The runtime's replay worker and the driver
// (`flor replay -j N`) both plan from this.
#pragma once

#include <cstdint>

#include "plan/plan.h"
#include "store/store.h"

namespace flor::plan {

// Finished epochs: the epoch rows 0, 1, ... up to the first gap (a step
// loop's row covers `iters` epochs). Restorable: the epochs whose last skip
// block has a checkpoint row, and those with an end-of-iteration checkpoint
// (store::kEndOfIteration: a step loop's period or loop end). step_loop: the
// record run's info names it.
Result<RecordShape> record_shape(store::Store& store, int64_t record_run);

}  // namespace flor::plan
