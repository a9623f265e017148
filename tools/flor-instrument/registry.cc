// The registry: every rule, in the order it runs (no static-init
// self-registration). `flor-instrument --list-rules` prints it.
#include "rule.h"
#include "rules.h"
#include "source_text.h"

namespace flor::instr {

const std::vector<RuleInfo>& rule_table() {
  static const std::vector<RuleInfo> kRules = {
      {"manual-api", "code that already calls flor::loop/block/checkpoints is left as it is",
       make_manual_api_rule},
      {"main-loop", "the epoch loop (for, range-for or while) in main or a function main calls becomes "
                    "flor::loop(\"epoch\", ...); without one, a loop that steps an optimizer becomes "
                    "flor::loop(\"step\", ...)",
       make_main_loop_rule},
      {"skip-block", "nested training loops, and calls to functions that contain one, become skip blocks",
       make_skip_block_rule},
      {"macro", "loops inside macro expansions are diagnosed, never edited", make_macro_rule},
      {"side-effects", "each block's side-effect set is computed; blocks that mutate what flor cannot "
                       "checkpoint always run; the union is registered with flor::checkpoints, a block's "
                       "live-out locals go to it as flor::locals",
       make_side_effects_rule},
      {"include", "#include <flor/flor.h> is added to an instrumented file", make_include_rule},
  };
  return kRules;
}

void Rule::report_edit(const Status& status, const char* rule, clang::SourceLocation loc, Reporter& reporter) {
  if (!status.ok()) reporter.warn(rule, loc, "not edited: " + status.message());
}

}  // namespace flor::instr
