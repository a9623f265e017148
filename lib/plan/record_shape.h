// What a recorded run offers replay, read from the store: its finished epochs
// and the restorable ones. The runtime's replay worker and the driver
// (`flor replay -j N`) both plan from this.
#pragma once

#include <cstdint>

#include "plan/plan.h"
#include "store/store.h"

namespace flor::plan {

// Finished epochs: the epoch rows 0, 1, ... up to the first gap. Restorable:
// the epochs whose last skip block has a checkpoint row.
Result<RecordShape> record_shape(store::Store& store, int64_t record_run);

}  // namespace flor::plan
