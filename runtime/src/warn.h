// The runtime's warnings go to stderr (never stdout, which belongs to the
// training program), one line each, "flor: warning: ...".
#pragma once

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace flor::rt {

// Never destroyed: the run's end (an atexit handler registered before the
// first warning) may still warn after static destructors ran.
inline spdlog::logger& warnings() {
  static spdlog::logger* logger = [] {
    auto* l = new spdlog::logger("flor", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    return l;
  }();
  return *logger;
}

}  // namespace flor::rt
