// Spans and clock times as people read them: "4m 59s", "in 4m 10s", "10:04:31".
#pragma once

#include <string>

namespace knot {

// "in 4m 10s", "2m ago": a time relative to `now`.
std::string relative_time(long long when, long long now);

// A span of `seconds` as "42s", "4m 59s" or "2h 5m" (a negative span reads "0s").
std::string seconds_text(long long seconds);

// `unix_time` as the local wall clock, HH:MM:SS ("" when it cannot be shown).
std::string local_clock(long long unix_time);

} // namespace knot
