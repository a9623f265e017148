// A stand-in for flor's runtime header with the signatures flor-instrument
// emits calls to (docs/api.md), so golden outputs can be compiled in
// milliseconds. The e2e test compiles the same forms against the real header.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <utility>

namespace flor {
struct IntRange {
  struct It {
    int64_t v;
    int64_t operator*() const { return v; }
    It& operator++() { ++v; return *this; }
    bool operator!=(const It& o) const { return v != o.v; }
  };
  It begin() const { return {0}; }
  It end() const { return {0}; }
};
template <typename R>
struct Wrapped {
  R& r;
  auto begin() { return r.begin(); }
  auto end() { return r.end(); }
};
class StateVisitor {
 public:
  template <typename T>
  void operator()(const char*, T&) {}
};
template <typename... T>
struct Locals {};
template <typename... T>
Locals<T...> locals(T&...) { return {}; }
inline IntRange loop(const char*, int64_t, int64_t) { return {}; }
inline IntRange loop(const char*) { return {}; }
template <typename R>
Wrapped<R> loop(const char*, R& r) { return {r}; }
template <typename R>
Wrapped<R> loop(const char*, R&& r) { return {r}; }
template <typename R, typename... T>
Wrapped<R> loop(const char*, R& r, Locals<T...>) { return {r}; }
template <typename F>
auto block(const char*, F&& f) {
  return f();
}
template <typename F, typename... T>
auto block(const char*, F&& f, Locals<T...>) {
  return f();
}
template <typename... T>
void checkpoints(T&...) {}
inline void carried_state(std::initializer_list<const char*>) {}
template <typename T>
T log(const char*, T v) { return v; }
}  // namespace flor
