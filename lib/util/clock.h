// Clocks: the wall clock as flor stores it, and a thread's CPU time.
#pragma once

namespace flor {

// Seconds since the Unix epoch.
double now_seconds();

// CPU time (user + system) of the calling thread, in seconds.
double thread_cpu_seconds();

}  // namespace flor
