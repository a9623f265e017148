// The public API's non-template core (flor/detail/core.h): forwards to the
// runtime's state object.
#include "flor/flor.h"
#include "runtime.h"

namespace flor {

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

LoopCtl loop_enter(const char* name) { return rt::Runtime::get().loop_enter(name); }
void iter_begin(Role role, int64_t index) { rt::Runtime::get().iter_begin(role, index); }
void iter_end(Role role, int64_t index) { rt::Runtime::get().iter_end(role, index); }
void loop_exit(const LoopCtl& ctl, bool clean) { rt::Runtime::get().loop_exit(ctl, clean); }

void log_text(std::string_view name, std::string value, const char* type, const char* file, int line) {
  rt::Runtime::get().log(name, std::move(value), type, file, line);
}

}  // namespace detail
}  // namespace flor
