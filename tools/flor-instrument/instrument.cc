// Placeholder translation unit for the flor_instr library; the rules live in
// their own files (one rule = one class).
namespace flor::instr {}
