// The non-template core of the public API: what the templates in flor.h call.
// Implemented in runtime/src (api.cc) over the runtime's one state object.
// Not for users: names and signatures here may change.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace flor {

enum class RunMode : uint8_t { kOff, kRecord, kReplay };

class StateVisitor;

namespace detail {

// Cached at start-up; a plain load.
RunMode mode();

// ---- arguments (flor::arg)
// The value given on the command line (--name=V, --name V) or in the
// environment (FLOR_ARG_name), if any.
std::optional<std::string> arg_given(std::string_view name);
// Replay: the value recorded for `name`, if it was recorded.
std::optional<std::string> arg_recorded(std::string_view name);
// Record: remembers name=value (written to the store). Replay: fails with a
// clear error when `given` differs from the recorded value.
void arg_use(std::string_view name, const std::string& value_text, const std::optional<std::string>& given_text);
[[noreturn]] void arg_bad(std::string_view name, const std::string& text, const char* type);

// Exact round-trip text of numbers; parse the same text back (false on junk).
std::string to_text(double v);
std::string to_text(float v);
std::string to_text(long long v);
std::string to_text(unsigned long long v);
std::string to_text(bool v);
bool parse_text(const std::string& s, double* v);
bool parse_text(const std::string& s, long long* v);
bool parse_text(const std::string& s, unsigned long long* v);
bool parse_text(const std::string& s, bool* v);

// ---- state registration (flor::checkpoints)
using StateFn = void (*)(StateVisitor&, const std::string& key, void* object);
// Registers an object once (by address and type); fn lists its state.
void register_state(void* object, const char* type_name, StateFn fn);
void carried_state(std::initializer_list<const char*> names);

// ---- a block's locals (flor::locals)
// One local: its address and the function that lists its state (the same
// kind of function flor::checkpoints registers).
struct LocalRef {
  void* object;
  StateFn fn;
};
// The locals given to one loop or block, borrowed for one call: the runtime
// never keeps it after the call returns.
struct LocalsView {
  const LocalRef* data = nullptr;
  size_t size = 0;
  bool empty() const { return size == 0; }
};

// ---- loops and blocks (flor::loop, flor::block)
enum class Role : uint8_t { kOff, kPlain, kMain, kBlock };
struct LoopCtl {
  Role role = Role::kOff;
  bool skip = false;      // block, replay: skipped, its state already restored
  int64_t start = 0;      // main: iterations to pass over before the first one run
  int64_t stop = -1;      // main: one past the last iteration to run (-1: no limit)
  int uncaught = 0;       // std::uncaught_exceptions() at entry
};
// `locals` are the block's own live-out locals; only a skip block uses them
// (replay: restored with its state when it is skipped).
LoopCtl loop_enter(const char* name, LocalsView locals);
void iter_begin(Role role, int64_t index);
void iter_end(Role role, int64_t index);
// Record: a skip block's clean end captures `locals` with its checkpoint.
void loop_exit(const LoopCtl& ctl, bool clean, LocalsView locals);

// ---- logs (flor::log)
void log_text(std::string_view name, std::string_view value, const char* type, const char* file, int line);
std::string tensor_text(const at::Tensor& t);  // scalar -> its value; else shape, sum and a hash of the bytes
// Typed values (flor::log of a tensor, flor::histogram, flor::image).
void log_tensor(std::string_view name, const at::Tensor& t, const char* file, int line);
void log_histogram(std::string_view name, const at::Tensor& t, int64_t bins, const char* file, int line);
void log_image(std::string_view name, const at::Tensor& t, const char* file, int line);

}  // namespace detail
}  // namespace flor
