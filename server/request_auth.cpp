// The server's checks of a signed request (see request_auth.hpp).
#include "server/request_auth.hpp"

#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"

namespace knot {

ErrorCode auth_failure_code(AuthFailure failure) {
    switch (failure) {
    case AuthFailure::missing_token:
        return error_code::missing_token;
    case AuthFailure::bad_token:
        return error_code::bad_token;
    case AuthFailure::unsigned_request:
        return error_code::unsigned_request;
    case AuthFailure::malformed_signature:
        return error_code::malformed_signature;
    case AuthFailure::stale_timestamp:
        return error_code::stale_timestamp;
    case AuthFailure::unknown_agent:
        return error_code::unknown_agent;
    case AuthFailure::bad_signature:
        return error_code::bad_signature;
    case AuthFailure::replayed_nonce:
        return error_code::replayed_nonce;
    }
    return error_code::bad_signature; // unreachable: every AuthFailure has its case above
}

std::string auth_failure_message(AuthFailure failure) {
    switch (failure) {
    case AuthFailure::missing_token:
        return "the request has no X-Knot-Token header: send the room's invite token";
    case AuthFailure::bad_token:
        return "the invite token does not match this room";
    case AuthFailure::unsigned_request:
        return "a state-changing request must be signed (X-Knot-Timestamp, X-Knot-Nonce, "
               "X-Knot-Signature)";
    case AuthFailure::malformed_signature:
        return "the signature headers are malformed (timestamp in seconds, nonce of 32 hex "
               "digits, base64 signature)";
    case AuthFailure::stale_timestamp:
        return "the signed timestamp is more than 5 minutes from the server's clock; check the "
               "clock (git knot doctor)";
    case AuthFailure::unknown_agent:
        return "the signing agent is not a member of this room; run 'git knot join' again";
    case AuthFailure::bad_signature:
        return "the signature does not verify against the agent's registered key";
    case AuthFailure::replayed_nonce:
        return "this request's nonce was already used: a replayed request is refused";
    }
    return "unauthorized";
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
    // 18 digits reach past the year 30,000,000,000 and cannot overflow an int64_t.
    constexpr std::size_t k_max_digits = 18;
    if (text.empty() || text.size() > k_max_digits || (text.size() > 1 && text.front() == '0'))
        return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<AuthFailure> check_signature_form(const SignatureHeaders& headers, std::int64_t now,
                                                std::int64_t& timestamp) {
    if (headers.timestamp.empty() && headers.nonce.empty() && headers.signature.empty())
        return AuthFailure::unsigned_request;
    if (headers.timestamp.empty() || headers.nonce.empty() || headers.signature.empty())
        return AuthFailure::malformed_signature;
    const auto parsed = parse_timestamp(headers.timestamp);
    if (!parsed || !is_nonce(headers.nonce))
        return AuthFailure::malformed_signature;
    timestamp = *parsed;
    // Both are non-negative, so neither difference can overflow.
    const std::int64_t skew = timestamp > now ? timestamp - now : now - timestamp;
    if (now < 0 || skew > k_signature_window_seconds)
        return AuthFailure::stale_timestamp;
    return std::nullopt;
}

std::optional<AuthFailure> check_signature(const SignatureHeaders& headers, const Bytes& public_key,
                                           std::string_view method, std::string_view target,
                                           std::string_view body, std::int64_t now) {
    std::int64_t timestamp = 0;
    if (auto failure = check_signature_form(headers, now, timestamp))
        return failure;
    const std::string message = canonical_string(method, target, timestamp, headers.nonce, body);
    if (!verify_signature(public_key, message, headers.signature))
        return AuthFailure::bad_signature;
    return std::nullopt;
}

} // namespace knot
