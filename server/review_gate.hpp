// Step 3 of an integration run: the review gate. Review modes (the server's key, a webhook,
// peers) plug in here; a FAIL holds the candidate back, a WARN lets it through with a note.
// Until a review mode is on, every candidate passes.
#pragma once

#include <string>

namespace knot::server {

struct RunRecord;

enum class ReviewVerdict { pass, warn, fail };

struct ReviewResult {
    ReviewVerdict verdict = ReviewVerdict::pass;
    std::string summary; // one line for people: who reviewed, and why it failed or warned
};

// "pass", "warn" or "fail".
const char* review_verdict_name(ReviewVerdict verdict);

// Reviews `candidate`, the merge `run` would put on refs/knot/integration.
ReviewResult review_candidate(const RunRecord& run, const std::string& candidate);

} // namespace knot::server
