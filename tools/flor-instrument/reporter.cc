#include "reporter.h"

#include "source_text.h"

namespace flor::instr {

void Reporter::warn(const std::string& rule, clang::SourceLocation loc, const std::string& message) {
  lines_.push_back(describe(sm_, loc) + ": warning: " + message + " [flor-" + rule + "]");
}

}  // namespace flor::instr
