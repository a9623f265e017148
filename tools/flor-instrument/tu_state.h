// What the rules learn about one translation unit, shared between them in
// registry order: the main loop, its skip blocks and their side-effect sets.
// Owned by the per-TU consumer; AST pointers live as long as the ASTContext.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "torch_types.h"

namespace flor::instr {

// One variable in (or considered for) a block's side-effect set.
struct SetEntry {
  // A variable, or a data member of the main loop's `this` (a FieldDecl);
  // null: an object flor cannot name.
  const clang::ValueDecl* var = nullptr;
  std::string name;                     // as spelled in flor::checkpoints(...)
  Category category = Category::kOther;
  std::string why;                      // for --explain and refusal messages
};

// The entries' names, as the calls flor-instrument writes spell them.
inline std::vector<std::string> names_of(const std::vector<SetEntry>& entries) {
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const SetEntry& entry : entries) names.push_back(entry.name);
  return names;
}

// A diagnostic that stops an edit: the code keeps running as written.
struct Refusal {
  std::string rule;
  clang::SourceLocation loc;
  std::string message;
};

enum class BlockKind {
  kRangeLoop,  // for (x : range)   ->  for (x : flor::loop("x", range))
  kOtherLoop,  // for/while loop    ->  flor::block("name", [&] { loop });
  kCall,       // f(...);           ->  flor::block("f", [&] { f(...); });  (any expression statement)
  kResult,     // T x = f(...);     ->  T x = flor::block("f", [&] { return f(...); });
               // (a training call whose result is used: `stmt` is the call)
  kStepLoop,   // the main loop itself, when it has no nested training loop: its
               // body's side-effect set is checkpointed at period ends
};

struct SkipBlock {
  BlockKind kind = BlockKind::kCall;
  const clang::Stmt* stmt = nullptr;  // the loop, the statement, or (kResult) the call
  std::string name;
  std::vector<SetEntry> state;    // the side-effect set flor checkpoints (registered before the main loop)
  // Live-out locals: declared in the main loop's body before the block,
  // changed by it and read after it (a per-epoch running loss, the last
  // batch kept for a sample grid). Passed to the block as flor::locals(...):
  // captured with its checkpoint, restored when it is skipped.
  std::vector<SetEntry> locals;
  std::vector<SetEntry> ignored;  // mutated but not state (loaders, standard output)
  std::vector<std::string> notes; // effects the record already kept (printing, torch::save), for --explain
  std::vector<Refusal> refusals;  // non-empty: the block is left alone
  bool refused() const { return !refusals.empty(); }
};

struct MainLoop {
  const clang::Stmt* loop = nullptr;
  // No nested training loop: the iterations are steps (`flor::loop("step", ...)`),
  // and the whole loop is one kStepLoop block for the side-effect analysis.
  bool step_loop = false;
  const clang::FunctionDecl* function = nullptr;
  std::vector<Refusal> refusals;  // non-empty: nothing in the file is edited
};

struct TuState {
  clang::ASTContext* context = nullptr;
  const clang::FunctionDecl* main_function = nullptr;
  bool manual_api = false;  // the file already calls flor's API: hands off
  std::optional<MainLoop> main_loop;
  std::vector<SkipBlock> blocks;
  std::vector<SetEntry> checkpoints;  // union of the accepted blocks' sets
  // What the epoch body changes outside the blocks and the checkpoints
  // (flor::carried_state): a replay segment rebuilds it with strong init.
  std::vector<SetEntry> carried;
  bool edited = false;

  bool instrumentable() const {
    return !manual_api && main_loop && main_loop->refusals.empty();
  }
};

}  // namespace flor::instr
