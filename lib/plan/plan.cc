#include "plan/plan.h"

#include <algorithm>
#include <cmath>

namespace flor::plan {
namespace {

Result<EpochRange> resolve_range(const RecordShape& shape, const std::optional<EpochRange>& range) {
  if (shape.epochs <= 0) {
    return failed_precondition("the recorded run has no finished epoch: nothing to replay");
  }
  EpochRange all{0, shape.epochs - 1};
  if (!range) return all;
  if (range->first < 0 || range->last < range->first || range->last > all.last) {
    return invalid_argument("epochs " + std::to_string(range->first) + "-" + std::to_string(range->last) +
                            ": the recorded run has epochs 0-" + std::to_string(all.last));
  }
  return *range;
}

std::optional<int64_t> restorable_before(const RecordShape& shape, int64_t epoch) {
  auto it = std::lower_bound(shape.restorable.begin(), shape.restorable.end(), epoch);
  if (it == shape.restorable.begin()) return std::nullopt;
  return *(it - 1);
}

// Picks n of the sorted `starts` (the first always), each as close as it can
// be to an even split of [range.first, range.last], leaving enough starts for
// the segments after it.
std::vector<int64_t> choose_starts(const std::vector<int64_t>& starts, const EpochRange& range, int n) {
  std::vector<int64_t> chosen{starts.front()};
  size_t prev = 0;
  const double len = static_cast<double>(range.last - range.first + 1);
  for (int p = 1; p < n; ++p) {
    const double ideal = static_cast<double>(range.first) + len * p / n;
    const size_t hi = starts.size() - static_cast<size_t>(n - p);  // leave one start per later segment
    size_t best = prev + 1;
    for (size_t i = prev + 1; i <= hi; ++i) {
      if (std::fabs(static_cast<double>(starts[i]) - ideal) < std::fabs(static_cast<double>(starts[best]) - ideal)) {
        best = i;
      }
    }
    chosen.push_back(starts[best]);
    prev = best;
  }
  return chosen;
}

}  // namespace

std::vector<int64_t> segment_starts(const RecordShape& shape, const EpochRange& range) {
  std::vector<int64_t> starts{range.first};
  for (int64_t c : shape.restorable) {
    if (c + 1 > range.first && c + 1 <= range.last) starts.push_back(c + 1);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  return starts;
}

int64_t max_segments(const RecordShape& shape, const std::optional<EpochRange>& range) {
  auto r = resolve_range(shape, range);
  if (!r.ok()) return 0;
  return static_cast<int64_t>(segment_starts(shape, *r).size());
}

Result<std::vector<SegmentPlan>> plan_segments(const RecordShape& shape, int n, InitMode init,
                                               const std::optional<EpochRange>& range) {
  if (n < 1) return invalid_argument("number of segments must be at least 1, not " + std::to_string(n));
  FLOR_ASSIGN_OR_RETURN(EpochRange r, resolve_range(shape, range));
  std::vector<int64_t> starts = segment_starts(shape, r);
  if (static_cast<size_t>(n) > starts.size()) {
    return invalid_argument(std::to_string(n) + " segments: the record offers only " +
                            std::to_string(starts.size()) + " place(s) to start a segment in epochs " +
                            std::to_string(r.first) + "-" + std::to_string(r.last) +
                            " (a segment starts after a checkpointed epoch); use at most " +
                            std::to_string(starts.size()) + (starts.size() == 1 ? " worker" : " workers"));
  }
  std::vector<int64_t> chosen = choose_starts(starts, r, n);
  std::vector<SegmentPlan> plans;
  for (int p = 0; p < n; ++p) {
    SegmentPlan s;
    s.first = chosen[static_cast<size_t>(p)];
    s.last = p + 1 < n ? chosen[static_cast<size_t>(p) + 1] - 1 : r.last;
    if (init == InitMode::kWeak) {
      s.restore_after = restorable_before(shape, s.first);
      s.start = s.restore_after ? *s.restore_after + 1 : 0;
    }
    plans.push_back(s);
  }
  return plans;
}

InitMode init_mode(const RecordShape& shape, std::optional<InitMode> asked) {
  if (asked) return *asked;
  return shape.carried_state.empty() ? InitMode::kWeak : InitMode::kStrong;
}

Result<SegmentPlan> plan_segment(const RecordShape& shape, Segment seg, InitMode init,
                                 const std::optional<EpochRange>& range) {
  if (seg.count < 1 || seg.index < 1 || seg.index > seg.count) {
    return invalid_argument("segment " + std::to_string(seg.index) + "/" + std::to_string(seg.count) +
                            ": P must be between 1 and N");
  }
  FLOR_ASSIGN_OR_RETURN(auto plans, plan_segments(shape, seg.count, init, range));
  return plans[static_cast<size_t>(seg.index) - 1];
}

}  // namespace flor::plan
