// One instrumentation rule = one small class, listed in the
// registry table (registry.cc). A rule may register AST matchers (check() gets
// their results), then, once the TU is matched, analyze() in table order
// (rules read what earlier rules found in TuState and add refusals), then
// emit() edits through the edit sink. Rules diagnose first and edit only
// what no rule refused.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "edit_sink.h"
#include "reporter.h"
#include "tu_state.h"

namespace flor::instr {

enum class Layout {
  kReadable,   // inserted statements on their own lines (-i, --diff, --check)
  kPrinted,    // readable, and a #line after each inserted line: printed to be compiled elsewhere, the
               // code's __FILE__ and __LINE__ (a log's loc) still name the user's file and lines
  kKeepLines,  // every original line keeps its number (launcher mode, #line)
};

class Rule : public clang::ast_matchers::MatchFinder::MatchCallback {
 public:
  explicit Rule(TuState& state) : state_(state) {}

  virtual void register_matchers(clang::ast_matchers::MatchFinder& finder) { (void)finder; }
  virtual void analyze(Reporter& reporter) { (void)reporter; }
  virtual void emit(EditSink& sink, Layout layout, Reporter& reporter) {
    (void)sink, (void)layout, (void)reporter;
  }

  void run(const clang::ast_matchers::MatchFinder::MatchResult& result) final { check(result); }

 protected:
  virtual void check(const clang::ast_matchers::MatchFinder::MatchResult& result) { (void)result; }
  // Reports a failed edit (the sink refused it) under this rule's tag.
  void report_edit(const Status& status, const char* rule, clang::SourceLocation loc, Reporter& reporter);

  TuState& state_;
};

struct RuleInfo {
  const char* name;
  const char* summary;
  std::unique_ptr<Rule> (*make)(TuState& state);
};

// The rules in the order they run.
const std::vector<RuleInfo>& rule_table();

}  // namespace flor::instr
