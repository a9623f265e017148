// The rule classes' factories, for the registry table (registry.cc).
#pragma once

#include <memory>

#include "rule.h"

namespace flor::instr {

std::unique_ptr<Rule> make_manual_api_rule(TuState& state);
std::unique_ptr<Rule> make_main_loop_rule(TuState& state);
std::unique_ptr<Rule> make_skip_block_rule(TuState& state);
std::unique_ptr<Rule> make_macro_rule(TuState& state);
std::unique_ptr<Rule> make_side_effects_rule(TuState& state);
std::unique_ptr<Rule> make_include_rule(TuState& state);

}  // namespace flor::instr
