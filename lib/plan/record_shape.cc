#include "plan/record_shape.h"

#include <algorithm>
#include <map>

namespace flor::plan {

RecordShape record_shape(const std::vector<store::EpochRow>& epochs,
                         const std::vector<store::CheckpointRow>& checkpoints) {
  RecordShape shape;
  std::map<int64_t, int64_t> blocks;  // epoch -> skip blocks in it
  std::vector<store::EpochRow> sorted = epochs;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.epoch < b.epoch; });
  for (const auto& e : sorted) {
    if (e.epoch != shape.epochs) break;  // epochs finish in order; stop at a gap
    ++shape.epochs;
    blocks[e.epoch] = e.blocks;
  }
  for (const auto& c : checkpoints) {
    auto b = blocks.find(c.epoch);
    if (b != blocks.end() && b->second > 0 && c.seq == b->second - 1) shape.restorable.push_back(c.epoch);
  }
  std::sort(shape.restorable.begin(), shape.restorable.end());
  shape.restorable.erase(std::unique(shape.restorable.begin(), shape.restorable.end()), shape.restorable.end());
  return shape;
}

}  // namespace flor::plan
