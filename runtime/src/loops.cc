// Loop and block boundaries, and logs: where record and replay happen.
// Roles: the outermost flor::loop is the main loop (epochs); a loop or block
// entered directly in its body is a skip block; deeper ones only count steps.
// A skip block's locals (flor::locals) join its checkpoint: captured at its
// clean end, restored when it is skipped. They are new objects every epoch,
// so they are passed to each call and never kept.
#include "warn.h"

#include <utility>

#include "device.h"
#include "runtime.h"
#include "util/format.h"

namespace flor::rt {
namespace {

// Payload bytes (tensors, images) that make the pending logs flush early.
constexpr size_t kMaxBufferedData = size_t{64} << 20;

}  // namespace

using detail::LoopCtl;
using detail::Role;

bool Runtime::inside_main_loop(const char* what) {
  if (!main_active_) return false;
  if (!std::exchange(nested_warned_, true)) {
    warnings().warn(
        "flor: warning: {} called while the main loop `{}` runs (in its body, or in a function it calls, "
        "such as one instrumented in another file): ignored; its checkpoints are those registered before it",
        what, main_name_);
  }
  return true;
}

void Runtime::register_state(void* object, const char* type, detail::StateFn fn) {
  if (!inside_main_loop("flor::checkpoints")) state_.add(object, type, fn);
}

void Runtime::carried_state(const std::vector<std::string>& names) {
  if (inside_main_loop("flor::carried_state")) return;
  if (mode_ == RunMode::kRecord) {
    if (Status s = write_info(run_, [&](store::RunInfo& info) { info.carried_state = names; }); !s.ok()) {
      warnings().warn("flor: warning: {}", s.to_string());
    }
  } else if (replayer_ && !contract_.init && replayer_->record_shape().carried_state.empty() &&
             replayer_->segment().restore_after) {  // weak init (plan::init_mode), from a checkpoint
    warnings().warn(
        "flor: warning: the epoch body changes {} outside the checkpoints, but the record (run {}) was "
        "made by a version of the program that did not say so: this segment starts from a checkpoint "
        "without them (weak init); replay with --strong to rebuild them",
        join_names(names), record_);
  }
}

LoopCtl Runtime::loop_enter(const char* name, detail::LocalsView locals) {
  LoopCtl ctl;
  ctl.uncaught = std::uncaught_exceptions();
  if (mode_ == RunMode::kOff) return ctl;
  if (!main_active_ && !main_done_ && depth_ == 0) {
    ctl.role = Role::kMain;
    main_active_ = true;
    main_name_ = name;
    const std::optional<int64_t> replay_of = replayer_ ? std::optional<int64_t>(record_) : std::nullopt;
    if (Status s = begin_device(*store_, run_, replay_of, contract_.tolerate_divergence, state_); !s.ok()) fatal(s);
    if (recorder_) recorder_->main_begin(state_);
    if (replayer_) {
      step_loop_ = replayer_->is_step_loop(main_name_);
      auto range = replayer_->main_begin(main_name_, state_);
      if (!range.ok()) fatal(range.status());
      ctl.start = range->first;
      ctl.stop = range->second;
      if (auto row = replayer_->skipped_loop_row()) flush_logs(row);
    }
    return ctl;
  }
  steps_.push_back(-1);
  ++depth_;
  if (!main_active_ || depth_ != 1 || step_loop_) {
    ctl.role = Role::kPlain;
    return ctl;
  }
  ctl.role = Role::kBlock;
  block_ = name;
  block_seq_ = seq_++;
  if (recorder_) recorder_->block_begin();
  if (replayer_) ctl.skip = replayer_->block_enter(epoch_, block_seq_, block_, state_, locals);
  return ctl;
}

void Runtime::iter_begin(Role role, int64_t index) {
  if (mode_ == RunMode::kOff) return;
  if (role != Role::kMain) {
    if (!steps_.empty()) steps_.back() = index;
    return;
  }
  epoch_ = index;
  seq_ = 0;
  if (step_loop_ && replayer_) {  // rows follow the record's periods (Replayer::epoch_end)
    if (!replayer_->row_open()) epoch_start_ = Clock::now();
    replayer_->epoch_begin(index);
    return;
  }
  if (step_loop_ && periods_.done() > 0) return;  // inside a period: no bookkeeping
  epoch_start_ = Clock::now();
  period_first_ = index;
  if (recorder_) recorder_->epoch_begin(index);
  if (replayer_) replayer_->epoch_begin(index);
}

void Runtime::iter_end(Role role, int64_t index) {
  if (mode_ == RunMode::kOff || role != Role::kMain) return;
  last_ended_ = index;
  if (recorder_ && index == 0 && seq_ == 0 && !step_loop_) {
    // The first iteration entered no skip block: a step loop.
    step_loop_ = true;
    if (Status s = write_info(run_, [&](store::RunInfo& info) { info.step_loop = main_name_; }); !s.ok()) {
      warnings().warn("flor: warning: {}", s.to_string());
    }
  }
  if (step_loop_) return step_iter_end(index);
  std::optional<store::EpochRow> row;
  if (recorder_) row = recorder_->epoch_end(index, seq_);
  if (replayer_ && index >= replayer_->segment().first) row = replayer_->epoch_end(index);
  if (row) row->seconds = std::chrono::duration<double>(Clock::now() - epoch_start_).count();
  flush_logs(row);
}

void Runtime::loop_exit(const LoopCtl& ctl, bool clean, detail::LocalsView locals) {
  if (mode_ == RunMode::kOff) return;
  if (ctl.role == Role::kMain) {
    if (step_loop_) step_loop_exit(clean);
    main_active_ = false;
    main_done_ = true;
    epoch_ = -1;
    flush_logs(std::nullopt);
    return;
  }
  if (!steps_.empty()) steps_.pop_back();
  if (depth_ > 0) --depth_;
  // A block left by an exception is not checkpointed: its state is unknown.
  if (ctl.role == Role::kBlock && recorder_ && clean) recorder_->block_end(epoch_, block_seq_, block_, state_, locals);
}

// Record: the period's row (and maybe a checkpoint) at its last iteration.
// Replay: a row per recorded period the segment produced (Replayer::epoch_end).
void Runtime::step_iter_end(int64_t index) {
  const double seconds = std::chrono::duration<double>(Clock::now() - epoch_start_).count();
  if (recorder_) {
    if (!periods_.iteration_end(seconds)) return;
    flush_logs(recorder_->period_end(period_first_, index, main_name_, state_, Recorder::AtEnd::kMayCheckpoint));
  } else if (replayer_) {
    std::optional<store::EpochRow> row;
    if (index >= replayer_->segment().first) row = replayer_->epoch_end(index);
    if (!row) return;
    row->seconds = seconds;
    flush_logs(row);
  }
  periods_.start();
}

// The loop's last, partial period, and (record, clean) its loop-end checkpoint.
void Runtime::step_loop_exit(bool clean) {
  if (recorder_) {
    if (periods_.done() > 0) {
      const auto at_end = clean ? Recorder::AtEnd::kMayCheckpoint : Recorder::AtEnd::kNoCheckpoint;
      flush_logs(recorder_->period_end(period_first_, last_ended_, main_name_, state_, at_end));
    }
    if (clean) recorder_->loop_end(last_ended_, main_name_, state_);
  } else if (replayer_) {
    if (auto row = replayer_->period_left()) flush_logs(row);
  }
  periods_.start();
}

void Runtime::log(std::string_view name, std::string_view value, const char* type, const char* file, int line,
                  std::string* data, bool hash_later) {
  if (mode_ == RunMode::kOff) return;
  store::LogRow& row = logs_.add(name, value, type, file, line, data, hash_later);
  row.run = row.source = run_;
  row.epoch = epoch_;
  row.step = steps_.empty() ? -1 : steps_.back();
  if (replayer_ && !replayer_->on_log(row, main_done_)) {
    logs_.drop_last();
    return;
  }
  if (LogBuffer::needs_file(row)) {
    if (log_writer_) {
      log_writer_->write_ahead(logs_.size() - 1, row);
    } else if (row.blob.empty()) {
      row.blob = blob_key(row.data);
    }
  }
  // long epochs: bounded memory, batched writes
  if (logs_.size() >= LogBuffer::kMaxRows || logs_.data_bytes() >= kMaxBufferedData) flush_logs(std::nullopt);
}

void Runtime::log_tensor(std::string_view name, const at::Tensor& t, const char* file, int line) {
  if (mode_ == RunMode::kOff) return;
  TypedValue v = tensor_value(t, contract_.tensor_max_elements, std::move(value_buffer_));
  log(name, std::move(v.text), v.type, file, line, &v.data, /*hash_later=*/true);
  keep_buffer(std::move(v.data));
}

void Runtime::log_typed(std::string_view name, const char* what, Result<TypedValue> v, const char* file, int line) {
  if (!v.ok()) {
    fatal(invalid_argument(std::string(what) + "(\"" + std::string(name) + "\") at " + file + ":" +
                           std::to_string(line) + ": " + v.status().message()));
  }
  log(name, std::move(v->text), v->type, file, line, &v->data);
  keep_buffer(std::move(v->data));
}

void Runtime::keep_buffer(std::string&& buffer) {
  if (buffer.capacity() > value_buffer_.capacity()) value_buffer_ = std::move(buffer);
}

void Runtime::log_histogram(std::string_view name, const at::Tensor& t, int64_t bins, const char* file, int line) {
  if (mode_ != RunMode::kOff) log_typed(name, "flor::histogram", histogram_value(t, bins), file, line);
}

void Runtime::log_image(std::string_view name, const at::Tensor& t, const char* file, int line) {
  if (mode_ != RunMode::kOff) log_typed(name, "flor::image", image_value(t), file, line);
}

}  // namespace flor::rt
