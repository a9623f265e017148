// Strict numbers from text given on a command line or in an environment
// variable (flor's flags, the FLOR_* contract, launcher ranks): the whole text,
// plain decimal, finite, in range. No product code; the driver and the runtime
// both use it (through flor_util).
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace flor {

// `text` as a decimal integer in [min, max]: an optional '-' and digits, nothing
// else (no spaces, '+', hex or exponent). Errors name `what` (a flag, or a
// variable), the text and the range: "--jobs 'x': expected an integer from 1 to
// 256", "FLOR_RUN_ID='0': expected an integer of at least 1".
Result<int64_t> parse_integer(const std::string& what, const std::string& text, int64_t min, int64_t max);

// `text` as a finite decimal number in [min, max]: [-]digits[.digits][e[+|-]digits]
// (".5" and "5." too). Refused: nan, inf, hex, spaces, '+', a value that
// overflows or underflows (1e-400 is not 0), and a '-' where the range has no
// negative numbers ("-0" for a budget from 0 to 1). Errors as parse_integer's.
// Parsing does not depend on the C locale (a program's setlocale).
Result<double> parse_real(const std::string& what, const std::string& text, double min, double max);

// A byte count: an integer with an optional binary suffix K, M or G (either
// case: 512K = 524288, 10M, 1G), from 0 to 1 TiB. Errors as parse_integer's:
// "--snapshot-max-size '1X': expected a size such as 500K, 10M or 1G".
Result<int64_t> parse_size(const std::string& what, const std::string& text);

}  // namespace flor
