// flor: hindsight logging for C++ LibTorch training. The one header a training
// program includes. Reference: docs/api.md.
//
//   int main(int argc, char** argv) {
//     flor::init(argc, argv);                       // optional; strips --flor / --replay_flor
//     double lr = flor::arg("lr", 0.01);            // --lr=0.1 overrides; recorded
//     flor::checkpoints(model, optimizer);          // state of the skip blocks
//     for (int64_t epoch : flor::loop("epoch", 0, epochs)) {       // main loop
//       double loss_sum = 0;                                        // a block's own local
//       for (auto& batch : flor::loop("batch", *loader, flor::locals(loss_sum))) { ... }  // skip block
//       flor::log("acc", evaluate(model));
//     }
//   }
//
// Without flor (no --flor/--replay_flor flag, no FLOR_MODE in the environment)
// the program runs as the plain program: nothing is written, and each call
// costs a branch.
//
// Thread-safety: call the API from the training thread.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "flor/detail/core.h"
#include "flor/locals.h"
#include "flor/loop.h"
#include "flor/state.h"

namespace flor {

// The runtime's version, "0.1.0".
const char* version();

// Reads the driver's environment and strips flor's own flags from argv:
// `--flor NAME [EPS]` records into experiment NAME; `--replay_flor [weak|strong]
// [P/N]` replays its latest record. Optional: without it the runtime starts
// on first use and reads the command line from /proc/self/cmdline. A bad flag
// or environment value prints an error and exits with status 2.
void init(int& argc, char** argv);

// record, replay, or off.
inline RunMode mode() { return detail::mode(); }

// Ends the run now: waits for the pending checkpoint write, flushes logs,
// marks the run complete (replay: reports divergences). Called automatically
// at a clean process exit; later API calls run as without flor.
void finish();

// ---- hyper-parameters

// `name`'s value: --name=V or --name V on the command line, else the
// environment variable FLOR_ARG_<name>, else `default_value`. Recorded with
// the run; on replay the recorded value is returned, and a command line that
// asks for a different one is an error (replay does not rewrite history).
template <typename T>
std::decay_t<T> arg(std::string_view name, T default_value);

inline std::string arg(std::string_view name, const char* default_value) {
  return arg(name, std::string(default_value));
}

// ---- state

// Registers the state that skip blocks change: checkpointed at the end of a
// block on record, restored when a block is skipped on replay. Accepts
// modules (Module& or ModuleHolder), optimizers, tensors, arithmetic scalars,
// std::vector/std::array/std::pair/std::tuple of those, and types with a flor_state hook (see
// flor/state.h). Objects are held by reference: they must outlive the main
// loop. Registering the same object again does nothing.
template <typename... Ts>
void checkpoints(Ts&... objects);

// Names what the main loop's body changes outside its skip blocks that no
// checkpoint holds (a learning-rate scheduler, the best accuracy so far, an
// early-stopping counter): a replay segment that starts after epoch 0 cannot
// restore it, so replays of this record run every earlier epoch's body again
// to rebuild it (strong init, docs/replay.md) unless they ask for weak init.
// Call it before the main loop; flor-instrument writes it.
//   flor::carried_state({"scheduler", "best_accuracy"});
inline void carried_state(std::initializer_list<const char*> names) {
  if (detail::mode() != RunMode::kOff) detail::carried_state(names);
}

// ---- loops and blocks

// The outermost flor::loop is the main loop (its iterations are epochs);
// loops and blocks entered directly in its body are skip blocks; deeper ones
// just count steps. Returns an object for a range-for.
//
// A skip block may be given its own live-out locals, `flor::locals(...)`
// (flor/locals.h): captured with its checkpoint at its end, restored when it
// is skipped. Locals given to the main loop or to a deeper loop are ignored.
// (An integer is a count, not a range: the overloads below.)
template <typename R, typename = std::enable_if_t<!std::is_integral_v<std::remove_reference_t<R>>>>
Loop<R> loop(const char* name, R&& range) {
  return Loop<R>(name, std::forward<R>(range));
}
template <typename R, typename... Ts, typename = std::enable_if_t<!std::is_integral_v<std::remove_reference_t<R>>>>
Loop<R, Locals<Ts...>> loop(const char* name, R&& range, Locals<Ts...> locals) {
  return Loop<R, Locals<Ts...>>(name, std::forward<R>(range), locals);
}
// Integers [first, last).
template <typename A, typename B, typename = std::enable_if_t<std::is_integral_v<A> && std::is_integral_v<B>>>
Loop<IotaRange<std::common_type_t<A, B>>> loop(const char* name, A first, B last) {
  using T = std::common_type_t<A, B>;
  return Loop<IotaRange<T>>(name, IotaRange<T>(static_cast<T>(first), static_cast<T>(last)));
}
template <typename A, typename B, typename... Ts,
          typename = std::enable_if_t<std::is_integral_v<A> && std::is_integral_v<B>>>
Loop<IotaRange<std::common_type_t<A, B>>, Locals<Ts...>> loop(const char* name, A first, B last,
                                                              Locals<Ts...> locals) {
  using T = std::common_type_t<A, B>;
  return Loop<IotaRange<T>, Locals<Ts...>>(name, IotaRange<T>(static_cast<T>(first), static_cast<T>(last)), locals);
}
// Integers [0, count).
template <typename N, typename = std::enable_if_t<std::is_integral_v<N>>>
Loop<IotaRange<N>> loop(const char* name, N count) {
  return Loop<IotaRange<N>>(name, IotaRange<N>(N{0}, count));
}
template <typename N, typename... Ts, typename = std::enable_if_t<std::is_integral_v<N>>>
Loop<IotaRange<N>, Locals<Ts...>> loop(const char* name, N count, Locals<Ts...> locals) {
  return Loop<IotaRange<N>, Locals<Ts...>>(name, IotaRange<N>(N{0}, count), locals);
}
// 0, 1, 2, ... until the body breaks: a `while (!converged)` main loop is
//   for (int64_t epoch : flor::loop("epoch")) { if (converged) break; ... }
inline Loop<IotaRange<int64_t>> loop(const char* name) {
  return Loop<IotaRange<int64_t>>(name, IotaRange<int64_t>(0, std::nullopt));
}

// A skip block that is not a loop, as a scope: the body runs only when the
// guard is true (on replay a skipped block's state is restored instead).
//   if (auto blk = flor::skip_block("train")) { train(model, loader); }
//   if (auto blk = flor::skip_block("train", flor::locals(loss_sum))) { ... }
// The guard's end (the end of the `if`) is the block's end.
template <typename L = NoLocals>
class [[nodiscard]] BasicSkipBlock {
 public:
  explicit BasicSkipBlock(const char* name, L locals = L()) : locals_(locals) {
    if (detail::mode() != RunMode::kOff) ctl_ = detail::loop_enter(name, locals_.view());
  }
  BasicSkipBlock(const BasicSkipBlock&) = delete;
  BasicSkipBlock& operator=(const BasicSkipBlock&) = delete;
  ~BasicSkipBlock() {
    if (ctl_.role != detail::Role::kOff) {
      detail::loop_exit(ctl_, std::uncaught_exceptions() == ctl_.uncaught, locals_.view());
    }
  }
  explicit operator bool() const { return !ctl_.skip; }

 private:
  L locals_;
  detail::LoopCtl ctl_;
};
using SkipBlock = BasicSkipBlock<>;
inline SkipBlock skip_block(const char* name) { return SkipBlock(name); }
template <typename... Ts>
BasicSkipBlock<Locals<Ts...>> skip_block(const char* name, Locals<Ts...> locals) {
  return BasicSkipBlock<Locals<Ts...>>(name, locals);
}

// The same as a call: flor::block("train", [&] { train(model, loader); });
// or with the block's locals: flor::block("train", [&] { ... }, flor::locals(loss_sum));
// A call whose result the epoch body uses returns it through the block:
//   double loss = flor::block("train", [&] { return train(model, loader); });
// The result is the block's last local: captured with its checkpoint and
// restored when the block is skipped, so its type is one flor::locals
// accepts, default-constructible.
template <typename F>
auto block(const char* name, F&& body) {
  return block(name, std::forward<F>(body), NoLocals());
}
template <typename F, typename... Ts>
auto block(const char* name, F&& body, Locals<Ts...> locals) {
  using R = std::decay_t<std::invoke_result_t<F&>>;
  if constexpr (std::is_void_v<R>) {
    if (BasicSkipBlock<Locals<Ts...>> guard{name, locals}) body();
  } else {
    R result{};
    auto with_result = locals.plus(result);
    if (BasicSkipBlock<decltype(with_result)> guard{name, with_result}) result = body();
    return result;
  }
}

// ---- logs

// Logs `value` under `name` with its context (epoch, step, source line) and
// returns it. Numbers and strings are stored as exact text. A tensor of one
// element as its number; of at most FLOR_TENSOR_MAX_ELEMENTS (default 2^20)
// whole: dtype, shape and bytes (a confusion matrix, per-class accuracy), so
// replay compares it byte for byte; a larger one as a summary (dtype, shape,
// mean, min, max, a hash of the bytes) plus a 30-bin histogram.
template <typename T>
std::decay_t<T> log(std::string_view name, T&& value, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE());

// Logs a histogram of `values`: `bins` equal buckets from the smallest to the
// largest finite element (edges, counts, min, max, count, sum, sum of
// squares, as TensorBoard keeps them). An empty tensor or bins < 1 is an error.
inline void histogram(std::string_view name, const at::Tensor& values, int64_t bins = 30,
                      const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  if (detail::mode() != RunMode::kOff) detail::log_histogram(name, values, bins, file, line);
}

// Logs an image, stored as PNG: [H,W], [C,H,W] or [H,W,C] with 1, 3 or 4
// channels (gray, RGB, RGBA), uint8 or floating point in [0,1]; a batch
// [N,C,H,W] becomes one grid of ceil(sqrt(N)) columns. Another shape, dtype
// or range is an error naming what is accepted.
inline void image(std::string_view name, const at::Tensor& pixels, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  if (detail::mode() != RunMode::kOff) detail::log_image(name, pixels, file, line);
}

// Logs `value` under `name` as text: stored as it is (type "string", as
// flor::log of a string), compared exactly on replay, shown as it is by
// `flor show`, and written by `flor export --tensorboard` as a text summary
// (TensorBoard's text plugin).
inline void text(std::string_view name, std::string_view value, const char* file = __builtin_FILE(),
                 int line = __builtin_LINE()) {
  if (detail::mode() != RunMode::kOff) detail::log_text(name, std::string(value), "string", file, line);
}

// ---------------------------------------------------------------- details

namespace detail {

template <typename U>
std::string value_text(const U& v) {
  if constexpr (std::is_same_v<U, bool>) return to_text(v);
  else if constexpr (std::is_floating_point_v<U>) {
    if constexpr (sizeof(U) == 4) return to_text(static_cast<float>(v));
    else return to_text(static_cast<double>(v));
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) return to_text(static_cast<long long>(v));
  else if constexpr (std::is_integral_v<U>) return to_text(static_cast<unsigned long long>(v));
  else if constexpr (std::is_convertible_v<const U&, std::string_view>) return std::string(std::string_view(v));
  else if constexpr (std::is_same_v<U, at::Tensor>) return tensor_text(v);
  else static_assert(always_false_v<U>, "flor::log: log a number, a bool, a string or a torch::Tensor");
}

template <typename U>
const char* type_name() {
  if constexpr (std::is_same_v<U, bool>) return "bool";
  else if constexpr (std::is_same_v<U, float>) return "float";
  else if constexpr (std::is_floating_point_v<U>) return "double";
  else if constexpr (std::is_integral_v<U>) return "int";
  else if constexpr (std::is_same_v<U, at::Tensor>) return "tensor";
  else return "string";
}

template <typename U>
U parse_arg(std::string_view name, const std::string& s) {
  if constexpr (std::is_same_v<U, std::string>) {
    return s;
  } else if constexpr (std::is_same_v<U, bool>) {
    bool v = false;
    if (!parse_text(s, &v)) arg_bad(name, s, "bool");
    return v;
  } else if constexpr (std::is_floating_point_v<U>) {
    double v = 0;
    if (!parse_text(s, &v)) arg_bad(name, s, "number");
    return static_cast<U>(v);
  } else if constexpr (std::is_integral_v<U>) {
    using Wide = std::conditional_t<std::is_signed_v<U>, long long, unsigned long long>;
    Wide v = 0;
    if (!parse_text(s, &v) || static_cast<Wide>(static_cast<U>(v)) != v) arg_bad(name, s, "integer");
    return static_cast<U>(v);
  } else {
    static_assert(always_false_v<U>, "flor::arg: use a number, a bool or a string");
  }
}

template <typename T>
void register_one(T& object) {
  register_state(static_cast<void*>(&object), typeid(T).name(), &visit_erased<T>);
}

}  // namespace detail

template <typename T>
std::decay_t<T> arg(std::string_view name, T default_value) {
  using U = std::decay_t<T>;
  std::optional<std::string> given = detail::arg_given(name);
  U value = given ? detail::parse_arg<U>(name, *given) : std::move(default_value);
  if (detail::mode() == RunMode::kOff) return value;
  std::optional<std::string> given_text;
  if (given) given_text = detail::value_text(value);
  if (auto recorded = detail::arg_recorded(name)) {
    detail::arg_use(name, *recorded, given_text);  // fails when given_text differs
    return detail::parse_arg<U>(name, *recorded);
  }
  detail::arg_use(name, detail::value_text(value), given_text);
  return value;
}

template <typename... Ts>
void checkpoints(Ts&... objects) {
  // register_one is instantiated (so unsupported types fail to compile) with
  // or without flor; it only runs with flor.
  if (detail::mode() == RunMode::kOff) return;
  (detail::register_one(objects), ...);
}

template <typename T>
std::decay_t<T> log(std::string_view name, T&& value, const char* file, int line) {
  using U = std::decay_t<T>;
  if (detail::mode() == RunMode::kOff) {
  } else if constexpr (std::is_same_v<U, at::Tensor>) {
    detail::log_tensor(name, value, file, line);
  } else {
    detail::log_text(name, detail::value_text<U>(value), detail::type_name<U>(), file, line);
  }
  return std::forward<T>(value);
}

}  // namespace flor
