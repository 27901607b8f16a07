// Step 3 of an integration run: the review gate. After the checks pass, a review mode asks
// "does this change do what its agent said it was doing?": the server's own model key (answered
// at once, in the run), a webhook service or the room's watching peers (the run waits, status
// reviewing, and a worker takes it on once the verdict is in). A FAIL holds the candidate back as
// a failed check does; a WARN, or no answer by the room's review timeout, lets it through marked
// advisory. With no mode on, every candidate passes.
#pragma once

#include "libknot/protocol/identity.hpp"
#include "libknot/review/review_text.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace knot::server {

class Reader;
class Store;
class Transaction;
struct ReviewRecord;
struct RunRecord;

// The server's review modes, set by its host (flags and environment, never by members).
struct ReviewOptions {
    std::string anthropic_key;                                    // "" when the server has none
    std::string anthropic_base_url = "https://api.anthropic.com"; // ANTHROPIC_BASE_URL
    std::string default_model = "claude-sonnet-4-5";
    std::string webhook_url; // "" when there is none
    // The webhook's registered Ed25519 public key: when set, its verdicts must be signed with it
    // (and are then verified); without one they are recorded unverified.
    Bytes webhook_key;
    std::string public_url; // what webhooks are told the server is (knot_server)
    // Without --public-url: <data>/tunnel.json, where `git knot up` records the quick tunnel it
    // starts after the server; its "url", when there is one, is what webhooks are told instead.
    std::filesystem::path tunnel_record;
    std::int64_t watch_seconds = 90; // a watcher counts as present this long after it asked
};

// What the gate decided for a run whose checks passed.
struct GateOutcome {
    enum class Kind {
        unreviewed, // no review mode is on: the candidate passes
        verdict,    // `verdict` and `reason` decide
        waiting,    // the run was parked (status reviewing) until a verdict or the timeout
    };
    Kind kind = Kind::unreviewed;
    Verdict verdict = Verdict::pass;
    std::string reason;
    std::string review_id;
    std::string reviewer; // for people: "the server's model", "peer coder-2", "webhook"
    bool verified = false;
    bool advisory = false; // timed out: nobody answered
};

struct GateEnvironment {
    Store& store;
    const ReviewOptions& options;
    const Identity& server_identity; // signs the server model's verdicts
    std::string server_agent_id;
    std::filesystem::path repo;
};

// Runs the gate for `run` (its candidate checked): the verdict already given to this candidate
// when the run waited for it, else a new review in the room's mode. Parking writes `run` with
// status reviewing in the same transaction as the review and its review.requested event.
GateOutcome review_run(const GateEnvironment& environment, RunRecord& run);

// Who answered `review`, for people: "peer coder-2", "the server's model", "webhook",
// "nobody (timed out)"; "" while nobody has.
std::string reviewer_label(const ReviewRecord& review);

// How long a peer's claim on a review lasts unless renewed, and how long a peer review may wait
// for a peer to claim it before it counts as an advisory WARN: a fifth of the review's time, 3 to
// 60 seconds. A watching peer claims within moments; one that does not (or a member that only
// pretends to watch, which in auto mode sends reviews to peers) holds a run this long, not the
// whole timeout.
std::int64_t peer_claim_seconds(std::int64_t timeout_seconds);

// The mode a new review of `run` would take now: "server", "webhook", "peers" or "" (none).
std::string review_mode_for(const Reader& reader, const ReviewOptions& options,
                            const RunRecord& run, std::int64_t now);

// Records `review`'s verdict (its verdict, reason, reviewer, verified, statement and signature
// set by the caller) as answered or timed_out, appends review.verdict or review.timeout (the
// statement and its signature kept with it), and puts its run back in the queue. `author` is the
// event's agent: the reviewing peer, else the server's agent.
void conclude_review(Transaction& transaction, ReviewRecord& review, std::int64_t now,
                     const std::string& author);

// Ends the reviews whose deadline passed (WARN, advisory: review.timeout) and frees the claims of
// peers that went away (review.released), one transaction each. True when a run was put back in
// the queue.
bool expire_due_reviews(Store& store, const std::string& server_agent_id);

} // namespace knot::server
