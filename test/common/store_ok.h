// A store opened in a unit test: the test stops with the store's message when
// it cannot be opened.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "store/store.h"

namespace flor::test {

inline std::unique_ptr<store::Store> open_ok(const std::string& home, const std::string& name) {
  auto s = store::Store::open(home, name);
  INFO(s.status().to_string());
  REQUIRE(s.ok());
  return std::move(s).value();
}

}  // namespace flor::test
