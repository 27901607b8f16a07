// The credential checks of docs/protocol.md, in its order: invite token, then the signature
// headers' form and time, the signer, the signature, and last the nonce.
#pragma once

#include "libknot/crypto.hpp"
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

// Verifies the request's signature against `public_key` and records its nonce inside
// `transaction`. Throws ApiError 401 bad_signature or replayed_nonce.
SignedRequest verify_signed_by(Transaction& transaction, const Request& request,
                               const Bytes& public_key, std::int64_t now);

// The whole check for a request signed by a member of `room` named by X-Knot-Agent: form and
// time, unknown_agent, bad_signature, replayed_nonce. On success the agent's last_seen becomes
// `now` and the agent is returned as it was before that update.
AgentRecord authenticate_member(Transaction& transaction, const RoomRecord& room,
                                const Request& request, std::int64_t now,
                                SignedRequest* signed_request = nullptr);

// The admin token check for room creation: 403 bad_admin_token unless X-Knot-Admin matches
// `admin_token` (compared in constant time).
void check_admin_token(const Request& request, const std::string& admin_token);

} // namespace knot::server
