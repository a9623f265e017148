// What a recorded run offers to replay planning, read from its store rows.
// Shared by the runtime's replayer and the driver (`flor replay -j N` shows
// each worker's range), so both see the same plan.
#pragma once

#include <vector>

#include "plan/plan.h"
#include "store/store.h"

namespace flor::plan {

// Epochs: finished epochs counted from 0 up to the first gap. Restorable: the
// epochs whose last skip block (seq == blocks - 1) was checkpointed, ascending.
RecordShape record_shape(const std::vector<store::EpochRow>& epochs,
                         const std::vector<store::CheckpointRow>& checkpoints);

}  // namespace flor::plan
