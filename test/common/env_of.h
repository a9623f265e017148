// An EnvLookup over a fixed map, for tests of code that reads the environment.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/contract.h"

namespace flor::test {

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace flor::test
