// The runtime's one state object: everything flor keeps while a
// training program runs (mode, run ids, store, registered state, loop
// position, pending logs, the recorder or replayer). Created on first use, or
// at load time when FLOR_MODE or a flor flag is present, so the generator
// state is captured before user code draws. Never destroyed: at a clean exit
// an atexit handler finishes the run.
//
// Thread-safety: the training thread only.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmdline.h"
#include "periods.h"
#include "flor/flor.h"
#include "log_buffer.h"
#include "log_writer.h"
#include "recorder.h"
#include "replayer.h"
#include "state_set.h"
#include "typed_values.h"
#include "store/contract.h"
#include "store/store.h"

namespace flor::rt {

// Exit status of a replay whose logs differ from the record (unless tolerated).
inline constexpr int kExitDivergence = 3;
// Exit status after a flor usage error (bad flag, arg conflict on replay).
inline constexpr int kExitUsage = 2;

class Runtime {
 public:
  static Runtime& get();

  RunMode mode() const { return mode_; }
  void strip_argv(int& argc, char** argv);

  std::optional<std::string> arg_given(std::string_view name) const;
  std::optional<std::string> arg_recorded(std::string_view name) const;
  void arg_use(std::string_view name, const std::string& value, const std::optional<std::string>& given);

  // Both are ignored (one warning) while the main loop runs: the checkpoints
  // are what was registered before it (a function instrumented in another
  // file and called from a block registers its own, which would dangle).
  void register_state(void* object, const char* type, detail::StateFn fn);
  // Record: kept in the run's info (replays of it use strong init). Replay:
  // a warning when the record does not say so and this segment restores a checkpoint.
  void carried_state(const std::vector<std::string>& names);

  // `locals`: the block's own locals, used only while the call runs (a skip
  // block's; ignored for the main loop and deeper loops).
  detail::LoopCtl loop_enter(const char* name, detail::LocalsView locals);
  void iter_begin(detail::Role role, int64_t index);
  void iter_end(detail::Role role, int64_t index);
  void loop_exit(const detail::LoopCtl& ctl, bool clean, detail::LocalsView locals);

  // `data`, `hash_later`: a typed value's payload, and whether its blob key
  // is left to the blob writer (LogBuffer::add); its file is written ahead
  // (LogWriter::write_ahead).
  void log(std::string_view name, std::string_view value, const char* type, const char* file, int line,
           std::string* data = nullptr, bool hash_later = false);
  // Typed values (typed_values.h). A histogram or image the runtime cannot
  // make (bad shape, dtype, range) is fatal: the message names the log, its
  // source line and what is accepted.
  void log_tensor(std::string_view name, const at::Tensor& t, const char* file, int line);
  void log_histogram(std::string_view name, const at::Tensor& t, int64_t bins, const char* file, int line);
  void log_image(std::string_view name, const at::Tensor& t, const char* file, int line);

  // Ends the run (idempotent); returns the process exit status it asks for (0 = fine).
  int finish();
  [[noreturn]] void fatal(const Status& status);

 private:
  Runtime();
  Status start();
  Status start_record(const FlorFlags& flags);
  Status start_replay(const FlorFlags& flags);
  Result<std::string> replay_name() const;
  // Reads the run's info, refreshes what this process knows (threads, seed,
  // versions, command, pid), lets `fill` set its part, and writes it back.
  Status write_info(int64_t run, const std::function<void(store::RunInfo&)>& fill);
  void flush_logs(const std::optional<store::EpochRow>& epoch);
  void log_typed(std::string_view name, const char* what, Result<TypedValue> v, const char* file, int line);
  void keep_buffer(std::string&& buffer);
  void step_iter_end(int64_t index);
  void step_loop_exit(bool clean);
  // True (and warns once) while the main loop runs: `what` is then ignored.
  bool inside_main_loop(const char* what);

  using Clock = std::chrono::steady_clock;

  RunMode mode_ = RunMode::kOff;
  bool finished_ = false;
  std::vector<std::string> args_;  // the command line without flor's flags
  Contract contract_;
  std::unique_ptr<store::Store> store_;
  int64_t run_ = 0;     // this process's run
  int64_t record_ = 0;  // the recorded run (== run_ when recording)
  std::map<std::string, std::string> recorded_args_;  // replay
  StateSet state_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Replayer> replayer_;

  // Loop position.
  bool main_active_ = false;
  bool main_done_ = false;
  bool nested_warned_ = false;  // register_state/carried_state inside the main loop
  int depth_ = 0;          // loops and blocks open inside the main loop's body
  int64_t epoch_ = -1;
  int64_t seq_ = 0;        // skip blocks entered in this epoch
  std::string block_;      // the open skip block's name
  int64_t block_seq_ = 0;
  std::vector<int64_t> steps_;  // iteration index of each open nested loop
  Clock::time_point epoch_start_{};
  // Step loops (a main loop without skip blocks; periods.h): record decides
  // at the end of iteration 0 (it entered no skip block), replay follows the
  // record. Its nested loops then only count steps (never skipped).
  std::string main_name_;
  bool step_loop_ = false;
  StepPeriods periods_;
  int64_t period_first_ = 0;
  int64_t last_ended_ = -1;  // the main loop's last iteration that ended

  LogBuffer logs_;  // not yet in the store
  // A whole tensor's next payload buffer: the largest LogBuffer::add handed
  // back (keep_buffer), so logging a large tensor touches no fresh memory.
  std::string value_buffer_;
  std::unique_ptr<LogWriter> log_writer_;  // with store_
};

}  // namespace flor::rt
