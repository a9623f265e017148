// Every test case gets its own store backend (test/common/store_backend.h):
// SQLite by default, a fresh PostgreSQL schema with FLOR_TEST_PG.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#include <memory>

#include "common/store_backend.h"

namespace {

struct StoreBackendListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& /*info*/) override {
    backend = std::make_unique<flor::test::StoreBackend>();
  }
  void testCaseEnded(const Catch::TestCaseStats& /*stats*/) override { backend.reset(); }
  std::unique_ptr<flor::test::StoreBackend> backend;
};

}  // namespace

CATCH_REGISTER_LISTENER(StoreBackendListener)
