// A unified diff of two texts (as `diff -u` prints it), for --diff and --check.
#pragma once

#include <string>

namespace flor::instr {

// Empty when the texts are equal. Labels go on the ---/+++ lines.
std::string unified_diff(const std::string& before, const std::string& after, const std::string& before_label,
                         const std::string& after_label, int context = 3);

}  // namespace flor::instr
