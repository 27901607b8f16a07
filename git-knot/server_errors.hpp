// What git-knot does with each error code the server answers with: one table for every command.
#pragma once

#include <string>

namespace knot {
class HttpError;
} // namespace knot

namespace knot::cli {

// How an error from the server reaches the user (man/git-knot.1, EXIT STATUS).
enum class ServerErrorKind {
    // The state of the room says no (a lock held by another agent, a task already claimed,
    // not the room's owner, nothing to undo): exit status 1, printed "git-knot: <message>".
    refusal,
    // The credentials were refused (HTTP 401, or 403 for a wrong admin token): exit status 3,
    // printed "git-knot: error: <message>".
    credentials,
    // Anything else the server answered with (a request it found malformed, too large, a room
    // it does not know): exit status 1, printed "git-knot: error: <message>".
    failure,
};

// The kind of `error`, from its code; a code the table does not know goes by its status
// (401 or 403: credentials, else failure), so a newer server's codes still exit sensibly.
ServerErrorKind kind_of(const HttpError& error);

// The exit status for `error`: 3 for credentials, else 1.
int exit_status(const HttpError& error);

// What main prints for `error`: "git-knot: <message>" for a refusal, else
// "git-knot: error: <message>".
std::string error_line(const HttpError& error);

// Throws knot::Refused with `error`'s message and `consequence` after it ("; nothing was
// released") when `error` is a refusal; otherwise rethrows `error` as it is.
[[noreturn]] void rethrow_refusal(const HttpError& error, const std::string& consequence = "");

} // namespace knot::cli
