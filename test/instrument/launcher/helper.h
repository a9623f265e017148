// Found through the original directory (-iquote) when broken.cc is compiled
// from its instrumented copy in the build folder.
#pragma once
constexpr int kEpochs = 3;
