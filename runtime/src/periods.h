// A step loop's periods (docs/replay.md "Step loops"): a
// main loop without skip blocks keeps its iterations as the unit (epochs), but
// flor's bookkeeping for it (the epoch row with the generator state, the log
// transaction, the checkpoint decision) happens once per period.
//
// The rule, deterministic given the iteration times: the first period is one
// iteration; after each period the next one is twice as long while the period
// just ended covered less than kTargetSeconds of the loop's time or fewer than
// kMinIters iterations, up to kMaxIters. Lengths only grow and are powers of
// two, so small timing noise rarely changes a decision (only a period whose
// time is near kTargetSeconds can), and a record and its replay agree on rows
// without agreeing on times: replay follows the record's rows.
//
// 3000 steps of 0.3 ms: periods 1, 2, 4, ..., 1024, then 953 (the loop ends
// inside a period of 2048): 12 rows.
// Steps of 1 s: 1, 2, 4, 8, 8, ... (an epoch row per 8 s).
//
// Pure bookkeeping, no clock: the caller measures.
#pragma once

#include <cstdint>

namespace flor::rt {

class StepPeriods {
 public:
  static constexpr double kTargetSeconds = 0.5;
  static constexpr int64_t kMinIters = 8;
  static constexpr int64_t kMaxIters = int64_t{1} << 16;

  // An iteration of the current period ended; `period_seconds` is the time of
  // the period so far. True when the period ends with it (call start() next).
  bool iteration_end(double period_seconds);
  // The next period begins.
  void start() { done_ = 0; }

  int64_t length() const { return length_; }  // iterations of the current period
  int64_t done() const { return done_; }      // of them, ended so far

 private:
  int64_t length_ = 1;
  int64_t done_ = 0;
};

}  // namespace flor::rt
