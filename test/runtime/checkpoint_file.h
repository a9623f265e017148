// A checkpoint file from state items, for tests that restore one: written
// through the engine, durable on return, failing the test when it is not.
#pragma once

#include <string>
#include <vector>

#include "ckpt/engine.h"
#include "torch_catch.h"

namespace flor::test {

inline void write_checkpoint(const std::string& dir, const std::vector<rt::StateItem>& items,
                             const std::string& name) {
  rt::CheckpointEngine engine(dir);
  Status written;
  auto stall = engine.capture(items, name, [&](const rt::WriteReport& r) { written = r.status; });
  REQUIRE(stall.ok());
  engine.wait();
  REQUIRE(written.ok());
}

}  // namespace flor::test
