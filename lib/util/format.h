// How flor writes things for people: commands as a shell would read them,
// times, byte counts and durations. Pure functions, no product code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flor {

std::string join_command(const std::vector<std::string>& argv);  // shell-quoted where needed
std::string join_names(const std::vector<std::string>& names);   // "a, b, c"
std::string format_time(double unix_seconds);                    // "2026-11-22 01:30:12" local
std::string format_bytes(int64_t bytes);                         // "1.5 MiB"
std::string format_duration(double seconds);                     // "1m05s"

}  // namespace flor
