// Always-on invariants: for "cannot happen", in every build type.
// Expected failures (disk full, corrupt file) are Status values, not checks.
#pragma once

namespace flor {
[[noreturn]] void check_failed(const char* file, int line, const char* expr, const char* msg);
}

#define FLOR_CHECK(cond) \
  ((cond) ? (void)0 : ::flor::check_failed(__FILE__, __LINE__, #cond, nullptr))
#define FLOR_CHECK_MSG(cond, msg) \
  ((cond) ? (void)0 : ::flor::check_failed(__FILE__, __LINE__, #cond, (msg)))
