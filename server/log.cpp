// The server's log on stderr (see log.hpp).
#include "log.hpp"

#include <ctime>
#include <iostream>
#include <mutex>

namespace knot::server {

void log_line(std::string_view line) {
    static std::mutex mutex;
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    std::lock_guard lock(mutex);
    std::cerr << stamp << ' ' << line << std::endl;
}

} // namespace knot::server
