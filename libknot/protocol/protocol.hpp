// The wire protocol shared by the clients and the server: header names, the canonical string
// every state-changing request is signed over, and the checks both sides apply to names and ids.
// docs/protocol.md is the prose version of this file; keep the two in step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace knot {

class Identity;

inline constexpr std::string_view k_protocol_version = "knot-v1";
inline constexpr std::string_view k_header_token = "X-Knot-Token";
inline constexpr std::string_view k_header_admin = "X-Knot-Admin";
inline constexpr std::string_view k_header_agent = "X-Knot-Agent";
inline constexpr std::string_view k_header_timestamp = "X-Knot-Timestamp";
inline constexpr std::string_view k_header_nonce = "X-Knot-Nonce";
inline constexpr std::string_view k_header_signature = "X-Knot-Signature";
// The lower-case hex SHA-256 of a pack upload's body, sent so that the server can verify the
// signature (which covers that digest) before it reads the body.
inline constexpr std::string_view k_header_content_sha256 = "X-Knot-Content-Sha256";

// A signed request's timestamp may differ from the server's clock by at most this much.
inline constexpr std::int64_t k_signature_window_seconds = 300;
// Request bodies larger than this are refused with 413 before they are read.
inline constexpr std::size_t k_max_body_bytes = 1 << 20;

// A task's title and the goal tasks are planned under: one line of 1 to 200 characters (a goal
// may be empty). A plan adds at most 100 tasks at a time, each naming at most 100 files (the
// repository paths it will touch, as locks name them).
inline constexpr std::size_t k_max_task_title_chars = 200;
inline constexpr std::size_t k_max_task_goal_chars = 200;
inline constexpr std::size_t k_max_tasks_per_request = 100;
inline constexpr std::size_t k_max_task_files = 100;
// An agent card carries at most this many capabilities.
inline constexpr std::size_t k_max_capabilities = 16;

// The string an agent signs for a request:
//   knot-v1 \n METHOD \n path?query \n timestamp \n nonce \n sha256-hex(body)
// with no trailing newline. `target` is the request target exactly as sent.
std::string canonical_string(std::string_view method, std::string_view target,
                             std::int64_t timestamp, std::string_view nonce, std::string_view body);
// The same string for a body known only by its lower-case hex SHA-256 `body_sha256` (a pack
// streamed to disk).
std::string canonical_string_of_digest(std::string_view method, std::string_view target,
                                       std::int64_t timestamp, std::string_view nonce,
                                       std::string_view body_sha256);

// The headers that sign one request: X-Knot-Timestamp, X-Knot-Nonce, X-Knot-Signature and,
// when `agent_id` is not empty, X-Knot-Agent.
std::map<std::string, std::string> sign_request(const Identity& identity, std::string_view agent_id,
                                                std::string_view method, std::string_view target,
                                                std::string_view body, std::int64_t now);
// The same for a body known by its lower-case hex SHA-256 `body_sha256` (a pack, hashed once).
std::map<std::string, std::string>
sign_request_of_digest(const Identity& identity, std::string_view agent_id, std::string_view method,
                       std::string_view target, std::string_view body_sha256, std::int64_t now);

// Seconds since the epoch from the system clock.
std::int64_t unix_now();

// Agent names are what teammates read and what refs are named after: 1 to 39 characters of
// [a-z0-9._-], starting with a letter or digit; "integration" and "knot" are reserved.
// Returns the reason when `name` is not acceptable.
std::optional<std::string> invalid_agent_name(std::string_view name);

// Agent kinds: claude, codex, cursor, human, knot (the server's own agent) or other.
bool is_agent_kind(std::string_view kind);

// Room ids look like rm_ followed by 16 lower-case hex digits.
bool is_room_id(std::string_view room);
// Agent ids look like ag_ followed by 16 lower-case hex digits.
bool is_agent_id(std::string_view agent);
// A nonce is 32 lower-case hex digits (16 random bytes).
bool is_nonce(std::string_view nonce);
// A git object id is 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
bool is_object_id(std::string_view text);

// Turns a free-form name (a git user.name, a login) into an agent name, or "" when nothing
// usable is left.
std::string slug_agent_name(std::string_view text);

// The `n`th name (n >= 2) to try for an agent whose default name `base` (a valid agent name) is
// taken in a room: "<base>-<n>", with `base` cut short so that the result stays a valid name.
std::string numbered_agent_name(std::string_view base, int n);

} // namespace knot
