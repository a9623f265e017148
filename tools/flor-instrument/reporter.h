// Collects diagnostics in the one format every rule uses:
//   file:line:col: warning: message [flor-<rule>]
// Library code never prints: main() decides where lines go.
#pragma once

#include <string>
#include <vector>

#include "clang/Basic/SourceManager.h"

namespace flor::instr {

class Reporter {
 public:
  explicit Reporter(const clang::SourceManager& sm) : sm_(sm) {}

  void warn(const std::string& rule, clang::SourceLocation loc, const std::string& message);

  const std::vector<std::string>& lines() const { return lines_; }

 private:
  const clang::SourceManager& sm_;
  std::vector<std::string> lines_;
};

}  // namespace flor::instr
