// Replay planning: which epochs a replay worker produces and where it starts.
// Pure functions (no LibTorch, no I/O), shared by the runtime (a worker finds
// its own segment) and the driver (`flor replay -j N` shows the plan).
// Semantics: docs/replay.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/contract.h"
#include "util/status.h"

namespace flor::plan {

// What the record offers: how many epochs finished, and the epochs after which
// the whole registered state was checkpointed (the checkpoint of the epoch's
// last skip block exists), ascending.
// A step loop's record (a main loop without skip blocks) names the loop: its
// checkpoints are at ends of iterations, and at its last iteration.
struct RecordShape {
  int64_t epochs = 0;
  std::vector<int64_t> restorable;
  std::string step_loop;  // the main loop's name when it is a step loop, else ""
  // What the record's epoch body changes outside the checkpoints (flor::carried_state).
  std::vector<std::string> carried_state;
};

// How a replay's segments start: as asked (--strong, --weak, FLOR_INIT), else
// strong when the record's epoch body carries state no checkpoint holds (weak
// init would start a segment without it), else weak.
InitMode init_mode(const RecordShape& shape, std::optional<InitMode> asked);

struct SegmentPlan {
  int64_t first = 0;  // first epoch whose logs this segment produces
  int64_t last = -1;  // last one (inclusive)
  // First epoch executed. Epochs start..first-1 are catch-up epochs: run (skip
  // blocks skipped where checkpointed) but their logs are neither compared nor
  // stored; another segment owns them.
  int64_t start = 0;
  // Weak init: the epoch whose end-of-epoch checkpoint is restored before
  // `start` (start == *restore_after + 1). nullopt: start from the program's
  // initial state (epoch 0, or strong init).
  std::optional<int64_t> restore_after;
};

// The places where a segment may begin within `range`: its first epoch, and
// every epoch right after a restorable one.
std::vector<int64_t> segment_starts(const RecordShape& shape, const EpochRange& range);

// All N segments of `range` (default: every recorded epoch), contiguous and
// balanced; where checkpoints are sparse each begins right after one. Errors:
// no finished epoch, a range beyond the record, N larger than the number of
// places to start ("at most K").
Result<std::vector<SegmentPlan>> plan_segments(const RecordShape& shape, int n, InitMode init,
                                               const std::optional<EpochRange>& range = std::nullopt);
// Segment `seg` of those.
Result<SegmentPlan> plan_segment(const RecordShape& shape, Segment seg, InitMode init,
                                 const std::optional<EpochRange>& range = std::nullopt);

// The largest N that plan_segments accepts (0 when the record has no epoch).
int64_t max_segments(const RecordShape& shape, const std::optional<EpochRange>& range = std::nullopt);

}  // namespace flor::plan
