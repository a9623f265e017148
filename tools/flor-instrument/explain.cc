#include "explain.h"

#include "source_text.h"

namespace flor::instr {
namespace {

const char* kind_name(BlockKind kind) {
  switch (kind) {
    case BlockKind::kRangeLoop:
    case BlockKind::kOtherLoop: return "loop";
    case BlockKind::kCall: return "call";
    case BlockKind::kResult:
      return "call whose result is used, kept with its checkpoint";
    case BlockKind::kStepLoop: return "step loop: the main loop's whole body";
  }
  return "block";
}

std::string entry_line(const SetEntry& e) {
  return "    " + e.name + " (" + category_name(e.category) + "): " + e.why + "\n";
}

}  // namespace

std::string explain(const TuState& state) {
  const clang::SourceManager& sm = state.context->getSourceManager();
  if (state.manual_api) return "uses flor's API already: left as it is\n";
  if (!state.main_loop) {
    return "no main loop (an epoch loop around a training loop, or a loop that calls backward() or an "
           "optimizer's step()) in main, nor, in a file without main, an epoch loop in a function that "
           "nothing here calls: left as it is\n";
  }
  std::string out = describe(sm, state.main_loop->loop->getBeginLoc()) + ": main loop" +
                    (state.main_loop->step_loop ? " (step loop: its iterations are steps)" : "") + " in " +
                    state.main_loop->function->getNameAsString() + "()\n";
  for (const Refusal& r : state.main_loop->refusals) out += "  not instrumented: " + r.message + "\n";
  for (const SkipBlock& block : state.blocks) {
    out += describe(sm, block.stmt->getBeginLoc()) + ": block '" + block.name + "' (" + kind_name(block.kind) +
           ")" + (block.refused() ? ": refused, always runs" : "") + "\n";
    for (const Refusal& r : block.refusals) out += "  refused: " + r.message + "\n";
    if (!block.state.empty()) out += "  side-effect set:\n";
    for (const SetEntry& e : block.state) out += entry_line(e);
    if (!block.locals.empty()) out += "  the block's own locals (flor::locals):\n";
    for (const SetEntry& e : block.locals) out += entry_line(e);
    if (!block.ignored.empty()) out += "  mutated, not state:\n";
    for (const SetEntry& e : block.ignored) out += entry_line(e);
    for (const std::string& note : block.notes) out += "  already in the record: " + note + "\n";
  }
  if (!state.carried.empty()) {
    out +=
        "carried by the epoch body, in no checkpoint (flor::carried_state: a replay segment runs the earlier "
        "epochs again to rebuild it):\n";
  }
  for (const SetEntry& e : state.carried) out += entry_line(e);
  out += "checkpoints:";
  for (const SetEntry& e : state.checkpoints) out += " " + e.name;
  return out + "\n";
}

}  // namespace flor::instr
