// The server's error codes (docs/protocol.md, "Errors"): each one named once, with the HTTP
// status it always comes with and what it means, for the server that sends it and the clients
// that branch on it.
#pragma once

#include <string_view>

// The stable "code" of an error body {"error": message, "code": code}. Compare a response's code
// against these, never against a spelled-out string.
namespace knot::error_code {

inline constexpr std::string_view bad_json = "bad_json";
inline constexpr std::string_view bad_object = "bad_object";
inline constexpr std::string_view bad_pack = "bad_pack";
inline constexpr std::string_view bad_path = "bad_path";
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view bad_statement = "bad_statement";
inline constexpr std::string_view content_mismatch = "content_mismatch";
inline constexpr std::string_view missing_content_sha256 = "missing_content_sha256";
inline constexpr std::string_view missing_objects = "missing_objects";
inline constexpr std::string_view not_a_commit = "not_a_commit";
inline constexpr std::string_view tree_too_deep = "tree_too_deep";
inline constexpr std::string_view tree_too_large = "tree_too_large";
inline constexpr std::string_view unknown_object = "unknown_object";

inline constexpr std::string_view bad_credential = "bad_credential";
inline constexpr std::string_view bad_signature = "bad_signature";
inline constexpr std::string_view bad_token = "bad_token";
inline constexpr std::string_view malformed_signature = "malformed_signature";
inline constexpr std::string_view missing_token = "missing_token";
inline constexpr std::string_view replayed_nonce = "replayed_nonce";
inline constexpr std::string_view stale_timestamp = "stale_timestamp";
inline constexpr std::string_view unknown_agent = "unknown_agent";
// Spelled "unsigned" on the wire; the name is a C++ keyword.
inline constexpr std::string_view unsigned_request = "unsigned";

inline constexpr std::string_view bad_admin_token = "bad_admin_token";
inline constexpr std::string_view forge_refused = "forge_refused";
inline constexpr std::string_view not_claimer = "not_claimer";
inline constexpr std::string_view not_holder = "not_holder";
inline constexpr std::string_view not_owner = "not_owner";
inline constexpr std::string_view not_your_ref = "not_your_ref";
inline constexpr std::string_view own_change = "own_change";
inline constexpr std::string_view own_patch = "own_patch";
inline constexpr std::string_view relay_agent = "relay_agent";

inline constexpr std::string_view no_log = "no_log";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view unknown_lock = "unknown_lock";
inline constexpr std::string_view unknown_review = "unknown_review";
inline constexpr std::string_view unknown_patch = "unknown_patch";
inline constexpr std::string_view unknown_room = "unknown_room";
inline constexpr std::string_view unknown_run = "unknown_run";
inline constexpr std::string_view unknown_task = "unknown_task";

inline constexpr std::string_view method_not_allowed = "method_not_allowed";
inline constexpr std::string_view timeout = "timeout";

inline constexpr std::string_view already_claimed = "already_claimed";
inline constexpr std::string_view forge_mismatch = "forge_mismatch";
inline constexpr std::string_view lock_conflict = "lock_conflict";
inline constexpr std::string_view name_taken = "name_taken";
inline constexpr std::string_view no_forge = "no_forge";
inline constexpr std::string_view non_fast_forward = "non_fast_forward";
inline constexpr std::string_view review_claimed = "review_claimed";
inline constexpr std::string_view review_closed = "review_closed";
inline constexpr std::string_view not_approved = "not_approved";
inline constexpr std::string_view nothing_to_undo = "nothing_to_undo";
inline constexpr std::string_view patch_exists = "patch_exists";
inline constexpr std::string_view patch_limit = "patch_limit";
inline constexpr std::string_view patch_not_pushed = "patch_not_pushed";
inline constexpr std::string_view patch_state = "patch_state";
inline constexpr std::string_view stale_integration = "stale_integration";
inline constexpr std::string_view stale_old = "stale_old";
inline constexpr std::string_view task_done = "task_done";

inline constexpr std::string_view length_required = "length_required";
inline constexpr std::string_view object_too_large = "object_too_large";
inline constexpr std::string_view pack_too_large = "pack_too_large";
inline constexpr std::string_view too_large = "too_large";
inline constexpr std::string_view upgrade_required = "upgrade_required";
inline constexpr std::string_view too_many_connections = "too_many_connections";
inline constexpr std::string_view internal = "internal";
inline constexpr std::string_view forge_unreachable = "forge_unreachable";
inline constexpr std::string_view busy = "busy";

} // namespace knot::error_code

namespace knot {

// One row of the table: a code, the HTTP status the server sends with it, and its meaning.
struct ErrorCodeRow {
    std::string_view code;
    int status;
    std::string_view meaning;
};

// Every code the server sends, in the order of docs/protocol.md's table (by status). The docs,
// knot-protocol(7) and the server's throws are checked against it (tests/e2e/docs_agree.sh).
inline constexpr ErrorCodeRow k_error_codes[] = {
    // clang-format off
    {error_code::bad_json, 400, "the body is not one strict JSON object"},
    {error_code::bad_object, 400, "a pushed tree has an entry git refuses"},
    {error_code::bad_pack, 400, "the pack is not valid (corrupt, truncated, bytes after its end)"},
    {error_code::bad_path, 400, "a path is not a normalised repository path"},
    {error_code::bad_request, 400, "a field or the request's framing is malformed; the message names it"},
    {error_code::bad_statement, 400, "a patch's signature does not verify against its author's key"},
    {error_code::content_mismatch, 400, "the pack's SHA-256 is not the one the request signs"},
    {error_code::missing_content_sha256, 400, "a pack upload without X-Knot-Content-Sha256"},
    {error_code::missing_objects, 400, "the pushed tip needs objects that are nowhere"},
    {error_code::not_a_commit, 400, "the pushed tip is not a commit"},
    {error_code::tree_too_deep, 400, "the pushed trees are more than 4096 deep"},
    {error_code::tree_too_large, 400, "the pushed trees have too many entries to check"},
    {error_code::unknown_object, 400, "a fetch wants a commit the room's refs do not reach"},
    {error_code::bad_credential, 401, "the review credential does not answer this review"},
    {error_code::bad_signature, 401, "the signature does not verify against the agent's key"},
    {error_code::bad_token, 401, "the invite token does not match the room"},
    {error_code::malformed_signature, 401, "the signature headers are malformed"},
    {error_code::missing_token, 401, "the request has no X-Knot-Token"},
    {error_code::replayed_nonce, 401, "the request's nonce was already used"},
    {error_code::stale_timestamp, 401, "the signed timestamp is more than 5 minutes off"},
    {error_code::unknown_agent, 401, "the signer is not a member of the room"},
    {error_code::unsigned_request, 401, "a state-changing request is not signed"},
    {error_code::bad_admin_token, 403, "the admin token is missing or wrong"},
    {error_code::forge_refused, 403, "the server does not use that forge"},
    {error_code::not_claimer, 403, "the task is claimed by another agent"},
    {error_code::not_holder, 403, "the lock is held by another agent"},
    {error_code::not_owner, 403, "only the room's owner may do this"},
    {error_code::not_your_ref, 403, "an agent may move only its own refs/knot/<agent>/ refs"},
    {error_code::own_change, 403, "an agent may not review or approve its own change"},
    {error_code::own_patch, 403, "an agent may not approve its own patch"},
    {error_code::relay_agent, 403, "a relay agent (no clone) may not lock paths or push"},
    {error_code::no_log, 404, "the integration run ran no checks"},
    {error_code::not_found, 404, "no such endpoint"},
    {error_code::unknown_lock, 404, "no such lock in the room"},
    {error_code::unknown_review, 404, "no such review in the room"},
    {error_code::unknown_patch, 404, "no such patch in the room"},
    {error_code::unknown_room, 404, "no such room"},
    {error_code::unknown_run, 404, "no such integration run in the room"},
    {error_code::unknown_task, 404, "no such task in the room"},
    {error_code::method_not_allowed, 405, "the endpoint does not take this method"},
    {error_code::timeout, 408, "the request did not arrive within the server's deadline"},
    {error_code::already_claimed, 409, "another agent claimed the task first"},
    {error_code::forge_mismatch, 409, "the forge's ref is not at the notified commit"},
    {error_code::lock_conflict, 409, "another agent holds a path (with conflicts)"},
    {error_code::name_taken, 409, "another agent in the room has that name"},
    {error_code::no_forge, 409, "the room has no forge"},
    {error_code::non_fast_forward, 409, "the push is not a fast-forward and not forced"},
    {error_code::review_claimed, 409, "another peer is reviewing it"},
    {error_code::review_closed, 409, "the review was answered or timed out"},
    {error_code::not_approved, 409, "the patch lacks another agent's approval or has a rejection"},
    {error_code::nothing_to_undo, 409, "refs/knot/integration is at the room's base"},
    {error_code::patch_exists, 409, "the room already has a patch with that id"},
    {error_code::patch_limit, 409, "the agent has made as many patches as a room allows"},
    {error_code::patch_not_pushed, 409, "the patch's ref is not at its signed tip"},
    {error_code::patch_state, 409, "the patch's kind or state does not allow this"},
    {error_code::stale_integration, 409, "refs/knot/integration moved meanwhile"},
    {error_code::stale_old, 409, "the ref is no longer at the old value the push names"},
    {error_code::task_done, 409, "the task is already done"},
    {error_code::length_required, 411, "a body without Content-Length or chunked encoding"},
    {error_code::object_too_large, 413, "a pushed object is larger than the object limit"},
    {error_code::pack_too_large, 413, "the pushed objects expand past the pack limit"},
    {error_code::too_large, 413, "the body is larger than the server takes"},
    {error_code::upgrade_required, 426, "the event stream without a WebSocket upgrade"},
    {error_code::too_many_connections, 429, "the client's address holds too many connections"},
    {error_code::internal, 500, "the server failed (logged); nothing was written"},
    {error_code::forge_unreachable, 502, "the forge refused or could not be reached"},
    {error_code::busy, 503, "too many requests wait for a worker; retry"},
    // clang-format on
};

// Reached only when a compile-time lookup fails, which makes the program not compile.
void not_a_code_of_the_table();

// A code of k_error_codes, chosen when the program is compiled: a string that is not in the
// table does not compile, so a code and its status cannot disagree.
class ErrorCode {
public:
    consteval ErrorCode(std::string_view code) // NOLINT(google-explicit-constructor)
        : m_row(&row_of(code)) {}
    std::string_view code() const { return m_row->code; }
    int status() const { return m_row->status; }

private:
    static consteval const ErrorCodeRow& row_of(std::string_view code) {
        for (const ErrorCodeRow& row : k_error_codes)
            if (row.code == code)
                return row;
        not_a_code_of_the_table();
        return k_error_codes[0];
    }
    const ErrorCodeRow* m_row;
};

} // namespace knot
