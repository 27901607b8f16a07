// `git knot chat --mode agent`: the room's chat as JSON lines, for a program that keeps the pipe
// open (man/git-knot.1, "chat"): messages in, one a line; events, acknowledgements and errors
// out, one JSON object a line.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace knot {
class Session;
} // namespace knot

namespace knot::cli {

// One line of an agent's input, read by parse_agent_line.
struct AgentLine {
    enum class Kind { blank, message, malformed };
    Kind kind = Kind::blank;
    std::string text;    // message: what to send
    nlohmann::json id;   // message or malformed: the line's "id" (a string or a number), else null
    std::string code;    // malformed: "bad_json" (not JSON) or "bad_message" (not a message)
    std::string message; // malformed: what is wrong, for a person
};

// Reads one input line: blank (only white space: skipped, no answer), a message (a JSON string,
// or an object with a string "text" and optionally an "id" that is a string or a number, and no
// other member), or malformed. The text is not judged here: the server refuses an empty or
// too long one, or one with control characters, with its own error code.
AgentLine parse_agent_line(std::string_view line);

// The output lines, each one JSON object on one line, without its newline. An object has exactly
// one of the members "event", "sent", "error" and "stream", which says what it is.

// {"event": <the event as the server sent it>, "agent_name": "coder-1"} (the name when known).
std::string agent_event_line(const nlohmann::json& event, const std::string& agent_name);
// {"sent": {"line": N, "seq": S[, "id": ...]}}: input line N was sent as event S.
std::string agent_sent_line(std::int64_t line, std::int64_t seq, const nlohmann::json& id);
// {"error": {"code": ..., "message": ...[, "line": N][, "id": ...]}}: `line` 0 (and a null
// `id`) for an error about no line (the stream, the start).
std::string agent_error_line(const std::string& code, const std::string& message,
                             std::int64_t line = 0, const nlohmann::json& id = nullptr);
// {"stream": {"state": "connected"}} or {"stream": {"state": "reconnecting", "message": why}},
// from EventStream's "connected" and "reconnecting: <why>".
std::string agent_stream_line(const std::string& state);

// The code an error is reported with: the server's code for knot::HttpError, "unreachable" for
// knot::UnreachableError, else "error".
std::string error_code_of(const std::exception& error);

// Runs the agent's chat in `session`: the last `history` events, then every new one, written to
// `out` while the lines of `in` are sent. Returns at the end of `in` once every message sent has
// been acknowledged and (for at most k_drain_seconds while the stream is away) its event written:
// 0, or 1 when the event stream failed for good (a refused hello). A failure to start (the
// server unreachable) is written as an error line and then thrown.
int run_agent_chat(Session& session, std::int64_t history, std::istream& in, std::ostream& out);

// How long the end of input waits for the events of the messages sent to be written.
inline constexpr int k_drain_seconds = 10;

} // namespace knot::cli
