// The server's checks of a signed request, kept apart from any HTTP library so they are
// unit-tested on their own. The nonce check needs the store and lives with it on the server.
#pragma once

#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/error_codes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knot {

// Why a request was refused with 401. Each has a stable code (the JSON body's "code") and a
// message saying which check failed.
enum class AuthFailure {
    missing_token,
    bad_token,
    unsigned_request,
    malformed_signature,
    stale_timestamp,
    unknown_agent,
    bad_signature,
    replayed_nonce,
};

ErrorCode auth_failure_code(AuthFailure failure);
std::string auth_failure_message(AuthFailure failure);

// The signature headers of one request, as received (empty when absent).
struct SignatureHeaders {
    std::string agent;
    std::string timestamp;
    std::string nonce;
    std::string signature;
};

// Checks a request's signature headers against the signer's `public_key`: all present, well
// formed, the timestamp within k_signature_window_seconds of `now`, and the signature valid
// over the canonical string of `method`, `target` and `body`. The caller then records the nonce.
std::optional<AuthFailure> check_signature(const SignatureHeaders& headers, const Bytes& public_key,
                                           std::string_view method, std::string_view target,
                                           std::string_view body, std::int64_t now);

// A signed timestamp in its only accepted spelling: canonical decimal seconds (digits only, no
// sign, no leading zero, at most 18 digits). Anything else is nothing, so that one signature
// cannot verify under two spellings of a time and no time can overflow the window check.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// Only the presence and form of the headers and the time window, for use before the signer's
// key is looked up. Returns the parsed timestamp through `timestamp`.
std::optional<AuthFailure> check_signature_form(const SignatureHeaders& headers, std::int64_t now,
                                                std::int64_t& timestamp);

} // namespace knot
