// --explain: for each skip block, the set the analysis chose and why each
// variable is in it (or was left out, or made the block refused).
#pragma once

#include <string>

#include "tu_state.h"

namespace flor::instr {

std::string explain(const TuState& state);

}  // namespace flor::instr
