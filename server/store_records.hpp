// The rows of the server's store as the rest of the server sees them (see store.hpp).
#pragma once

#include "libknot/protocol/crypto.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace knot::server {

struct RoomRecord {
    std::string id;
    std::string name;
    std::string token_hash; // hex SHA-256 of the invite token
    std::int64_t created_at = 0;
    std::int64_t lease_seconds = 300;
};

struct AgentRecord {
    std::string room_id;
    std::string id;
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    Bytes public_key;
    std::string role; // owner, member or server
    bool signed_card = false;
    std::string card_signature;
    std::int64_t joined_at = 0;
    std::int64_t last_seen = 0;
    std::string status; // what the agent said it is doing (POST doing, heartbeat)
};

// A lease on one repository path. Live while `expires_at` is after the current time.
struct LockRecord {
    std::string room_id;
    std::string path;
    std::string agent_id;
    std::string agent_name; // read from the agents table, not stored with the lock
    std::string intent;
    std::int64_t fencing = 0;
    std::int64_t acquired_at = 0;
    std::int64_t expires_at = 0;
};

struct TaskRecord {
    std::string room_id;
    std::int64_t number = 0; // the task id is "t" + number
    std::string title;
    std::string goal;
    std::string status;          // open, claimed or done
    std::string claimed_by;      // agent id, "" when never claimed or released
    std::string claimed_by_name; // read from the agents table
    std::string created_by;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::vector<std::string> files; // repository paths, stored as a JSON array
};

// How many tasks a room has in each state.
struct TaskCounts {
    std::int64_t open = 0;
    std::int64_t claimed = 0;
    std::int64_t done = 0;
};

// One accepted push's way through the integration agent. `status` is queued, running, then one
// of integrated, up_to_date, merge_conflict, check_failed, review_failed, error; or superseded
// (a newer push of the same ref replaced it while it waited); or held_locked (a forge push that
// changed paths other agents held when it reached the server: it waits, its `detail` naming
// them under "held", until none of them is held any more, and is then queued again).
struct RunRecord {
    std::string room_id;
    std::int64_t number = 0; // per room, from 1
    std::string agent_id;
    std::string agent_name; // read from the agents table
    std::string ref;
    std::string commit_oid; // the pushed tip
    std::string status;
    std::string base_oid;      // refs/knot/integration when the run merged ("" when unborn)
    std::string candidate_oid; // the merge commit (or the tip, for a room's first integration)
    std::string summary;       // one line for people
    std::string detail = "{}"; // JSON: conflicts, the failed command and log tail, timings
    std::int64_t queued_at = 0;
    std::int64_t started_at = 0;
    std::int64_t finished_at = 0;
    std::int64_t duration_ms = 0;
    std::int64_t attempts = 0;
    std::int64_t undone_at = 0; // when `git knot undo` moved the integration ref back past it
    std::string undone_by;      // the agent id that undid it
};

// How a room's integration runs check a candidate.
struct CheckSettings {
    // The commands to run; nothing means .knot/checks or detection; an empty list means none.
    std::optional<std::vector<std::string>> checks;
    std::int64_t time_limit_seconds = 600;
    std::string forge_url; // forge mode: where the integration ref is pushed back to
};

// A room's review settings (docs/protocol.md, "Reviews"): which mode gates its integration runs
// (auto: the first the server can use of server key, webhook and watching peers; off; or one of
// server, webhook, peers), how long a review may take before it counts as WARN, and the model the
// server's key asks ("" for the server's default).
struct ReviewSettings {
    std::string mode = "auto";
    std::int64_t timeout_seconds = 300;
    std::string model;
};

// One review request: the integration run it gates and where it stands (pending, claimed by a
// peer, answered, or timed_out), with the verdict and the statement its reviewer signed.
struct ReviewRecord {
    std::string room_id;
    std::string id; // rev_ and 16 hex digits
    std::int64_t run = 0;
    std::string author_id;
    std::string author_name; // read from the agents table
    std::string mode;        // server, webhook or peers
    std::string base_oid;
    std::string candidate_oid;
    std::string intent;
    std::string diff_stat;
    std::string state;
    std::int64_t requested_at = 0;
    std::int64_t deadline = 0;
    std::string claimed_by;
    std::int64_t claim_expires = 0;
    std::string credential_sha256; // webhook mode: the one-review credential's hash
    std::string verdict;           // PASS, WARN or FAIL once answered or timed out
    std::string reason;
    std::string reviewer;      // an agent id, "server" (its key) or "webhook"
    std::string reviewer_name; // read from the agents table; "" for server and webhook
    bool verified = false;     // signed by a key the room knows
    std::string statement;
    std::string signature;
    std::int64_t answered_at = 0;
};

// A patch (docs/protocol.md, "Patches"): its statement as signed and the fields it was built from.
// `run` is the integration run its merge queued (0 before); `run_status` and `run_detail` are
// read from that run ("" and "{}" without one).
struct PatchRecord {
    std::string room_id;
    std::string id;
    std::string author_id;
    std::string author_name; // read from the agents table
    std::string kind;        // draft or submitted
    std::string ref;
    std::string base_oid;
    std::string tip_oid;
    std::string message;
    std::int64_t signed_at = 0;
    std::int64_t created_at = 0;
    std::string statement; // the exact text the author signed
    std::string signature;
    std::int64_t run = 0;
    std::string run_status;
    std::string run_detail = "{}";
};

// One agent's standing verdict on a patch, "approve" or "reject".
struct VerdictRecord {
    std::string room_id;
    std::string patch_id;
    std::string agent_id;
    std::string agent_name; // read from the agents table
    std::string verdict;
    std::string reason;
    std::int64_t time = 0;
};

struct EventRecord {
    std::string room_id;
    std::int64_t seq = 0;
    std::string type;
    std::string agent_id;
    std::int64_t time = 0;
    std::string data; // compact JSON text, exactly as hashed
    std::string prev;
    std::string hash;
    std::string signed_string; // the canonical string of the request that caused it, if any
    std::string signature;
};

// A room and one of its agents, as a signature check needs them.
struct MemberRecords {
    RoomRecord room;
    AgentRecord agent;
};

} // namespace knot::server
