// flor::locals: a skip block's own live-out locals (per-epoch accumulators, the
// last batch kept for a sample grid), given to the block that changes them:
//
//   double running_loss = 0;
//   torch::Tensor last_images;
//   for (auto& b : flor::loop("batch", *loader, flor::locals(running_loss, last_images))) { ... }
//
// Record: captured with the block's checkpoint at its clean end. Replay: when
// the block is skipped, restored from that checkpoint with the rest of its
// state. Accepts what flor::checkpoints accepts (flor/state.h).
//
// Lifetime: a Locals holds references only (an address and a function pointer
// per local, no allocation); the locals must outlive the loop or block it is
// given to. The runtime uses them only while that block is entered and left.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include "flor/detail/core.h"
#include "flor/state.h"

namespace flor {

template <typename... Ts>
class Locals {
  static_assert((!std::is_const_v<Ts> && ...), "flor::locals: a local must be mutable (restore writes into it)");
  static_assert(((std::is_const_v<Ts> || detail::is_state_v<Ts>)&&...),
                "flor::locals: unsupported type. A block's locals accept what flor::checkpoints accepts: "
                "torch::Tensor, arithmetic scalars, torch::nn::Module (or a ModuleHolder), "
                "torch::optim::Optimizer, std::vector / std::array / std::pair / std::tuple of those, and "
                "types with a flor_state hook: "
                "`void flor_state(YourType& x, flor::StateVisitor& v) { v(\"member\", x.member); ... }` "
                "next to the type (found by ADL), or a member `void flor_state(flor::StateVisitor& v)`.");

 public:
  explicit Locals(Ts&... objects) : refs_{{detail::LocalRef{address(objects), fn<Ts>()}...}} {}

  detail::LocalsView view() const { return {refs_.data(), refs_.size()}; }

  // These locals and one more, last (a block's result).
  template <typename T>
  Locals<Ts..., T> plus(T& extra) const {
    std::array<detail::LocalRef, sizeof...(Ts) + 1> refs{};
    std::copy(refs_.begin(), refs_.end(), refs.begin());
    refs.back() = detail::LocalRef{address(extra), Locals<Ts..., T>::template fn<T>()};
    return Locals<Ts..., T>(refs);
  }

 private:
  template <typename...>
  friend class Locals;
  explicit Locals(const std::array<detail::LocalRef, sizeof...(Ts)>& refs) : refs_(refs) {}

  template <typename T>
  static void* address(T& object) {
    return const_cast<void*>(static_cast<const void*>(&object));
  }
  // Only for supported types: the static_asserts above are the one message.
  template <typename T>
  static constexpr detail::StateFn fn() {
    if constexpr (!std::is_const_v<T> && detail::is_state_v<T>) return &detail::visit_erased<T>;
    else return nullptr;
  }

  std::array<detail::LocalRef, sizeof...(Ts)> refs_;
};

// No locals: what loops and blocks hold when none are given.
using NoLocals = Locals<>;

// The block's locals, by reference: `flor::locals(running_loss, correct, last_images)`.
template <typename... Ts>
Locals<Ts...> locals(Ts&... objects) {
  return Locals<Ts...>(objects...);
}

}  // namespace flor
