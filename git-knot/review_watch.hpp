// A peer's side of the review modes: a signed verdict, and `git knot review --watch`.
#pragma once

#include "libknot/protocol/wire_review.hpp"
#include "libknot/review/review_text.hpp"

#include <cstdint>
#include <string>

namespace knot {
class Session;
}

namespace knot::cli {

// Signs `verdict` and `reason` on `review` (its id and candidate) with the session's key, sends
// them, and returns the review as the server now has it. Throws knot::HttpError as the server
// refuses (own_change, review_closed, review_claimed, ...).
wire::Review send_verdict(Session& session, const wire::Review& review, Verdict verdict,
                          const std::string& reason);

// Fulfils the room's peer reviews with the command in knot.reviewer until SIGINT or SIGTERM, or
// until `max_reviews` verdicts were sent (0: no limit). Returns the exit status. Throws
// knot::UsageError when no reviewer is configured.
int watch_reviews(Session& session, std::int64_t max_reviews);

} // namespace knot::cli
