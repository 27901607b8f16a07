// Errors that carry a message fit for a person; subclasses exist only where a caller branches.
#pragma once

#include <stdexcept>
#include <string>

namespace knot {

// A failure whose message can be shown to a user as it is.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command line was wrong: git-knot exits with 129.
class UsageError : public Error {
public:
    using Error::Error;
};

// The operation was refused because of the state of things (a server already running, a name
// taken): git-knot exits with 1.
class Refused : public Error {
public:
    using Error::Error;
};

// The coordination server could not be reached at all: git-knot exits with 2.
class UnreachableError : public Error {
public:
    using Error::Error;
};

// The server answered with an error status; `code` is the machine-readable code of its JSON
// body (for example "stale_timestamp"), `status` the HTTP status.
class HttpError : public Error {
public:
    HttpError(int status, std::string code, const std::string& message, std::string body = {})
        : Error(message)
        , m_status(status)
        , m_code(std::move(code))
        , m_body(std::move(body)) {}
    int status() const { return m_status; }
    const std::string& code() const { return m_code; }
    // The whole response body, for errors that carry details (lock conflicts list the locks).
    const std::string& body() const { return m_body; }

private:
    int m_status;
    std::string m_code;
    std::string m_body;
};

} // namespace knot
