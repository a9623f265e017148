// Include this (not <catch2/catch.hpp> directly) in tests that use LibTorch:
// torch pulls in glog, whose CHECK macros would silently replace Catch2's.
#pragma once

#include <torch/torch.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE
#undef CHECK_NOTNULL

#include <catch2/catch.hpp>
