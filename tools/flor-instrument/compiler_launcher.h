// Compiler-launcher mode: CMake runs `flor-instrument <compiler> ARGS...`
// (CMAKE_CXX_COMPILER_LAUNCHER, or flor_instrument(TARGET)). The source in
// ARGS is instrumented into `<object>.flor.cc` with #line directives, the
// original directory stays on the quote-include path, and the compiler gets
// that file instead. When anything fails or the file has no main loop, the
// command runs unchanged: a build never breaks because of flor.
#pragma once

#include <string>
#include <vector>

namespace flor::instr {

// True when `args` (argv without argv[0]) is a compiler command line rather
// than flor-instrument's own options.
bool is_compiler_command(const std::vector<std::string>& args);

struct CompilePlan {
  std::vector<std::string> command;       // what to exec
  std::vector<std::string> diagnostics;   // rule warnings, for stderr
  std::string note;                       // why the original runs (failures only)
};

// Never fails: the worst case is the original command with a note.
CompilePlan plan_compile(const std::vector<std::string>& args);

}  // namespace flor::instr
