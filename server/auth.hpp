// The credential checks of docs/protocol.md, in its order: invite token, then the signature
// headers' form and time, the signer, the signature, and last the nonce.
#pragma once

#include "libknot/protocol/crypto.hpp"
#include "store.hpp"

#include <cstdint>
#include <string>

namespace knot::server {

struct Request;

// What a verified signed request leaves behind, for the events it causes.
struct SignedRequest {
    std::int64_t timestamp = 0;
    std::string nonce;
    std::string signed_string; // the canonical string the signature covers
    std::string signature;
};

// The room named by the path parameter `room` whose invite token the request carries. Throws
// ApiError 404 unknown_room when there is no such room (or the id is malformed), and 401
// missing_token or bad_token.
RoomRecord authenticate_room(const Reader& reader, const Request& request);

// Checks that the signature headers are present, well formed and within the time window of
// `now`; throws ApiError 401 (unsigned, malformed_signature, stale_timestamp) otherwise.
// Returns the parsed timestamp.
std::int64_t check_signature_headers(const Request& request, std::int64_t now);

// Verifies the request's signature against `public_key`. Pure: it needs no store, so handlers
// run it before taking the store's lock and two cores verify in parallel. Throws ApiError 401
// (unsigned, malformed_signature, stale_timestamp, bad_signature). Once it verifies, the nonce is
// noted on `request` (Request::verified_nonce) for the router to spend should the route refuse.
SignedRequest verify_signature(const Request& request, const Bytes& public_key, std::int64_t now);

// Records the nonce of a verified request inside `transaction`, so the write it authorises and
// the nonce commit together. Throws ApiError 401 replayed_nonce.
void consume_nonce(Transaction& transaction, const Bytes& public_key,
                   const SignedRequest& signed_request, std::int64_t now);

// A request verified as signed by a member of a room.
struct Member {
    RoomRecord room;
    AgentRecord agent; // as it was before the request
    SignedRequest signed_request;
};

// The checks for a request signed by the member named by X-Knot-Agent, up to the signature:
// token, form and time, unknown_agent, bad_signature. The store's lock is held only to look the
// room and agent up. The handler then calls admit_member inside its write.
Member authenticate_member(Store& store, const Request& request, std::int64_t now);

// Refuses a replayed request (401 replayed_nonce) before the handler does work that is not
// part of its write transaction, such as indexing a pack into a repository. The nonce is still
// consumed by admit_member inside the write, which settles two copies racing each other.
void refuse_replay(Store& store, const Member& member);

// Consumes the member's nonce (replayed_nonce) and marks the agent seen at `now`.
void admit_member(Transaction& transaction, const Member& member, std::int64_t now);

// The admin token check for room creation: 403 bad_admin_token unless X-Knot-Admin matches
// `admin_token` (compared in constant time).
void check_admin_token(const Request& request, const std::string& admin_token);

} // namespace knot::server
