// The adaptive checkpoint policy (docs/replay.md): at the end of a skip
// block, checkpoint iff the cost of all checkpoints so far plus the estimated
// cost of this one stays within eps x the compute time so far. Cost = stall
// (the training loop waits while state is copied; one-time set-up excluded)
// + interference (the slowdown of the next block while the background writer
// runs, at most the writer's CPU time).
//
// eps >= 1 means no budget: a checkpoint at every block end.
//
// Pure bookkeeping, no clock: the recorder feeds it measurements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flor::rt {

class CheckpointPolicy {
 public:
  explicit CheckpointPolicy(double eps) : eps_(eps) {}

  struct Decision {
    bool take = false;
    std::string reason;  // "budget: cost 0.004s + est 0.002s <= 0.0667 x 1.02s"
  };
  // compute_s: training time so far, stalls excluded; state_bytes: what a
  // capture would copy (estimates the first stall).
  Decision decide(double compute_s, int64_t state_bytes) const;

  // A checkpoint was taken; its capture stalled for stall_s (one-time set-up,
  // such as faulting in a fresh staging arena, left out by the caller).
  void on_capture(double stall_s);
  // A block ran for seconds; `overlapped_write_s` > 0 when a background write
  // that used that many seconds of CPU ran during it (its slowdown beyond the
  // usual block time, at most the write's own CPU time, is charged as
  // interference: other processes' load is not blamed on flor). A step
  // loop's period counts as a block of `iters` iterations: the usual time is
  // per iteration, so periods of different lengths compare.
  void on_block(double seconds, double overlapped_write_s, int64_t iters = 1);

  double cost() const { return stall_total_ + interference_total_; }
  double eps() const { return eps_; }

 private:
  double baseline() const;  // median time per iteration of a block without a concurrent write

  double eps_;
  double stall_total_ = 0;
  double interference_total_ = 0;
  double last_stall_ = -1;
  double last_interference_ = -1;
  std::vector<double> quiet_blocks_;
};

}  // namespace flor::rt
