#include "plan/record_shape.h"

#include <map>

namespace flor::plan {

Result<RecordShape> record_shape(store::Store& store, int64_t record_run) {
  RecordShape shape;
  FLOR_ASSIGN_OR_RETURN(auto epochs, store.epochs(record_run));
  std::map<int64_t, int64_t> blocks;  // epoch -> skip blocks in it
  for (const auto& e : epochs) {
    if (e.epoch != shape.epochs) break;  // epochs finish in order; stop at a gap
    ++shape.epochs;
    blocks[e.epoch] = e.blocks;
  }
  FLOR_ASSIGN_OR_RETURN(auto checkpoints, store.checkpoints(record_run));
  for (const auto& c : checkpoints) {  // ordered by (epoch, seq)
    auto b = blocks.find(c.epoch);
    if (b != blocks.end() && b->second > 0 && c.seq == b->second - 1) shape.restorable.push_back(c.epoch);
  }
  return shape;
}

}  // namespace flor::plan
