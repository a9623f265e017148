// The wall clock, as flor stores it: seconds since the Unix epoch.
#pragma once

namespace flor {

double now_seconds();

}  // namespace flor
