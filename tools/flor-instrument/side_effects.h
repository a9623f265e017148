// The side-effect set of a skip block, over-approximated: variables from
// outside the block that it assigns, calls non-const members on, or passes to
// non-const reference/pointer parameters (or by a handle that shares the
// object: module holders, shared_ptr, tensors), followed into visible callee
// definitions. Members count as their root object, data members of `this`
// (in a method: a Trainer's `model_`) as themselves; a stream written by a
// chain (`std::cout << a << b`) is the chain's first operand. Not mutations:
// small values (devices, dtypes, numbers) forwarded into a construction
// (`.to(device)` binds `device` to TensorOptions' `Args&&...`), and the path
// given to torch::save (the file exists from the record).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "tu_state.h"

namespace flor::instr {

// An object without a root variable, and the place in the walked statement
// that mutates it (for a callee's, the call).
struct Unnamed {
  clang::SourceLocation at;
  std::string what;
  bool this_object = false;  // `this`, through a method flor cannot see
};

// What a statement (or a function body) may mutate outside itself.
struct Mutations {
  // root variable, or data member of the walked function's `this` -> why
  std::map<const clang::ValueDecl*, std::string> vars;
  // A function that changes its `*this` other than member by member (a
  // non-const method out of sight): why.
  std::optional<std::string> this_whole;
  std::map<unsigned, std::string> params;             // for functions: parameter index -> why
  std::vector<Unnamed> unnamed;
  std::set<std::string> recorded;  // effects whose output the record kept (torch::save)
};

class SideEffectAnalyzer {
 public:
  explicit SideEffectAnalyzer(clang::ASTContext& ctx) : ctx_(ctx) {}

  // Fills block.state, block.locals, block.ignored and block.refusals.
  // Variables declared outside `main_loop` go to state (registered before
  // it); those declared in its body and read after the block, to locals.
  void analyze(SkipBlock& block, const MainLoop& main_loop);

  // What the main loop changes outside the accepted `blocks`, among variables
  // declared before it that no checkpoint holds (not in `registered`; data
  // loaders and streams are not state): what its body carries from epoch to
  // epoch (a learning-rate scheduler, the best accuracy so far), in no
  // particular order. Empty for a step loop, whose whole statement is its block.
  std::vector<SetEntry> carried_state(const MainLoop& main_loop, const std::vector<SkipBlock>& blocks,
                                      const std::vector<SetEntry>& registered);

  // What `stmt` mutates among variables declared outside `scope`, not
  // looking inside the statements in `skip`.
  Mutations mutations_of(const clang::Stmt* stmt, clang::SourceRange scope, int depth = 0,
                         const std::set<const clang::Stmt*>& skip = {});

 private:
  Mutations walk(const clang::Stmt* stmt, clang::SourceRange scope, const clang::FunctionDecl* function,
                 int depth, const std::set<const clang::Stmt*>& skip = {});
  const Mutations& function_mutations(const clang::FunctionDecl* function, int depth);
  void add_optimizer_modules(SkipBlock& block);

  clang::ASTContext& ctx_;
  std::map<const clang::FunctionDecl*, Mutations> functions_;
};

// The name to pass to flor::checkpoints for this variable or data member (`*p` for pointers).
std::string checkpoint_spelling(const clang::ValueDecl* decl);

}  // namespace flor::instr
