// side-effects: computes each skip block's side-effect set (side_effects.h),
// refuses blocks that mutate what the runtime cannot checkpoint, and registers
// the union of the accepted sets with flor::checkpoints(...) right before the
// main loop.
#include "api_spelling.h"
#include "rules.h"
#include "side_effects.h"
#include "source_text.h"

namespace flor::instr {
namespace {

constexpr const char* kRule = "side-effects";

class SideEffectsRule : public Rule {
 public:
  using Rule::Rule;

  void analyze(Reporter& reporter) override {
    (void)reporter;
    if (state_.manual_api || !state_.main_loop) return;
    SideEffectAnalyzer analyzer(*state_.context);
    for (SkipBlock& block : state_.blocks) {
      if (block.refused()) continue;  // already runs as written
      analyzer.analyze(block, *state_.main_loop);
      if (!block.refused()) add_to_union(block);
    }
    sort_by_declaration(state_.checkpoints);
  }

  void emit(EditSink& sink, Layout layout, Reporter& reporter) override {
    if (!state_.instrumentable() || state_.checkpoints.empty()) return;
    std::vector<std::string> names;
    for (const SetEntry& entry : state_.checkpoints) names.push_back(entry.name);
    const clang::Stmt* loop = state_.main_loop->loop;
    std::string separator = layout == Layout::kReadable
                                ? "\n" + indentation_of(*state_.context, loop->getBeginLoc())
                                : std::string(" ");
    std::string before_loop;
    std::vector<const clang::DeclStmt*> declarations;  // each hoisted-from statement once, in order
    for (const SetEntry& entry : state_.checkpoints) {
      if (!entry.hoisted_from) continue;
      before_loop += declaration(entry.var) + separator;
      if (llvm::find(declarations, entry.hoisted_from) == declarations.end()) {
        declarations.push_back(entry.hoisted_from);
      }
    }
    Status status;
    for (const clang::DeclStmt* decl : declarations) {
      if (!status.ok()) break;
      status = sink.replace(clang::CharSourceRange::getTokenRange(decl->getSourceRange()), resets(decl));
    }
    if (status.ok()) status = sink.insert_before(loop->getBeginLoc(), before_loop + api::checkpoints(names) + separator);
    report_edit(status, kRule, loop->getBeginLoc(), reporter);
    if (status.ok()) state_.edited = true;
  }

 private:
  std::string initializer(const clang::VarDecl* var) const {
    return text_of(*state_.context, var->getInit()->getSourceRange());
  }

  // `double loss_sum = 0;` as written, for the line before the main loop.
  std::string declaration(const clang::VarDecl* var) const {
    const clang::ASTContext& ctx = *state_.context;
    std::string type = text_of(ctx, var->getTypeSourceInfo()->getTypeLoc().getSourceRange());
    return type + " " + var->getNameAsString() + " = " + initializer(var) + ";";
  }

  bool hoisted(const clang::Decl* decl) const {
    return llvm::any_of(state_.checkpoints,
                        [&](const SetEntry& e) { return e.hoisted_from && e.var == decl; });
  }

  // What replaces a declaration whose scalars moved before the loop: each of
  // them reset (`loss_sum = 0;`), the others of the same statement declared
  // again (`double a = 0, b = 0;` with only a hoisted: `a = 0; double b = 0;`).
  // As many lines as the declaration had, so later lines keep their numbers.
  std::string resets(const clang::DeclStmt* decl) const {
    std::string out;
    for (const clang::Decl* d : decl->decls()) {
      const auto* var = llvm::cast<clang::VarDecl>(d);  // hoistable() accepts only scalar declarators
      out += (out.empty() ? "" : " ") +
             (hoisted(var) ? var->getNameAsString() + " = " + initializer(var) + ";" : declaration(var));
    }
    std::string written = text_of(*state_.context, decl->getSourceRange());
    return out + std::string(llvm::count(written, '\n'), '\n');
  }

  void add_to_union(const SkipBlock& block) {
    for (const SetEntry& entry : block.state) {
      bool known = llvm::any_of(state_.checkpoints, [&](const SetEntry& e) { return e.var == entry.var; });
      if (!known) state_.checkpoints.push_back(entry);
    }
  }

  void sort_by_declaration(std::vector<SetEntry>& entries) const {
    const clang::SourceManager& sm = state_.context->getSourceManager();
    std::stable_sort(entries.begin(), entries.end(), [&](const SetEntry& a, const SetEntry& b) {
      return sm.isBeforeInTranslationUnit(a.var->getLocation(), b.var->getLocation());
    });
  }
};

}  // namespace

std::unique_ptr<Rule> make_side_effects_rule(TuState& state) { return std::make_unique<SideEffectsRule>(state); }

}  // namespace flor::instr
