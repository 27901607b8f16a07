// The server's checks of a signed request (see request_auth.hpp).
#include "request_auth.hpp"

#include "identity.hpp"
#include "protocol.hpp"

#include <charconv>

namespace knot {

std::string_view auth_failure_code(AuthFailure failure) {
    switch (failure) {
    case AuthFailure::missing_token:
        return "missing_token";
    case AuthFailure::bad_token:
        return "bad_token";
    case AuthFailure::unsigned_request:
        return "unsigned";
    case AuthFailure::malformed_signature:
        return "malformed_signature";
    case AuthFailure::stale_timestamp:
        return "stale_timestamp";
    case AuthFailure::unknown_agent:
        return "unknown_agent";
    case AuthFailure::bad_signature:
        return "bad_signature";
    case AuthFailure::replayed_nonce:
        return "replayed_nonce";
    }
    return "unauthorized";
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

namespace {

// A timestamp is read only in the one spelling std::to_string gives it (what the canonical
// string holds): "0123", "+123" or "-0" would otherwise verify against a signature over "123"
// or "0", and a header could be varied without breaking its signature.
bool parse_timestamp(const std::string& text, std::int64_t& timestamp) {
    const char* first = text.data();
    const char* last = first + text.size();
    const auto [end, ec] = std::from_chars(first, last, timestamp);
    return ec == std::errc() && end == last && std::to_string(timestamp) == text;
}

// |a - b| without overflow: a timestamp of INT64_MIN must be stale, not wrap into the window.
std::uint64_t distance(std::int64_t a, std::int64_t b) {
    const auto ua = static_cast<std::uint64_t>(a);
    const auto ub = static_cast<std::uint64_t>(b);
    return a > b ? ua - ub : ub - ua;
}

} // namespace

std::optional<AuthFailure> check_signature_form(const SignatureHeaders& headers, std::int64_t now,
                                                std::int64_t& timestamp) {
    if (headers.timestamp.empty() && headers.nonce.empty() && headers.signature.empty())
        return AuthFailure::unsigned_request;
    if (headers.timestamp.empty() || headers.nonce.empty() || headers.signature.empty())
        return AuthFailure::malformed_signature;
    if (!parse_timestamp(headers.timestamp, timestamp) || !is_nonce(headers.nonce))
        return AuthFailure::malformed_signature;
    if (distance(timestamp, now) > static_cast<std::uint64_t>(k_signature_window_seconds))
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
