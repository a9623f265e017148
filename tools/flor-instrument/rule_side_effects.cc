// side-effects: computes each skip block's side-effect set (side_effects.h),
// refuses blocks that mutate what the runtime cannot checkpoint, and registers
// the union of the accepted sets with flor::checkpoints(...) right before the
// main loop. A block's live-out locals are not in the union: skip-block
// passes them to the block itself (flor::locals). What the epoch body changes
// outside the blocks and the checkpoints is named with flor::carried_state
// (its replays then use strong init).
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
    state_.carried = analyzer.carried_state(*state_.main_loop, state_.blocks, state_.checkpoints);
    sort_by_declaration(state_.carried);
  }

  void emit(EditSink& sink, Layout layout, Reporter& reporter) override {
    if (!state_.instrumentable()) return;
    std::vector<std::string> calls;
    if (!state_.checkpoints.empty()) calls.push_back(api::checkpoints(names_of(state_.checkpoints)));
    if (!state_.carried.empty()) calls.push_back(api::carried_state(names_of(state_.carried)));
    if (calls.empty()) return;
    const clang::Stmt* loop = state_.main_loop->loop;
    std::string separator = " ";
    if (layout != Layout::kKeepLines) {
      separator = "\n" +
                  (layout == Layout::kPrinted ? line_directive(state_.context->getSourceManager(), loop->getBeginLoc())
                                              : "") +
                  indentation_of(*state_.context, loop->getBeginLoc());
    }
    std::string text;
    for (const std::string& call : calls) text += call + separator;
    Status status = sink.insert_before(loop->getBeginLoc(), text);
    report_edit(status, kRule, loop->getBeginLoc(), reporter);
    if (status.ok()) state_.edited = true;
  }

 private:
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
