// What flor::checkpoints accepts, and the hook for user types.
//
//   struct Ema { torch::Tensor avg; double decay; int64_t updates; };
//   void flor_state(Ema& e, flor::StateVisitor& v) {   // found by ADL
//     v("avg", e.avg); v("decay", e.decay); v("updates", e.updates);
//   }
//
// (or a member `void flor_state(flor::StateVisitor& v)`). One hook serves
// capture and restore: it names references to the members.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/optim/optimizer.h>

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "flor/detail/core.h"

namespace flor {

// Receives references to state. Implemented by the runtime (capture, restore).
class StateVisitor {
 public:
  virtual ~StateVisitor() = default;
  // Lists `value` under key prefix + "/" + name.
  template <typename T>
  void operator()(const std::string& name, T& value);

  virtual void tensor(const std::string& key, at::Tensor& t) = 0;
  virtual void module(const std::string& key, torch::nn::Module& m) = 0;
  virtual void optimizer(const std::string& key, torch::optim::Optimizer& o) = 0;
  // An arithmetic value of `dtype`'s size at `p`.
  virtual void scalar(const std::string& key, void* p, c10::ScalarType dtype) = 0;
  // The length a std::vector listed under `key` is to have before its
  // elements are listed: capture notes `current` and returns it; restore
  // returns the length stored (`current` when the checkpoint has none).
  virtual size_t sequence_size(const std::string& /*key*/, size_t current) { return current; }

  const std::string& prefix() const { return prefix_; }

 private:
  template <typename T>
  friend void visit_state(StateVisitor& v, const std::string& key, T& x);
  std::string prefix_;
};

namespace detail {

template <typename T, typename = void>
struct has_member_hook : std::false_type {};
template <typename T>
struct has_member_hook<T, std::void_t<decltype(std::declval<T&>().flor_state(std::declval<StateVisitor&>()))>>
    : std::true_type {};
template <typename T, typename = void>
struct has_adl_hook : std::false_type {};
template <typename T>
struct has_adl_hook<T, std::void_t<decltype(flor_state(std::declval<T&>(), std::declval<StateVisitor&>()))>>
    : std::true_type {};

template <typename T, typename = void>
struct is_holder : std::false_type {};
template <typename T>
struct is_holder<T, std::void_t<typename T::ContainedType>>
    : std::is_base_of<torch::nn::ModuleHolder<typename T::ContainedType>, T> {};

template <typename T>
struct is_std_sequence : std::false_type {};
template <typename T, typename A>
struct is_std_sequence<std::vector<T, A>> : std::bool_constant<!std::is_same_v<T, bool>> {};
template <typename T, size_t N>
struct is_std_sequence<std::array<T, N>> : std::true_type {};

template <typename T>
struct is_std_tuple : std::false_type {};
template <typename A, typename B>
struct is_std_tuple<std::pair<A, B>> : std::true_type {};
template <typename... Ts>
struct is_std_tuple<std::tuple<Ts...>> : std::true_type {};

// A std::vector whose elements can be default-constructed (tensors, scalars,
// vectors, hooked types; not modules or optimizers): restore gives it the
// stored length.
template <typename T>
struct is_growable : std::false_type {};
template <typename T, typename A>
struct is_growable<std::vector<T, A>>
    : std::bool_constant<std::is_default_constructible_v<T> && !std::is_base_of_v<torch::nn::Module, T> &&
                         !is_holder<T>::value && !std::is_base_of_v<torch::optim::Optimizer, T>> {};

// Whether visit_state accepts T (it static_asserts otherwise); the same
// branches, for callers that give their own message (flor::locals).
template <typename T>
struct is_state
    : std::bool_constant<!std::is_const_v<T> &&
                         (std::is_base_of_v<torch::nn::Module, T> || is_holder<T>::value ||
                          std::is_base_of_v<torch::optim::Optimizer, T> || std::is_same_v<T, at::Tensor> ||
                          (std::is_arithmetic_v<T> && !std::is_same_v<T, long double>) ||
                          has_member_hook<T>::value || has_adl_hook<T>::value)> {};
template <typename T, typename A>
struct is_state<std::vector<T, A>> : std::bool_constant<!std::is_same_v<T, bool> && is_state<T>::value> {};
template <typename T, size_t N>
struct is_state<std::array<T, N>> : is_state<T> {};
template <typename A, typename B>
struct is_state<std::pair<A, B>> : std::bool_constant<is_state<A>::value && is_state<B>::value> {};
template <typename... Ts>
struct is_state<std::tuple<Ts...>> : std::bool_constant<(is_state<Ts>::value && ...)> {};
template <typename T>
inline constexpr bool is_state_v = is_state<T>::value;

template <typename T>
constexpr c10::ScalarType scalar_type_of() {
  if constexpr (std::is_same_v<T, bool>) return c10::ScalarType::Bool;
  else if constexpr (std::is_floating_point_v<T>) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "flor::checkpoints: long double is not supported");
    return sizeof(T) == 4 ? c10::ScalarType::Float : c10::ScalarType::Double;
  } else {
    // Integers are stored by size (unsigned ones keep their bits).
    if constexpr (sizeof(T) == 1) return c10::ScalarType::Byte;
    else if constexpr (sizeof(T) == 2) return c10::ScalarType::Short;
    else if constexpr (sizeof(T) == 4) return c10::ScalarType::Int;
    else return c10::ScalarType::Long;
  }
}

template <typename T>
inline constexpr bool always_false_v = false;

}  // namespace detail

// Lists `x` under `key`. Every supported kind is one branch; anything else is
// a compile-time error that says what to do.
template <typename T>
void visit_state(StateVisitor& v, const std::string& key, T& x) {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_const_v<T>) {
    static_assert(detail::always_false_v<T>, "flor::checkpoints: state must be mutable (restore writes into it)");
  } else if constexpr (std::is_base_of_v<torch::nn::Module, U>) {
    v.module(key, x);
  } else if constexpr (detail::is_holder<U>::value) {
    v.module(key, *x.ptr());
  } else if constexpr (std::is_base_of_v<torch::optim::Optimizer, U>) {
    v.optimizer(key, x);
  } else if constexpr (std::is_same_v<U, at::Tensor>) {
    v.tensor(key, x);
  } else if constexpr (std::is_arithmetic_v<U>) {
    v.scalar(key, &x, detail::scalar_type_of<U>());
  } else if constexpr (detail::is_std_sequence<U>::value) {
    if constexpr (detail::is_growable<U>::value) {
      const size_t n = v.sequence_size(key, x.size());
      if (n != x.size()) x.resize(n);
    }
    for (size_t i = 0; i < x.size(); ++i) visit_state(v, key + "/" + std::to_string(i), x[i]);
  } else if constexpr (detail::is_std_tuple<U>::value) {
    std::apply(
        [&](auto&... element) {
          size_t i = 0;
          (visit_state(v, key + "/" + std::to_string(i++), element), ...);
        },
        x);
  } else if constexpr (detail::has_member_hook<U>::value || detail::has_adl_hook<U>::value) {
    std::string saved = std::move(v.prefix_);
    v.prefix_ = key;
    if constexpr (detail::has_member_hook<U>::value) {
      x.flor_state(v);
    } else {
      flor_state(x, v);
    }
    v.prefix_ = std::move(saved);
  } else {
    static_assert(
        detail::always_false_v<T>,
        "flor::checkpoints: unsupported type. Supported: torch::nn::Module (or a ModuleHolder such as "
        "torch::nn::Linear), torch::optim::Optimizer, torch::Tensor, arithmetic scalars, and "
        "std::vector / std::array / std::pair / std::tuple of those. For your own type, define "
        "`void flor_state(YourType& x, flor::StateVisitor& v) { v(\"member\", x.member); ... }` "
        "next to it (found by ADL), or a member `void flor_state(flor::StateVisitor& v)`.");
  }
}

namespace detail {
// visit_state behind a plain function pointer (detail::StateFn).
template <typename T>
void visit_erased(StateVisitor& v, const std::string& key, void* object) {
  visit_state(v, key, *static_cast<T*>(object));
}
}  // namespace detail

template <typename T>
void StateVisitor::operator()(const std::string& name, T& value) {
  visit_state(*this, prefix_.empty() ? name : prefix_ + "/" + name, value);
}

}  // namespace flor
