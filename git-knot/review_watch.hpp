// A peer's side of the review modes: a signed verdict, and `git knot review --watch`.
#pragma once

#include "libknot/client/review_verdict.hpp"

#include <cstdint>
#include <string>

namespace knot {
class Session;
}

namespace knot::cli {

// Fulfils the room's peer reviews with the command in knot.reviewer until SIGINT or SIGTERM, or
// until `max_reviews` verdicts were sent (0: no limit). Returns the exit status. Throws
// knot::UsageError when no reviewer is configured.
int watch_reviews(Session& session, std::int64_t max_reviews);

} // namespace knot::cli
