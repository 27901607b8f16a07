// The credential checks of docs/protocol.md (see auth.hpp).
#include "auth.hpp"

#include "api_error.hpp"
#include "http_types.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/request_auth.hpp"

#include <atomic>

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
        throw ApiError(error_code::unknown_room, "there is no room " + room_id + " on this server");
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

SignedRequest verify_signature(const Request& request, const Bytes& public_key, std::int64_t now) {
    const SignatureHeaders headers = signature_headers(request);
    SignedRequest out;
    if (auto failure = check_signature_form(headers, now, out.timestamp))
        throw unauthorized(*failure);
    out.nonce = headers.nonce;
    out.signature = headers.signature;
    out.signed_string =
        request.body_sha256.empty()
            ? canonical_string(request.method, request.target, out.timestamp, out.nonce,
                               request.body)
            : canonical_string_of_digest(request.method, request.target, out.timestamp, out.nonce,
                                         request.body_sha256);
    if (!knot::verify_signature(public_key, out.signed_string, out.signature))
        throw unauthorized(AuthFailure::bad_signature);
    request.verified_nonce = Request::VerifiedNonce{public_key, out.nonce, out.timestamp};
    return out;
}

void consume_nonce(Transaction& transaction, const Bytes& public_key,
                   const SignedRequest& signed_request, std::int64_t now) {
    // Pruning once per window keeps each write to a single nonce insert.
    static std::atomic<std::int64_t> last_prune{0};
    if (now - last_prune.load() >= k_signature_window_seconds) {
        last_prune = now;
        transaction.prune_nonces(now - k_nonce_keep_seconds);
    }
    if (!transaction.record_nonce(public_key, signed_request.nonce, signed_request.timestamp))
        throw unauthorized(AuthFailure::replayed_nonce);
}

Member authenticate_member(Store& store, const Request& request, std::int64_t now) {
    Member member;
    const std::string& room_id = request.param("room");
    const std::string agent_id = request.header(k_header_agent);
    const std::string token = request.header(k_header_token);
    if (auto cached = store.cached_member(room_id, agent_id); cached && !token.empty()) {
        // The same checks in the same order as below, on the records a check read before.
        if (!constant_time_equal(sha256_hex(token), cached->room.token_hash))
            throw unauthorized(AuthFailure::bad_token);
        check_signature_headers(request, now);
        member.room = std::move(cached->room);
        member.agent = std::move(cached->agent);
    } else {
        const std::uint64_t generation = store.members_generation();
        // Without waiting for the disk: the member's write that follows is answered only once
        // everything this read could see is durable.
        store.read_committed([&](const Reader& reader) {
            member.room = authenticate_room(reader, request);
            check_signature_headers(request, now);
            std::optional<AgentRecord> agent;
            if (is_agent_id(agent_id))
                agent = reader.find_agent(member.room.id, agent_id);
            if (!agent || agent->role == "server")
                throw unauthorized(AuthFailure::unknown_agent);
            member.agent = std::move(*agent);
        });
        store.remember_member(generation, {member.room, member.agent});
    }
    // An agent's key never changes (its id is derived from it), so verifying after the lookup
    // and outside the lock checks exactly what the lookup found.
    member.signed_request = verify_signature(request, member.agent.public_key, now);
    return member;
}

void refuse_replay(Store& store, const Member& member) {
    bool used = false;
    store.read_committed([&](const Reader& reader) {
        used = reader.nonce_used(member.agent.public_key, member.signed_request.nonce,
                                 member.signed_request.timestamp);
    });
    if (used)
        throw unauthorized(AuthFailure::replayed_nonce);
}

void admit_member(Transaction& transaction, const Member& member, std::int64_t now) {
    consume_nonce(transaction, member.agent.public_key, member.signed_request, now);
    transaction.touch_agent(member.room.id, member.agent.id, now);
}

void check_admin_token(const Request& request, const std::string& admin_token) {
    const std::string given = request.header(k_header_admin);
    if (given.empty() || !constant_time_equal(given, admin_token))
        throw ApiError(error_code::bad_admin_token,
                       "creating a room needs the server's admin token (X-Knot-Admin), found in "
                       "<data>/admin.token");
}

} // namespace knot::server
