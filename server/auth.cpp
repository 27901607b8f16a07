// The credential checks of docs/protocol.md (see auth.hpp).
#include "auth.hpp"

#include "api_error.hpp"
#include "http_types.hpp"
#include "libknot/protocol.hpp"
#include "libknot/request_auth.hpp"

namespace knot::server {
namespace {

SignatureHeaders signature_headers(const Request& request) {
    return SignatureHeaders{request.header(k_header_agent), request.header(k_header_timestamp),
                            request.header(k_header_nonce), request.header(k_header_signature)};
}

// Nonces older than twice the window are pruned: a request signed then is refused as stale.
constexpr std::int64_t k_nonce_keep_seconds = 2 * k_signature_window_seconds;

} // namespace

RoomRecord authenticate_room(const Reader& reader, const Request& request) {
    const std::string& room_id = request.param("room");
    const std::string token = request.header(k_header_token);
    if (token.empty())
        throw unauthorized(AuthFailure::missing_token);
    std::optional<RoomRecord> room;
    if (is_room_id(room_id))
        room = reader.find_room(room_id);
    if (!room)
        throw ApiError(404, "unknown_room", "there is no room " + room_id + " on this server");
    if (!constant_time_equal(sha256_hex(token), room->token_hash))
        throw unauthorized(AuthFailure::bad_token);
    return *room;
}

std::int64_t check_signature_headers(const Request& request, std::int64_t now) {
    std::int64_t timestamp = 0;
    if (auto failure = check_signature_form(signature_headers(request), now, timestamp))
        throw unauthorized(*failure);
    return timestamp;
}

SignedRequest verify_signed_by(Transaction& transaction, const Request& request,
                               const Bytes& public_key, std::int64_t now) {
    const SignatureHeaders headers = signature_headers(request);
    if (auto failure =
            check_signature(headers, public_key, request.method, request.target, request.body, now))
        throw unauthorized(*failure);
    SignedRequest out;
    out.timestamp = check_signature_headers(request, now);
    out.nonce = headers.nonce;
    out.signature = headers.signature;
    out.signed_string =
        canonical_string(request.method, request.target, out.timestamp, out.nonce, request.body);
    transaction.prune_nonces(now - k_nonce_keep_seconds);
    if (!transaction.record_nonce(public_key, out.nonce, out.timestamp))
        throw unauthorized(AuthFailure::replayed_nonce);
    return out;
}

AgentRecord authenticate_member(Transaction& transaction, const RoomRecord& room,
                                const Request& request, std::int64_t now,
                                SignedRequest* signed_request) {
    check_signature_headers(request, now);
    const std::string agent_id = request.header(k_header_agent);
    std::optional<AgentRecord> agent;
    if (is_agent_id(agent_id))
        agent = transaction.find_agent(room.id, agent_id);
    if (!agent || agent->role == "server")
        throw unauthorized(AuthFailure::unknown_agent);
    SignedRequest verified = verify_signed_by(transaction, request, agent->public_key, now);
    transaction.touch_agent(room.id, agent->id, now);
    if (signed_request)
        *signed_request = std::move(verified);
    return *agent;
}

void check_admin_token(const Request& request, const std::string& admin_token) {
    const std::string given = request.header(k_header_admin);
    if (given.empty() || !constant_time_equal(given, admin_token))
        throw ApiError(403, "bad_admin_token",
                       "creating a room needs the server's admin token (X-Knot-Admin), found in "
                       "<data>/admin.token");
}

} // namespace knot::server
