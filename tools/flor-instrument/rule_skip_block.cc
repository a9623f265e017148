// skip-block: the statements of the main loop's body that contain a training
// loop become skip blocks: a range-for keeps its shape
// (`for (x : flor::loop("x", range))`), any other loop or an expression
// statement is wrapped in flor::block("name", [&] { ... });, and a training
// call whose result is used in flor::block("name", [&] { return call; }).
#include "api_spelling.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/StmtCXX.h"
#include "rules.h"
#include "source_text.h"
#include "training_loops.h"

namespace flor::instr {
namespace {

constexpr const char* kRule = "skip-block";

class SkipBlockRule : public Rule {
 public:
  using Rule::Rule;

  void analyze(Reporter& reporter) override {
    (void)reporter;
    if (state_.manual_api || !state_.main_loop) return;
    state_.blocks = find_blocks(scanner_, *state_.context, *state_.main_loop);
    for (SkipBlock& block : state_.blocks) {
      if (block.kind == BlockKind::kOtherLoop && contains_return(block.stmt)) {
        block.refusals.push_back({kRule, block.stmt->getBeginLoc(),
                                  "block '" + block.name + "' is not skipped: it contains return or goto, "
                                  "which wrapping it in flor::block would change; it always runs"});
      }
      const clang::BindingDecl* binding = nullptr;
      if (block.kind != BlockKind::kRangeLoop && !state_.context->getLangOpts().CPlusPlus20 &&
          (binding = outer_binding(block.stmt, block.stmt->getSourceRange()))) {
        block.refusals.push_back({kRule, block.stmt->getBeginLoc(),
                                  "block '" + block.name +
                                      "' is not skipped: it uses the structured binding '" +
                                      binding->getNameAsString() +
                                      "', which the lambda flor::block wraps it in cannot capture "
                                      "before C++20; it always runs"});
      }
    }
  }

  void emit(EditSink& sink, Layout layout, Reporter& reporter) override {
    (void)layout;
    if (!state_.instrumentable()) return;
    for (const SkipBlock& block : state_.blocks) {
      if (block.refused() || block.kind == BlockKind::kStepLoop) continue;
      Status status = block.kind == BlockKind::kRangeLoop ? emit_range(block, sink)
                      : block.kind == BlockKind::kResult  ? emit_result(block, sink)
                                                          : emit_wrapped(block, sink);
      report_edit(status, kRule, block.stmt->getBeginLoc(), reporter);
      if (status.ok()) state_.edited = true;
    }
  }

 private:
  Status emit_range(const SkipBlock& block, EditSink& sink) {
    const auto* loop = llvm::cast<clang::CXXForRangeStmt>(block.stmt);
    clang::SourceRange init = loop->getRangeInit()->getSourceRange();
    FLOR_RETURN_IF_ERROR(sink.insert_before(init.getBegin(), api::range_loop_prefix(block.name)));
    return sink.insert_after_token(init.getEnd(), api::range_loop_suffix(names_of(block.locals)));
  }

  Status emit_wrapped(const SkipBlock& block, EditSink& sink) {
    clang::CharSourceRange whole = statement_range(*state_.context, block.stmt);
    FLOR_RETURN_IF_ERROR(sink.insert_before(whole.getBegin(), api::block_prefix(block.name)));
    return sink.insert_at(whole.getEnd(), api::block_suffix(names_of(block.locals)));
  }

  Status emit_result(const SkipBlock& block, EditSink& sink) {
    clang::SourceRange call = block.stmt->getSourceRange();
    FLOR_RETURN_IF_ERROR(sink.insert_before(call.getBegin(), api::result_block_prefix(block.name)));
    return sink.insert_after_token(call.getEnd(), api::result_block_suffix(names_of(block.locals)));
  }

  // A structured binding declared outside `range` that `stmt` refers to, or null.
  const clang::BindingDecl* outer_binding(const clang::Stmt* stmt, clang::SourceRange range) const {
    if (!stmt) return nullptr;
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt)) {
      const auto* binding = llvm::dyn_cast<clang::BindingDecl>(ref->getDecl());
      if (binding && !is_within(state_.context->getSourceManager(), binding->getLocation(), range))
        return binding;
    }
    for (const clang::Stmt* child : stmt->children()) {
      if (const clang::BindingDecl* found = outer_binding(child, range)) return found;
    }
    return nullptr;
  }

  TrainingScanner scanner_;
};

}  // namespace

std::unique_ptr<Rule> make_skip_block_rule(TuState& state) { return std::make_unique<SkipBlockRule>(state); }

}  // namespace flor::instr
