#include "plan/record_shape.h"

#include <algorithm>
#include <map>

namespace flor::plan {

Result<RecordShape> record_shape(store::Store& store, int64_t record_run) {
  RecordShape shape;
  FLOR_ASSIGN_OR_RETURN(store::Run run, store.run(record_run));
  shape.step_loop = run.info.step_loop.value_or("");
  shape.carried_state = run.info.carried_state.value_or(std::vector<std::string>{});
  FLOR_ASSIGN_OR_RETURN(auto epochs, store.epochs(record_run));
  std::map<int64_t, int64_t> blocks;  // epoch -> skip blocks in it
  for (const auto& e : epochs) {
    if (e.epoch != shape.epochs) break;  // epochs finish in order; stop at a gap
    shape.epochs += std::max<int64_t>(1, e.iters);
    blocks[e.epoch] = e.blocks;
  }
  FLOR_ASSIGN_OR_RETURN(auto checkpoints, store.checkpoints(record_run));
  for (const auto& c : checkpoints) {  // ordered by (epoch, seq)
    if (c.seq == store::kEndOfIteration) {
      if (c.epoch < shape.epochs) shape.restorable.push_back(c.epoch);
      continue;
    }
    auto b = blocks.find(c.epoch);
    if (b != blocks.end() && b->second > 0 && c.seq == b->second - 1) shape.restorable.push_back(c.epoch);
  }
  std::sort(shape.restorable.begin(), shape.restorable.end());
  shape.restorable.erase(std::unique(shape.restorable.begin(), shape.restorable.end()), shape.restorable.end());
  return shape;
}

}  // namespace flor::plan
