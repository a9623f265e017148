// flor::loop: a range adaptor that forwards iteration to the wrapped range.
// Without flor it costs a branch on a cached role per iteration; with flor it
// reports epoch and block boundaries to the runtime, which may skip a nested
// loop (replay, state restored) or start the main loop at a later epoch.
#pragma once

#include <exception>
#include <iterator>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "flor/detail/core.h"
#include "flor/locals.h"

namespace flor {

// Integers first, first+1, ..., last-1; or unbounded (last == nullopt).
template <typename T>
class IotaRange {
 public:
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = T;
    using pointer = void;
    using iterator_category = std::input_iterator_tag;
    explicit iterator(T v) : v_(v) {}
    T operator*() const { return v_; }
    iterator& operator++() {
      ++v_;
      return *this;
    }
    bool operator==(const iterator& o) const { return v_ == o.v_; }
    bool operator!=(const iterator& o) const { return v_ != o.v_; }

   private:
    T v_;
  };
  IotaRange(T first, std::optional<T> last) : first_(first), last_(last) {}
  iterator begin() const { return iterator(first_); }
  iterator end() const { return iterator(last_ ? (*last_ < first_ ? first_ : *last_) : std::numeric_limits<T>::max()); }

 private:
  T first_;
  std::optional<T> last_;
};

// Owns the range when given an rvalue, refers to it when given an lvalue. Not
// copyable: the range-for keeps it alive for the whole loop, and its
// destructor is the end of the loop (also on break; not on an exception).
// `L` is the block's locals (flor::locals; references only), used when the
// loop is a skip block.
template <typename R, typename L = NoLocals>
class Loop {
  using Range = std::remove_reference_t<R>;
  using It = decltype(std::begin(std::declval<Range&>()));
  using End = decltype(std::end(std::declval<Range&>()));

 public:
  struct Sentinel {};
  class Iterator {
   public:
    explicit Iterator(Loop* loop) : loop_(loop) {}
    decltype(auto) operator*() const { return **loop_->it_; }
    Iterator& operator++() {
      loop_->advance();
      return *this;
    }
    bool operator!=(const Sentinel&) const { return loop_->more(); }

   private:
    Loop* loop_;
  };

  Loop(const char* name, R&& range, L locals = L()) : range_(std::forward<R>(range)), name_(name), locals_(locals) {}
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop() {
    if (ctl_.role == detail::Role::kOff) return;
    const bool clean = std::uncaught_exceptions() == ctl_.uncaught;
    if (begun_ && clean) detail::iter_end(ctl_.role, index_);
    detail::loop_exit(ctl_, clean, locals_.view());
  }

  Iterator begin() {
    if (detail::mode() != RunMode::kOff) ctl_ = detail::loop_enter(name_, locals_.view());
    if (!ctl_.skip) {
      it_.emplace(std::begin(range_));
      end_.emplace(std::end(range_));
      skip_to(ctl_.start);
    }
    return Iterator(this);
  }
  Sentinel end() { return {}; }

 private:
  bool more() {
    if (ctl_.role == detail::Role::kOff) return *it_ != *end_;
    if (ctl_.skip || (ctl_.stop >= 0 && index_ >= ctl_.stop) || !(*it_ != *end_)) return false;
    if (!begun_) {
      detail::iter_begin(ctl_.role, index_);
      begun_ = true;
    }
    return true;
  }
  void advance() {
    if (ctl_.role != detail::Role::kOff && begun_) {
      detail::iter_end(ctl_.role, index_);
      begun_ = false;
    }
    ++*it_;
    ++index_;
  }
  // Replay starts the main loop at a later epoch: pass over the first n
  // elements without running the body.
  void skip_to(int64_t n) {
    for (; index_ < n && *it_ != *end_; ++index_) ++*it_;
  }

  R range_;
  const char* name_;
  L locals_;
  detail::LoopCtl ctl_;
  std::optional<It> it_;
  std::optional<End> end_;
  int64_t index_ = 0;
  bool begun_ = false;
};

}  // namespace flor
