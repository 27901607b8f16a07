// The server's log: one line per start, stop and failed request, on stderr.
#pragma once

#include <string_view>

namespace knot::server {

// Writes `line` to stderr prefixed with the UTC time, whole even when threads log at once.
void log_line(std::string_view line);

} // namespace knot::server
