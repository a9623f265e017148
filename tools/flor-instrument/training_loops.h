// Where training happens. A *training loop* is a loop over a data loader, or
// a loop whose body calls backward() or an optimizer's step(), directly or in
// a visible callee; a call to user code defined out of sight (another TU)
// that takes an optimizer by non-const reference or pointer counts as one.
// The *main loop* is the outermost loop in main (or in a function main calls;
// in a file without main, in the function that nothing there calls) whose
// body contains a training loop; its *skip blocks* are the statements
// in its body that contain one. Failing that, the outermost loop that itself
// calls backward() or an optimizer's step() is the main loop, a *step loop*:
// its iterations are the steps, and it has no skip block.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "tu_state.h"

namespace flor::instr {

bool is_loop(const clang::Stmt* stmt);
const clang::Stmt* loop_body(const clang::Stmt* loop);

// The callee's definition when flor may look inside it: user code with a
// body (template instantiations included), not torch/std.
const clang::FunctionDecl* visible_definition(const clang::FunctionDecl* callee);

// Remembers what it learned per function; one per TU.
class TrainingScanner {
 public:
  // True when the statement is or contains a training loop.
  bool contains_training_loop(const clang::Stmt* stmt);
  // True when the function's body contains a training loop (remembered per function).
  bool trains(const clang::FunctionDecl* function);
  // True when the statement calls backward() or an optimizer's step(), itself
  // or in a visible callee.
  bool steps(const clang::Stmt* stmt);

 private:
  struct Summary {
    bool steps = false;          // calls backward() or optimizer.step()
    bool training_loop = false;  // contains a training loop
    void merge(const Summary& other) {
      steps |= other.steps;
      training_loop |= other.training_loop;
    }
  };
  Summary scan(const clang::Stmt* stmt, int depth);
  Summary scan_function(const clang::FunctionDecl* function, int depth);

  std::map<const clang::FunctionDecl*, Summary> functions_;
};

// The main loop of `main_function` (or of a function it calls that is
// defined in the main file); nullopt when there is none.
std::optional<MainLoop> find_main_loop(TrainingScanner& scanner, const clang::ASTContext& ctx,
                                       const clang::FunctionDecl* main_function);

// Every function defined in the main file, template instantiations included;
// not a lambda's call operator, whose body counts in the function around it.
std::vector<const clang::FunctionDecl*> main_file_functions(const clang::ASTContext& ctx);

// In a file without main(): the epoch loop of the one function here that no
// other function here calls (a trainer's fit(), which main() in another file
// runs), unless that loop itself iterates a data loader: then it is a batch
// loop with an inner loop (gradient accumulation) in a function an epoch loop
// elsewhere calls. No step loop: in such a file it cannot be told from the
// batch loop of a train_epoch(). Several functions: the first one's loop,
// with a refusal naming them.
std::optional<MainLoop> find_entry_loop(TrainingScanner& scanner, const clang::ASTContext& ctx);

// The skip-block candidates in the main loop's body, named and in source
// order; for a step loop, the loop itself (kStepLoop, named as the main
// loop: "step"). Side-effect sets are filled in later (side_effects.h).
std::vector<SkipBlock> find_blocks(TrainingScanner& scanner, const clang::ASTContext& ctx,
                                   const MainLoop& main_loop);

// True when the statement can leave its enclosing function (return, goto),
// which a block wrapped in a lambda would change.
bool contains_return(const clang::Stmt* stmt);

// The name of the main loop in flor::loop: "epoch", or "step" for a step loop.
const char* main_loop_name(const MainLoop& main_loop);

}  // namespace flor::instr
