#include "policy.h"

#include <algorithm>
#include <cstdio>

namespace flor::rt {
namespace {

// First-capture estimate before anything was measured: copy at ~2 GB/s
// (memcpy is ~7 GB/s here, but the first touch of the arena is slower).
constexpr double kCopyBytesPerSecond = 2e9;
constexpr double kFixedStall = 0.0005;

std::string fmt(const char* f, double a, double b, double c, double d) {
  char buf[160];
  std::snprintf(buf, sizeof(buf), f, a, b, c, d);
  return buf;
}

}  // namespace

CheckpointPolicy::Decision CheckpointPolicy::decide(double compute_s, int64_t state_bytes) const {
  double stall = last_stall_ >= 0 ? last_stall_ : kFixedStall + static_cast<double>(state_bytes) / kCopyBytesPerSecond;
  double interference = last_interference_ >= 0 ? last_interference_ : stall;
  double est = stall + interference;
  Decision d;
  if (eps_ >= 1) {  // no budget: every block (tests, small runs, maximal replay speed)
    d.take = true;
    d.reason = "eps 1: every block";
    return d;
  }
  d.take = cost() + est <= eps_ * compute_s;
  d.reason = fmt(d.take ? "budget: cost %.4fs + est %.4fs <= eps %.4g x compute %.3fs"
                        : "over budget: cost %.4fs + est %.4fs > eps %.4g x compute %.3fs",
                 cost(), est, eps_, compute_s);
  return d;
}

void CheckpointPolicy::on_capture(double stall_s) {
  last_stall_ = stall_s;
  stall_total_ += stall_s;
}

void CheckpointPolicy::on_block(double seconds, double overlapped_write_s, int64_t iters) {
  const double n = static_cast<double>(std::max<int64_t>(1, iters));
  if (overlapped_write_s <= 0) {
    quiet_blocks_.push_back(seconds / n);
    if (quiet_blocks_.size() > 64) quiet_blocks_.erase(quiet_blocks_.begin());
    return;
  }
  double base = baseline() * n;
  double slowdown = base > 0 ? std::max(0.0, seconds - base) : overlapped_write_s;
  last_interference_ = std::min(slowdown, overlapped_write_s);
  interference_total_ += last_interference_;
}

double CheckpointPolicy::baseline() const {
  if (quiet_blocks_.empty()) return 0;
  std::vector<double> v = quiet_blocks_;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace flor::rt
