// A member's signed verdict on a peer review, as `git knot review --approve/--reject`, `review
// --watch` and the MCP server send it.
#pragma once

#include "libknot/protocol/wire_review.hpp"
#include "libknot/review/review_text.hpp"

#include <string>
#include <string_view>

namespace knot {

class Session;

// Signs `verdict` and `reason` on `review` (its id and candidate) with the session's key, sends
// them, and returns the review as the server now has it. Throws knot::HttpError as the server
// refuses (own_change, review_closed, review_claimed, ...).
wire::Review send_verdict(Session& session, const wire::Review& review, Verdict verdict,
                          const std::string& reason);

// True when `id` has the form of a review id ("rev_" and 16 lower-case hex digits), so that it
// can go into a request's path.
bool is_review_id(std::string_view id);

} // namespace knot
