#include "util/status.h"

#include <cstdio>
#include <cstdlib>

namespace flor {

const char* code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kCorrupt: return "corrupt";
    case Code::kIo: return "I/O error";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kDivergence: return "divergence";
    case Code::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return message_;
}

Status Status::with_context(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

void check_failed(const char* file, int line, const char* expr, const char* msg) {
  std::fprintf(stderr, "flor: internal check failed at %s:%d: %s%s%s\n", file, line, expr,
               msg ? ": " : "", msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace flor
