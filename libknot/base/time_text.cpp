// Spans and clock times as people read them (see time_text.hpp).
#include "libknot/base/time_text.hpp"

#include <ctime>

namespace knot {

std::string seconds_text(long long seconds) {
    if (seconds < 60)
        return std::to_string(seconds < 0 ? 0 : seconds) + "s";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m " + std::to_string(seconds % 60) + "s";
    return std::to_string(seconds / 3600) + "h " + std::to_string(seconds % 3600 / 60) + "m";
}

std::string relative_time(long long when, long long now) {
    const long long delta = when - now;
    const std::string amount = seconds_text(delta < 0 ? -delta : delta);
    return delta >= 0 ? "in " + amount : amount + " ago";
}

std::string local_clock(long long unix_time) {
    const std::time_t when = static_cast<std::time_t>(unix_time);
    char clock[16] = "";
    std::tm parts{};
    if (::localtime_r(&when, &parts))
        std::strftime(clock, sizeof clock, "%H:%M:%S", &parts);
    return clock;
}

} // namespace knot
