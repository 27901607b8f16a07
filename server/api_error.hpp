// The one exception a route throws to answer with an HTTP error status and a stable code.
#pragma once

#include "libknot/base/error.hpp"
#include "server/request_auth.hpp"

#include <string>
#include <string_view>

namespace knot::server {

// Becomes the response `status` with the body {"error": message, "code": code} at the
// handler base, the server's only catch site. Nothing a request wrote survives it: routes throw
// it inside their transaction, which is then rolled back.
class ApiError : public Error {
public:
    // `details`, when not empty, is the text of a JSON object whose members are added to the
    // body (such as the "conflicts" of a lock_conflict).
    ApiError(int status, std::string code, const std::string& message, std::string details = {})
        : Error(message)
        , m_status(status)
        , m_code(std::move(code))
        , m_details(std::move(details)) {}
    int status() const { return m_status; }
    const std::string& code() const { return m_code; }
    const std::string& details() const { return m_details; }

private:
    int m_status;
    std::string m_code;
    std::string m_details;
};

// 400 bad_request whose message names the offending `field`.
inline ApiError bad_request(std::string_view field, std::string_view problem) {
    return ApiError(400, "bad_request", std::string(field) + ": " + std::string(problem));
}

// 401 with the code and message of `failure`.
inline ApiError unauthorized(AuthFailure failure) {
    return ApiError(401, std::string(auth_failure_code(failure)), auth_failure_message(failure));
}

} // namespace knot::server
