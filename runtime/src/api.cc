// The public API's non-template core (flor/detail/core.h): forwards to the
// runtime's state object.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "flor/flor.h"
#include "runtime.h"

namespace flor {
namespace {

// The adapter to LibTorch and the store for the API: an exception from them
// (a tensor op in a capture or restore) becomes a clear error and exit status
// 2 instead of escaping into a loop destructor.
template <typename F>
auto guarded(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    rt::Runtime::get().fatal(internal_error(std::string(what) + ": " + e.what()));
  }
}

}  // namespace

void init(int& argc, char** argv) { rt::Runtime::get().strip_argv(argc, argv); }

void finish() {
  int code = rt::Runtime::get().finish();
  if (code != 0) {
    std::fflush(nullptr);
    std::_Exit(code);
  }
}

namespace detail {

RunMode mode() { return rt::Runtime::get().mode(); }

std::optional<std::string> arg_given(std::string_view name) { return rt::Runtime::get().arg_given(name); }
std::optional<std::string> arg_recorded(std::string_view name) { return rt::Runtime::get().arg_recorded(name); }
void arg_use(std::string_view name, const std::string& value, const std::optional<std::string>& given) {
  rt::Runtime::get().arg_use(name, value, given);
}
void arg_bad(std::string_view name, const std::string& text, const char* type) {
  rt::Runtime::get().fatal(invalid_argument("--" + std::string(name) + "=" + text + ": expected a " + type));
}

void register_state(void* object, const char* type_name, StateFn fn) {
  rt::Runtime::get().register_state(object, type_name, fn);
}

void carried_state(std::initializer_list<const char*> names) {
  rt::Runtime::get().carried_state(std::vector<std::string>(names.begin(), names.end()));
}

LoopCtl loop_enter(const char* name, LocalsView locals) {
  return guarded("entering a flor loop", [&] { return rt::Runtime::get().loop_enter(name, locals); });
}
void iter_begin(Role role, int64_t index) {
  guarded("starting an iteration", [&] { rt::Runtime::get().iter_begin(role, index); });
}
void iter_end(Role role, int64_t index) {
  guarded("ending an iteration", [&] { rt::Runtime::get().iter_end(role, index); });
}
void loop_exit(const LoopCtl& ctl, bool clean, LocalsView locals) {
  guarded("ending a flor loop", [&] { rt::Runtime::get().loop_exit(ctl, clean, locals); });
}

void log_text(std::string_view name, std::string_view value, const char* type, const char* file, int line) {
  rt::Runtime::get().log(name, value, type, file, line);
}

void log_tensor(std::string_view name, const at::Tensor& t, const char* file, int line) {
  guarded("logging a tensor", [&] { rt::Runtime::get().log_tensor(name, t, file, line); });
}
void log_histogram(std::string_view name, const at::Tensor& t, int64_t bins, const char* file, int line) {
  guarded("logging a histogram", [&] { rt::Runtime::get().log_histogram(name, t, bins, file, line); });
}
void log_image(std::string_view name, const at::Tensor& t, const char* file, int line) {
  guarded("logging an image", [&] { rt::Runtime::get().log_image(name, t, file, line); });
}

}  // namespace detail
}  // namespace flor
