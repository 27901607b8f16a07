// The one exception a route throws to answer with an HTTP error status and a stable code.
#pragma once

#include "libknot/base/error.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "server/request_auth.hpp"

#include <string>
#include <string_view>

namespace knot::server {

// Becomes the response with `code`'s status and the body {"error": message, "code": code} at the
// handler base, the server's only catch site. Nothing a request wrote survives it: routes throw
// it inside their transaction, which is then rolled back.
class ApiError : public Error {
public:
    // `details`, when not empty, is the text of a JSON object whose members are added to the
    // body (such as the "conflicts" of a lock_conflict).
    ApiError(ErrorCode code, const std::string& message, std::string details = {})
        : Error(message)
        , m_code(code)
        , m_details(std::move(details)) {}
    ErrorCode wire_code() const { return m_code; }
    int status() const { return m_code.status(); }
    std::string_view code() const { return m_code.code(); }
    const std::string& details() const { return m_details; }

private:
    ErrorCode m_code;
    std::string m_details;
};

// 400 bad_request whose message names the offending `field`.
inline ApiError bad_request(std::string_view field, std::string_view problem) {
    return ApiError(error_code::bad_request, std::string(field) + ": " + std::string(problem));
}

// 401 with the code and message of `failure`.
inline ApiError unauthorized(AuthFailure failure) {
    return ApiError(auth_failure_code(failure), auth_failure_message(failure));
}

} // namespace knot::server
